"""Request and response bodies of the loans API (amounts are decimal strings).

The loan, its events, postings, installments, fund usage and notes answer with the service's
views (``loans.views``, ``loans.notes``) as pydantic models (``from_view``), so their fields are
written once, in the views. The position, the payoff quote and the preview show part of what
the engine answers, so they are written here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id
from microlend.loans.autodebit import DebitRun, Owing, Total
from microlend.loans.classification import AdjustmentView, ClassificationView
from microlend.loans.notes import NoteView
from microlend.loans.payoff_certificates import CertificateView
from microlend.loans.statements import Balance, Statement, StatementLine
from microlend.loans.views import (
    AllocationView,
    EventOutcome,
    EventView,
    FundUsageView,
    InstallmentView,
    LoanView,
    PostingView,
)
from microlend.web.kit.view_schemas import from_view

Amount = Decimal | str


class DisburseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    application_id: Id
    disbursement_date: date | None = None
    first_due_date: date | None = None
    payee: Literal["borrower", "seller"] = "borrower"
    payee_name: str = ""
    payee_account: str = Field(
        "", description="Digits; the borrower's must be one of its registered accounts."
    )
    payee_account_id: Id | None = Field(
        None, description="A registered account of the borrower (instead of payee_account)."
    )
    fee_mode: Literal["deducted", "collected"] = "deducted"
    channel: str = "bank"
    amount: Amount | None = Field(
        None, description="The first tranche (分次放款); default: the approved amount."
    )


class TrancheIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(examples=["5000.00"])
    value_date: date | None = None
    channel: str = "bank"


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(examples=["1120.00"])
    value_date: date | None = None
    channel: str = "bank"
    external_reference: str | None = Field(None, max_length=100)


class BatchRepaymentIn(RepaymentIn):
    """A line of a batch (``POST /loans/repayment-batches``): its loan by id or by number."""

    loan_id: Id | None = None
    loan_number: str | None = Field(None, max_length=40, examples=["DK2025000001"])


class PrepaymentIn(RepaymentIn):
    mode: Literal["shorten_term", "lower_installment"] | None = None
    fee: Amount | None = None


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    channel: str = "bank"
    external_reference: str | None = None


class WaiverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: Literal["penalty", "fee", "interest"]
    amount: Amount
    reason: str = Field(min_length=1, max_length=500)
    value_date: date | None = None


class AccelerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)
    value_date: date | None = None


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: int = Field(ge=1, le=360)
    annual_rate: Amount | None = None
    method: str | None = None
    first_due_date: date | None = None
    grace_principal_periods: int = Field(0, ge=0)
    capitalise_arrears: bool = False
    reason: str = Field(min_length=1, max_length=500)
    value_date: date | None = None


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class FundUsageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    used_on: date
    counterparty: str = Field(min_length=1, max_length=200)
    category: str
    description: str = ""


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=4000, examples=["客户来电，约定月底还款"])


@from_view(LoanView)
class LoanOut(BaseModel):
    pass


@from_view(EventView)
class EventOut(BaseModel):
    pass


@from_view(AllocationView)
class AllocationOut(BaseModel):
    pass


@from_view(PostingView)
class PostingOut(BaseModel):
    pass


@from_view(EventOutcome)
class OutcomeOut(BaseModel):
    pass


@from_view(InstallmentView)
class InstallmentOut(BaseModel):
    pass


@from_view(FundUsageView)
class FundUsageOut(BaseModel):
    pass


@from_view(NoteView)
class NoteOut(BaseModel):
    pass


@from_view(Balance)
class BalanceOut(BaseModel):
    pass


@from_view(StatementLine)
class StatementLineOut(BaseModel):
    pass


@from_view(Statement)
class StatementOut(BaseModel):
    """A statement of account (贷款对账单): ``opening`` at the end of the day before ``start``
    (null when the loan began in the period), ``closing`` at the end of ``end``; ``totals`` count
    the lines not reversed (components: what was paid)."""


@from_view(CertificateView)
class CertificateOut(BaseModel):
    """A payoff certificate (结清证明): ``facts`` is what it states (the borrower's identity
    number masked without ``pii.view``)."""


class AmountsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    as_of: date
    status: str
    outstanding_principal: Decimal
    overdue: AmountsOut
    due_today: AmountsOut
    not_due: AmountsOut
    accrued_interest: Decimal
    penalty_charged: Decimal
    next_due_date: date | None
    next_due_amount: Decimal
    days_past_due: int
    credit_balance: Decimal
    non_accrual: bool
    restructured: bool


@from_view(AdjustmentView)
class AdjustmentOut(BaseModel):
    """A manual adjustment of the classification (``action`` ``adjust``) or its review
    (``restore``: back to the computed category), with its reason and who made it."""


@from_view(ClassificationView)
class ClassificationOut(BaseModel):
    """五级分类 as close of business last set it: ``normal``, ``special_mention``,
    ``substandard``, ``doubtful`` or ``loss`` (``computed``: what the rules gave; ``adjusted``:
    the manual adjustment in force, if any; ``adjustments``: all, newest first); the impairment
    stage; the allowance."""


class ClassificationAdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(examples=["substandard"])
    reason: str = Field(min_length=1, max_length=1000, examples=["借款人经营停滞，涉诉"])


class ClassificationRestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, examples=["诉讼已和解，恢复按逾期天数分类"])


class PayoffQuoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    as_of: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    penalty: Decimal
    prepayment_fee: Decimal
    credit_balance: Decimal
    total: Decimal
    amount_to_pay: Decimal


class PreviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cash_in: Decimal
    credit_change: Decimal
    prepaid_principal: Decimal
    lines: list[AllocationOut]


# --- the auto-debit file (loans.api_autodebit) ---------------------------------------------------


class DebitLineOut(BaseModel):
    reference: str
    loan_id: int
    loan_number: str
    borrower: str
    bank_name: str
    account_no: str
    account_name: str
    amount: Decimal
    currency: str
    value_date: date
    channel: str
    external_reference: str


@from_view(Owing)
class OwingOut(BaseModel):
    pass


@from_view(Total)
class TotalOut(BaseModel):
    pass


class DebitRunOut(BaseModel):
    on: date
    lines: list[DebitLineOut]
    totals: list[TotalOut]
    without_account: list[OwingOut]

    @classmethod
    def of(cls, run: DebitRun) -> DebitRunOut:
        lines = [
            DebitLineOut(
                reference=line.reference,
                loan_id=line.owing.loan_id,
                loan_number=line.owing.loan_number,
                borrower=line.owing.borrower,
                bank_name=line.account.bank_name,
                account_no=line.account.account_no,
                account_name=line.account.account_name,
                amount=line.owing.amount,
                currency=line.owing.currency,
                value_date=line.value_date,
                channel=line.channel,
                external_reference=line.external_reference,
            )
            for line in run.lines
        ]
        return cls(
            on=run.on,
            lines=lines,
            totals=[TotalOut.model_validate(total) for total in run.totals],
            without_account=[OwingOut.model_validate(owing) for owing in run.without_account],
        )

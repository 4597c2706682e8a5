"""Request and response bodies of the loans API (amounts are decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Amount = Decimal | str


class DisburseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    application_id: int
    disbursement_date: date | None = None
    first_due_date: date | None = None
    payee: Literal["borrower", "seller"] = "borrower"
    payee_name: str = ""
    payee_account: str = ""
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


class PrepaymentIn(RepaymentIn):
    mode: Literal["shorten_term", "lower_installment"] | None = None
    fee: Amount | None = None


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""


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


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: int = Field(ge=1, le=360)
    annual_rate: Amount | None = None
    method: str | None = None
    first_due_date: date | None = None
    grace_principal_periods: int = Field(0, ge=0)
    capitalise_arrears: bool = False
    reason: str = ""
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


class LoanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    contract_number: str
    company_id: int
    office_id: int
    owner_id: int
    customer_id: int
    application_id: int
    product_version_id: int
    product_code: str
    currency: str
    principal: Decimal
    annual_rate: Decimal
    term_count: int
    method: str
    disbursement_date: date
    first_due_date: date
    maturity_date: date
    upfront_fee: Decimal
    payee: str
    payee_name: str
    status: str
    restructured: bool
    purpose: str
    fund_usage_status: str
    fund_usage_deadline: date | None
    position_as_of: date
    outstanding_principal: Decimal
    outstanding_interest: Decimal
    outstanding_fee: Decimal
    outstanding_penalty: Decimal
    overdue_amount: Decimal
    days_past_due: int
    next_due_date: date | None
    next_due_amount: Decimal
    credit_balance: Decimal
    written_off: Decimal
    recovered: Decimal
    row_version: int


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sequence: int
    kind: str
    value_date: date
    business_date: date
    amount: Decimal
    channel: str
    external_reference: str | None
    reverses_event_id: int | None
    reversed: bool
    detail: dict[str, Any]


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    installment: int
    due_date: date
    bucket: str
    component: str
    amount: Decimal


class PostingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    posting_id: str
    kind: str
    value_date: date
    version: int
    cash_in: Decimal
    credit_change: Decimal
    lines: list[AllocationOut]
    voucher_keys: list[str]


class OutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    loan: LoanOut
    event: EventOut
    posting: PostingOut | None
    replayed: bool


class InstallmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    n: int
    due_date: date
    status: str
    principal_due: Decimal
    interest_due: Decimal
    fee_due: Decimal
    penalty_due: Decimal
    paid: Decimal
    waived: Decimal
    outstanding: Decimal
    days_past_due: int


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=4000, examples=["客户来电，约定月底还款"])


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    loan_id: int
    body: str
    author: str
    created_at: datetime


class FundUsageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    loan_id: int
    amount: Decimal
    used_on: date
    counterparty: str
    category: str
    description: str
    prohibited: bool
    document_hash: str | None
    document_name: str | None


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


class PreviewLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    installment: int
    due_date: date
    bucket: str
    component: str
    amount: Decimal


class PreviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cash_in: Decimal
    credit_change: Decimal
    prepaid_principal: Decimal
    lines: list[PreviewLineOut]

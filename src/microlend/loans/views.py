"""What the loans service returns: plain frozen views (money as ``Decimal``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.kernel.pii import PiiKind, mask
from microlend.loans import tables
from microlend.loans.engine import InstallmentPosition, Posting
from microlend.loans.records import fresh_minor, minor, money


@dataclass(frozen=True)
class LoanView:
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
    annual_rate: Decimal  # the contract's
    rate_in_force: Decimal | None  # a restructuring's new rate (None: the contract's)
    term_count: int
    method: str
    disbursement_date: date
    first_due_date: date
    maturity_date: date
    upfront_fee: Decimal
    payee: str
    payee_name: str
    payee_account: str  # masked; ``queries.get_loan`` shows it whole to a reader with pii.view
    status: str
    closed_on: date | None  # the business day a paid-off loan closed
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
    off_balance_interest: Decimal  # interest the memorandum accounts 7001/7002 carry for it
    row_version: int


class _Loaded:
    """A loan row's column values by name: from the instance's own dict when loaded there (what
    the ORM's attribute would return), through the attribute otherwise (it loads what is
    missing)."""

    __slots__ = ("loaded", "row")

    def __init__(self, row: tables.Loan) -> None:
        self.row, self.loaded = row, row.__dict__

    def __getitem__(self, name: str) -> Any:
        try:
            return self.loaded[name]
        except KeyError:
            return getattr(self.row, name)


def loan_view(row: tables.Loan) -> LoanView:
    """The view of the loan row's current values (every command on a loan builds one)."""
    r = _Loaded(row)
    c = r["currency"]
    return LoanView(
        id=r["id"],
        number=r["number"],
        contract_number=r["contract_number"],
        company_id=r["company_id"],
        office_id=r["office_id"],
        owner_id=r["owner_id"],
        customer_id=r["customer_id"],
        application_id=r["application_id"],
        product_version_id=r["product_version_id"],
        product_code=r["product_code"],
        currency=c,
        principal=money(r["principal_minor"], c),
        annual_rate=r["annual_rate"],
        rate_in_force=r["rate_in_force"],
        term_count=r["term_count"],
        method=r["method"],
        disbursement_date=r["disbursement_date"],
        first_due_date=r["first_due_date"],
        maturity_date=r["maturity_date"],
        upfront_fee=money(r["upfront_fee_minor"], c),
        payee=r["payee"],
        payee_name=r["payee_name"],
        payee_account=mask(r["payee_account"], PiiKind.BANK_ACCOUNT),
        status=r["status"],
        closed_on=r["closed_on"],
        restructured=r["restructured"],
        purpose=r["purpose"],
        fund_usage_status=r["fund_usage_status"],
        fund_usage_deadline=r["fund_usage_deadline"],
        position_as_of=r["position_as_of"],
        outstanding_principal=money(r["outstanding_principal_minor"], c),
        outstanding_interest=money(r["outstanding_interest_minor"], c),
        outstanding_fee=money(r["outstanding_fee_minor"], c),
        outstanding_penalty=money(r["outstanding_penalty_minor"], c),
        overdue_amount=money(r["overdue_minor"], c),
        days_past_due=r["days_past_due"],
        next_due_date=r["next_due_date"],
        next_due_amount=money(r["next_due_minor"], c),
        credit_balance=money(r["credit_balance_minor"], c),
        written_off=money(r["written_off_minor"], c),
        recovered=money(r["recovered_minor"], c),
        off_balance_interest=money(r["off_balance_interest_minor"], c),
        row_version=r["row_version"],
    )


@dataclass(frozen=True)
class EventView:
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


@dataclass(frozen=True)
class AllocationView:
    installment: int
    due_date: date
    bucket: str
    component: str
    amount: Decimal


COMPONENTS = ("principal", "interest", "fee", "penalty")
MONEY_IN = ("repayment", "prepayment", "recovery")  # money received: each has a receipt
MONEY_OUT = ("disbursement", "tranche", "refund")
PAYING = (*MONEY_IN, "credit_application")  # what pays installments (the rest forgives or moves)


def by_component(lines: Iterable[AllocationView]) -> dict[str, Decimal]:
    """What allocation lines come to per component (each of ``COMPONENTS``, zero if none)."""
    found = dict.fromkeys(COMPONENTS, Decimal(0))
    for line in lines:
        found[line.component] += line.amount
    return found


@dataclass(frozen=True)
class PostingView:
    posting_id: str
    kind: str
    value_date: date
    version: int
    cash_in: Decimal
    credit_change: Decimal
    lines: tuple[AllocationView, ...]
    voucher_keys: tuple[str, ...]


@dataclass(frozen=True)
class EventOutcome:
    """A command's result: the loan after it, the event recorded, and its posting."""

    loan: LoanView
    event: EventView
    posting: PostingView | None
    replayed: bool = False  # the request had been made before: nothing new was written


@dataclass(frozen=True)
class InstallmentView:
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


def installment_at(row: InstallmentPosition) -> InstallmentView:
    """An installment as the engine's position has it at the end of a day, in the stored view's
    terms (what was waived and what a reschedule capitalised are both settled unpaid)."""
    charged = row.charged
    return InstallmentView(
        row.n,
        row.due_date,
        str(row.status),
        charged.principal,
        charged.interest,
        charged.fee,
        charged.penalty,
        row.paid.total,
        row.waived.total + row.capitalised.total,
        row.outstanding.total,
        row.days_past_due,
    )


@dataclass(frozen=True)
class FundUsageView:
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


def event_view(row: tables.LoanEvent, currency: str, reversed_ids: frozenset[int]) -> EventView:
    return EventView(
        row.id,
        row.sequence,
        row.kind,
        row.value_date,
        row.business_date,
        money(row.amount_minor, currency),
        row.channel,
        row.external_reference,
        row.reverses_event_id,
        row.id in reversed_ids,
        dict(row.detail or {}),
    )


def posting_view(row: tables.LoanPosting, currency: str) -> PostingView:
    lines = tuple(
        AllocationView(
            int(x["installment"]),
            date.fromisoformat(x["due_date"]),
            x["bucket"],
            x["component"],
            Decimal(x["amount"]),
        )
        for x in row.lines
    )
    return PostingView(
        row.posting_id,
        row.kind,
        row.value_date,
        row.version,
        money(row.cash_in_minor, currency),
        money(row.credit_change_minor, currency),
        lines,
        tuple(row.vouchers),
    )


def fresh_posting_view(
    posting: Posting, version: int, vouchers: dict[str, Any], currency: str
) -> PostingView:
    """``posting_view`` of the row stored for ``posting`` (``account_store.posting_row``), from
    the posting itself: the same values (a line's amount is stored as its exact text), without
    writing the row's document and reading it back."""
    lines = tuple(
        AllocationView(
            line.installment, line.due_date, str(line.bucket), str(line.component), line.amount
        )
        for line in posting.lines
    )
    return PostingView(
        posting.event_id,
        str(posting.kind),
        posting.value_date,
        version,
        money(minor(posting.cash_in, currency), currency),
        money(fresh_minor(posting.credit_change, currency), currency),
        lines,
        tuple(vouchers),
    )

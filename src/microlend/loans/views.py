"""What the loans service returns: plain frozen views (money as ``Decimal``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.loans import tables
from microlend.loans.records import money


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


def loan_view(row: tables.Loan) -> LoanView:
    c = row.currency
    return LoanView(
        id=row.id,
        number=row.number,
        contract_number=row.contract_number,
        company_id=row.company_id,
        office_id=row.office_id,
        owner_id=row.owner_id,
        customer_id=row.customer_id,
        application_id=row.application_id,
        product_version_id=row.product_version_id,
        product_code=row.product_code,
        currency=c,
        principal=money(row.principal_minor, c),
        annual_rate=row.annual_rate,
        term_count=row.term_count,
        method=row.method,
        disbursement_date=row.disbursement_date,
        first_due_date=row.first_due_date,
        maturity_date=row.maturity_date,
        upfront_fee=money(row.upfront_fee_minor, c),
        payee=row.payee,
        payee_name=row.payee_name,
        status=row.status,
        restructured=row.restructured,
        purpose=row.purpose,
        fund_usage_status=row.fund_usage_status,
        fund_usage_deadline=row.fund_usage_deadline,
        position_as_of=row.position_as_of,
        outstanding_principal=money(row.outstanding_principal_minor, c),
        outstanding_interest=money(row.outstanding_interest_minor, c),
        outstanding_fee=money(row.outstanding_fee_minor, c),
        outstanding_penalty=money(row.outstanding_penalty_minor, c),
        overdue_amount=money(row.overdue_minor, c),
        days_past_due=row.days_past_due,
        next_due_date=row.next_due_date,
        next_due_amount=money(row.next_due_minor, c),
        credit_balance=money(row.credit_balance_minor, c),
        written_off=money(row.written_off_minor, c),
        recovered=money(row.recovered_minor, c),
        row_version=row.row_version,
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

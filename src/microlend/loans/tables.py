"""Loans: the account row (with its contract document and a position snapshot), its append-only
events, the current postings of the events (allocations and vouchers), the materialised
installments and the fund usage records.

``loans.contract`` holds everything needed to rebuild the engine's ``LoanContract`` exactly: the
product terms the loan was approved with, the loan's own amount, term, rate, method and dates,
and the schedule generated at disbursement. The engine replays ``loan_events``; the service
keeps ``loan_postings`` (what each event did, and which vouchers carry it) so a back-dated change
can be compared and its vouchers reversed and reposted.

``booked_*`` columns: receivables the ledger carries for the loan (interest accrued to 1132, fees
and penalty to 1221, principal moved to 130302 overdue). Close of business adds to them when it
posts accruals or the overdue transfer; a repayment collects them first (role ``interest``) and
books the rest as cash-basis income (``interest_income``). ``off_balance_interest_minor`` is the
interest the memorandum accounts 7001/7002 carry for the loan (非应计 interest, and the interest
its write-off moved off balance): the part of a collection or waiver beyond the booked interest
takes it out of them first (role ``interest_off_balance``, Dr 7002 / Cr 7001).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, CurrencyCode, Id, IdType, id_column


def _money() -> Mapped[int]:
    return mapped_column(BigInteger, default=0)


class Loan(Base):
    __tablename__ = "loans"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))  # the loan officer
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), unique=True)
    product_version_id: Mapped[int] = mapped_column(IdType, ForeignKey("product_versions.id"))
    product_code: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(30))
    contract_number: Mapped[str] = mapped_column(String(30))
    currency: Mapped[CurrencyCode]
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    annual_rate: Mapped[Decimal]
    # the rate a reschedule put the loan at, where it differs from the contract's (None: the
    # contract's): close of business prices penalty at it, as the engine does
    rate_in_force: Mapped[Decimal | None]
    term_count: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    disbursement_date: Mapped[date] = mapped_column(Date)
    first_due_date: Mapped[date] = mapped_column(Date)
    maturity_date: Mapped[date] = mapped_column(Date)
    upfront_fee_minor: Mapped[int] = _money()
    payee: Mapped[str] = mapped_column(String(20))  # borrower | seller (受托支付)
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_account: Mapped[str] = mapped_column(String(60))
    contract: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30))
    restructured: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose: Mapped[str] = mapped_column(Text)
    fund_usage_deadline: Mapped[date | None] = mapped_column(Date)
    fund_usage_status: Mapped[str] = mapped_column(String(30))
    # position snapshot (refreshed by every command; close of business refreshes it set-based)
    position_as_of: Mapped[date] = mapped_column(Date)
    outstanding_principal_minor: Mapped[int] = _money()
    outstanding_interest_minor: Mapped[int] = _money()
    outstanding_fee_minor: Mapped[int] = _money()
    outstanding_penalty_minor: Mapped[int] = _money()
    overdue_minor: Mapped[int] = _money()
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    max_days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    next_due_date: Mapped[date | None] = mapped_column(Date)
    next_due_minor: Mapped[int] = _money()
    credit_balance_minor: Mapped[int] = _money()
    # receivables booked in the ledger for this loan (see the module docstring)
    booked_interest_minor: Mapped[int] = _money()
    booked_fee_minor: Mapped[int] = _money()
    booked_penalty_minor: Mapped[int] = _money()
    booked_overdue_principal_minor: Mapped[int] = _money()
    # interest kept off balance for the loan (memo 7001/7002): accrued while it did not accrue,
    # or moved there by its write-off; collecting, waiving or recovering it takes it out
    off_balance_interest_minor: Mapped[int] = _money()
    written_off_minor: Mapped[int] = _money()  # principal written off (recoveries reduce nothing)
    recovered_minor: Mapped[int] = _money()
    # the partial indexes' flags (migration 0027): generated, so a command that changes an
    # amount without taking it across zero updates the row in place (no index entries)
    holds_credit: Mapped[bool] = mapped_column(
        Boolean, Computed("credit_balance_minor > 0", persisted=True)
    )
    carries_overdue_principal: Mapped[bool] = mapped_column(
        Boolean, Computed("booked_overdue_principal_minor <> 0", persisted=True)
    )
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[date | None] = mapped_column(Date)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_loans_company_office_status", "company_id", "office_id", "status"),
        Index("ix_loans_owner_id", "owner_id"),
        # close of business reads the overdue loans alone (migration 0016)
        Index(
            "ix_loans_overdue",
            "company_id",
            "id",
            postgresql_where=text("status = 'overdue'"),
            sqlite_where=text("status = 'overdue'"),
        ),
        Index(
            "ix_loans_booked_overdue",
            "company_id",
            "id",
            postgresql_where=text("carries_overdue_principal"),
            sqlite_where=text("carries_overdue_principal"),
        ),
        # and the loans holding a credit balance, to apply it on due dates (migration 0022)
        Index(
            "ix_loans_credit",
            "company_id",
            "id",
            postgresql_where=text("holds_credit"),
            sqlite_where=text("holds_credit"),
        ),
    )


class LoanEvent(Base):
    """Append-only: every event posted to a loan, in posting order (``sequence`` per loan)."""

    __tablename__ = "loan_events"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    value_date: Mapped[date] = mapped_column(Date)
    business_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = _money()
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(30), default="")
    external_reference: Mapped[str | None] = mapped_column(String(100))
    reverses_event_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("loan_events.id"), unique=True
    )
    request_key: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("loan_id", "sequence"),
        UniqueConstraint("company_id", "channel", "external_reference"),
        # only the events with a request key (migration 0018): most have none
        Index(
            "uq_loan_events_company_id_request_key",
            "company_id",
            "request_key",
            unique=True,
            postgresql_where=text("request_key IS NOT NULL"),
            sqlite_where=text("request_key IS NOT NULL"),
        ),
    )


class LoanPosting(Base):
    """What an event (or a due date's use of the credit balance) currently does to the account,
    and the vouchers that carry it. ``version`` grows each time a back-dated change reposts it;
    ``lines`` are the allocation lines, ``vouchers`` {idempotency key: {role: amount}}."""

    __tablename__ = "loan_postings"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"))
    posting_id: Mapped[str] = mapped_column(String(40))  # the engine's event id
    kind: Mapped[str] = mapped_column(String(30))
    value_date: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    cash_in_minor: Mapped[int] = _money()
    cash_out_minor: Mapped[int] = _money()
    credit_change_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[list[Any]] = mapped_column(JSON)
    vouchers: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("loan_id", "posting_id"),)


class LoanInstallment(Base):
    """The current schedule state per installment, rewritten from the engine after a command."""

    __tablename__ = "loan_installments"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"))
    n: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    # where its interest period starts: the due date before it, unless a schedule was rebuilt
    # from a later date (a reschedule or a tranche with nothing ahead; migration 0023)
    accrual_start: Mapped[date] = mapped_column(Date)
    principal_due_minor: Mapped[int] = _money()
    interest_due_minor: Mapped[int] = _money()
    fee_due_minor: Mapped[int] = _money()
    penalty_due_minor: Mapped[int] = _money()
    principal_paid_minor: Mapped[int] = _money()
    interest_paid_minor: Mapped[int] = _money()
    fee_paid_minor: Mapped[int] = _money()
    penalty_paid_minor: Mapped[int] = _money()
    waived_minor: Mapped[int] = _money()  # settled without being paid: the four below
    # waived or capitalised by a reschedule, per component (migration 0023)
    principal_settled_minor: Mapped[int] = _money()
    interest_settled_minor: Mapped[int] = _money()
    fee_settled_minor: Mapped[int] = _money()
    penalty_settled_minor: Mapped[int] = _money()
    outstanding_minor: Mapped[int] = _money()
    status: Mapped[str] = mapped_column(String(20))
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("loan_id", "n"),
        # close of business: a partition's installments due on a date (migration 0017)
        Index("ix_loan_installments_company_due", "company_id", "due_date", "loan_id"),
    )


class FundUsage(Base):
    """资金用途: what the borrower spent the loan on, with its evidence."""

    __tablename__ = "fund_usages"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    used_on: Mapped[date] = mapped_column(Date)
    counterparty: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    prohibited: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    document_hash: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

"""The loans of the actor's scope in figures (``loans.view``), for the home page: repayments
falling due soon, overdue loans by days past due, and the portfolio (active loans, outstanding
principal, PAR30, disbursed in a month).

Each is a few set-based reads of the loans' position snapshot (refreshed by every command on a
loan and by close of business), scoped like the loan list; amounts are per currency, so that a
company lending in two currencies never sees them added up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select

from microlend.customers.tables import Customer
from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require
from microlend.loans.records import money
from microlend.loans.tables import Loan

VIEW = "loans.view"
ON_BOOK = ("active", "overdue")  # disbursed, neither closed nor written off
# days past due: 1-30, 31-60, 61-90, over 90 (the upper bound of the last is open)
DPD_BUCKETS: tuple[tuple[int, int | None], ...] = ((1, 30), (31, 60), (61, 90), (91, None))
PAR_DAYS = 30
ONE = literal(1)  # counted where a condition holds


def due_by(through: date) -> ColumnElement[bool]:
    """Loans on the book with an installment still owing on or before ``through``."""
    return and_(
        Loan.status.in_(ON_BOOK),
        Loan.next_due_date <= through,
        Loan.next_due_minor > 0,
    )


def dpd_between(low: int, high: int | None) -> ColumnElement[bool]:
    """Loans on the book ``low`` to ``high`` days past due (``None``: no upper bound)."""
    on_book = and_(Loan.status.in_(ON_BOOK), Loan.days_past_due >= low)
    return on_book if high is None else and_(on_book, Loan.days_past_due <= high)


@dataclass(frozen=True)
class DueLoan:
    id: int
    number: str
    customer_name: str
    due_date: date
    amount_due: Decimal
    currency: str


@dataclass(frozen=True)
class DueSoon:
    count: int
    loans: tuple[DueLoan, ...]  # the first few, soonest first


def due_soon(uow: UnitOfWork, actor: Principal, *, through: date, limit: int = 8) -> DueSoon:
    """Loans with an installment owing on or before ``through``: how many, and the soonest."""
    require(actor, VIEW)
    owing = and_(scope_condition(actor, Loan), due_by(through))
    count = uow.session.scalar(select(func.count()).select_from(Loan).where(owing))
    rows = uow.session.execute(
        select(
            Loan.id,
            Loan.number,
            Customer.name,
            Loan.next_due_date,
            Loan.next_due_minor,
            Loan.currency,
        )
        .join(Customer, Customer.id == Loan.customer_id)
        .where(owing)
        .order_by(Loan.next_due_date, Loan.id)
        .limit(limit)
    ).all()
    loans = tuple(
        DueLoan(row_id, number, name, due, money(minor, currency), currency)
        for row_id, number, name, due, minor, currency in rows
        if due is not None  # due_by keeps only loans with a due date
    )
    return DueSoon(int(count or 0), loans)


@dataclass(frozen=True)
class OverdueBucket:
    low: int
    high: int | None
    currency: str
    count: int
    outstanding_principal: Decimal
    overdue: Decimal  # what is past due: principal, interest, fees and penalty


def overdue_by_dpd(uow: UnitOfWork, actor: Principal) -> list[OverdueBucket]:
    """Overdue loans per days-past-due bucket and currency (empty buckets left out)."""
    require(actor, VIEW)
    bucket = case(
        *((dpd_between(low, high), index) for index, (low, high) in enumerate(DPD_BUCKETS))
    )
    rows = uow.session.execute(
        select(
            bucket,
            Loan.currency,
            func.count(),
            func.sum(Loan.outstanding_principal_minor),
            func.sum(Loan.overdue_minor),
        )
        .where(scope_condition(actor, Loan), Loan.status.in_(ON_BOOK), Loan.days_past_due > 0)
        .group_by(bucket, Loan.currency)
        .order_by(bucket, Loan.currency)
    ).all()
    return [
        OverdueBucket(
            DPD_BUCKETS[index][0],
            DPD_BUCKETS[index][1],
            currency,
            int(count),
            money(int(principal or 0), currency),
            money(int(overdue or 0), currency),
        )
        for index, currency, count, principal, overdue in rows
    ]


@dataclass(frozen=True)
class PortfolioFigures:
    currency: str
    active_loans: int
    outstanding_principal: Decimal
    principal_at_risk: Decimal  # of the loans more than PAR_DAYS past due
    disbursed_loans: int
    disbursed_principal: Decimal

    @property
    def par30(self) -> Decimal | None:
        """Principal more than 30 days past due over outstanding principal, in percent."""
        if not self.outstanding_principal:
            return None
        share = self.principal_at_risk / self.outstanding_principal * 100
        return share.quantize(Decimal("0.01"))


def total(condition: ColumnElement[bool], minor: Any) -> ColumnElement[int]:
    """The sum of ``minor`` over the rows where ``condition`` holds."""
    return func.sum(case((condition, minor), else_=0))


def portfolio(
    uow: UnitOfWork, actor: Principal, *, disbursed_from: date, disbursed_through: date
) -> list[PortfolioFigures]:
    """The book per currency, and the loans disbursed between the two dates (inclusive)."""
    require(actor, VIEW)
    on_book = Loan.status.in_(ON_BOOK)
    at_risk = and_(on_book, Loan.days_past_due > PAR_DAYS)
    disbursed = and_(
        Loan.disbursement_date >= disbursed_from, Loan.disbursement_date <= disbursed_through
    )
    rows = uow.session.execute(
        select(
            Loan.currency,
            total(on_book, ONE),
            total(on_book, Loan.outstanding_principal_minor),
            total(at_risk, Loan.outstanding_principal_minor),
            total(disbursed, ONE),
            total(disbursed, Loan.principal_minor),
        )
        .where(scope_condition(actor, Loan), on_book | disbursed)
        .group_by(Loan.currency)
        .order_by(Loan.currency)
    ).all()
    return [
        PortfolioFigures(
            currency,
            int(active or 0),
            money(int(outstanding or 0), currency),
            money(int(risky or 0), currency),
            int(paid_out or 0),
            money(int(paid_out_principal or 0), currency),
        )
        for currency, active, outstanding, risky, paid_out, paid_out_principal in rows
    ]

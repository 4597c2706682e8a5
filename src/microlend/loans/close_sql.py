"""Shared SQL pieces of the loans' close of business: which loans take part, arrears, days."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Integer, Table, cast, func, literal
from sqlalchemy.types import Date

from microlend.db.uow import UnitOfWork
from microlend.loans.tables import Loan, LoanInstallment

OPEN_STATUSES = ("active", "overdue", "rescheduled")


def open_loans(company_id: int, id_low: int, id_high: int) -> list[ColumnElement[bool]]:
    """The loans of a partition that close of business works on."""
    return [
        Loan.company_id == company_id,
        Loan.id >= id_low,
        Loan.id <= id_high,
        Loan.status.in_(OPEN_STATUSES),
    ]


def arrears(i: type[LoanInstallment] = LoanInstallment) -> ColumnElement[int]:
    """Principal, interest and fee still owed on an installment (penalty apart; waivers netted
    through ``outstanding_minor``)."""
    return i.outstanding_minor - (i.penalty_due_minor - i.penalty_paid_minor)


def table(model: Any) -> Table:
    """A mapped class's table, typed for Core statements."""
    return cast_table(model.__table__)


def cast_table(value: Any) -> Table:
    assert isinstance(value, Table)
    return value


def rowcount(result: Any) -> int:
    """Rows an UPDATE or INSERT ... SELECT touched."""
    assert isinstance(result, CursorResult)
    return max(int(result.rowcount), 0)


def days_since(uow: UnitOfWork, day: date, column: Any) -> ColumnElement[int]:
    """Whole days from ``column`` to ``day`` (``day`` - ``column``) on either backend."""
    if uow.session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(day.isoformat()) - func.julianday(column), Integer)
    return cast(literal(day, Date) - column, Integer)

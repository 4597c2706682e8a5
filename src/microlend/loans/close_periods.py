"""The current period of each loan's schedule, kept in ``loan_close_state`` for the accrual.

Accrual on date D needs, per loan: the interest of the installments due by D, what of it is
unpaid, the current period (from the next installment's ``accrual_start``: the last due date by
D, or the disbursement date, unless a schedule was rebuilt from a later date, to the next due
date) with its installment's interest, and the oldest installment in arrears; and, for the loan's
summary columns (written by the accrual), the fee due and unpaid and what the period's
installment still owes (the next due amount). All of it changes
only when an installment falls due (D reaches the period's end) or when a command rewrites the
installments, and every command bumps ``loans.row_version``. So it is computed from the
installments once per period (or after a command) and kept with the ``row_version`` it was
computed at (``period_version``); on the other days the accrual reads one row per loan instead of
all its installments. Close of business's own writes to installments (status, penalty, days past
due) change none of these figures: penalty adds to ``penalty_due`` and ``outstanding`` alike,
which leaves the arrears as they were.

A loan without installments gets no period (and no accrual).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import ColumnElement, Update, and_, case, func, or_, select, update

from microlend.db.base import table
from microlend.db.uow import UnitOfWork
from microlend.loans.close_sql import (
    Bound,
    DayArg,
    arrears,
    in_range,
    installments_of,
    open_loans,
    positive,
    rowcount,
    unpaid,
)
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanCloseState

S = LoanCloseState


def current(day: DayArg) -> ColumnElement[bool]:
    """The loan's kept period holds for ``day`` (join ``Loan`` and ``LoanCloseState``)."""
    return and_(
        S.period_version == Loan.row_version,
        S.period_start <= day,
        or_(S.period_end.is_(None), S.period_end > day),
    )


def outdated(day: DayArg) -> ColumnElement[bool]:
    """``current`` is not true (none kept yet, a command since, or the period ended)."""
    return or_(
        S.period_version.is_(None),
        S.period_version != Loan.row_version,
        S.period_start > day,
        S.period_end <= day,
    )


def refresh_periods(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> int:
    """Compute the period of the range's open loans whose kept one does not hold for ``day``;
    how many were computed."""
    values = Bound.values(company_id, day, low, high)
    return rowcount(uow.session.connection().execute(_refresh(), values))  # Core: bound values


@cache
def _refresh() -> Update:
    """The statement of ``refresh_periods``, built once (``Bound`` parameters): building it took
    longer than running it for a small company's night."""
    company_id, day, low, high = Bound.company, Bound.day, Bound.low, Bound.high
    i = LoanInstallment
    due = i.due_date <= day
    stale = (
        *open_loans(company_id, low, high),
        *in_range(S.loan_id, low, high),
        S.loan_id == Loan.id,
        outdated(day),
    )
    per_loan = (
        select(
            i.loan_id,
            Loan.row_version,
            Loan.disbursement_date,
            func.sum(case((due, i.interest_due_minor), else_=0)).label("due_interest"),
            func.sum(case((due, positive(unpaid("interest", i))), else_=0)).label("owed"),
            func.max(case((due, i.due_date))).label("prev_due"),
            func.min(case((i.due_date > day, i.n))).label("next_n"),
            func.min(case((and_(due, arrears() > 0), i.due_date))).label("oldest"),
            func.sum(case((due, positive(unpaid("fee", i))), else_=0)).label("owed_fee"),
        )
        .where(*stale, *installments_of(company_id, low, high), i.loan_id == Loan.id)
        .group_by(i.loan_id, Loan.row_version, Loan.disbursement_date)
        .subquery("per_loan")
    )
    nxt = table(LoanInstallment).alias("nxt")
    periods = (
        select(
            per_loan,
            func.coalesce(
                nxt.c.accrual_start, per_loan.c.prev_due, per_loan.c.disbursement_date
            ).label("start"),
            nxt.c.due_date.label("end"),
            nxt.c.interest_due_minor.label("interest"),
            func.coalesce(nxt.c.outstanding_minor, 0).label("next_due"),
        )
        .outerjoin(nxt, and_(nxt.c.loan_id == per_loan.c.loan_id, nxt.c.n == per_loan.c.next_n))
        .subquery("periods")
    )
    p = periods.c
    return (
        update(S)
        .where(*in_range(S.loan_id, low, high), S.loan_id == p.loan_id)
        .values(
            period_version=p.row_version,
            period_start=p.start,
            period_end=p.end,
            period_interest=p.interest,
            due_interest_minor=p.due_interest,
            owed_interest_minor=p.owed,
            oldest_unpaid=p.oldest,
            owed_fee_minor=p.owed_fee,
            next_due_minor=p.next_due,
        )
    )

"""Delinquency (step DELINQUENCY), set-based: days past due per installment (business date -
due date while principal, interest or fee is unpaid; due date = day 0) and per loan (the oldest
unpaid installment's), with the loan's maximum. Only rows that change are written; a loan can be
past due only when it is overdue (due and overdue ran before), so only those and the ones still
showing days past due are looked at. The penalty step already wrote the figure on the
installments it charged; a loan's comes from its kept period (``close_periods``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Subquery, and_, case, func, or_, select, union_all, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_periods import current, outdated
from microlend.loans.close_sql import (
    arrears,
    by_index,
    days_between,
    in_range,
    installments_of,
    open_loans,
)
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanCloseState

Inst, S = LoanInstallment, LoanCloseState
NO_SYNC = {"synchronize_session": False}


def delinquency(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    with by_index(uow):
        s = uow.session
        watched = (  # the loans that can be past due, or still show it
            *open_loans(company_id, id_low, id_high),
            or_(Loan.status == "overdue", Loan.days_past_due != 0),
        )
        late = and_(Inst.due_date < day, arrears() > 0)
        new_dpd = case((late, days_between(uow.dialect, day, Inst.due_date)), else_=0)
        s.execute(
            update(Inst)
            .where(*installments_of(company_id, id_low, id_high), Inst.loan_id == Loan.id, *watched)
            .where(Inst.days_past_due != new_dpd)  # only the rows that change
            .values(days_past_due=new_dpd),
            execution_options=NO_SYNC,
        )
        worst = _worst(uow.dialect, company_id, day, id_low, id_high)
        s.execute(
            update(Loan)
            .where(*in_range(Loan.id, id_low, id_high), Loan.id == worst.c.loan_id)
            .where(or_(Loan.days_past_due != worst.c.dpd, Loan.max_days_past_due < worst.c.dpd))
            .values(
                days_past_due=worst.c.dpd,
                max_days_past_due=case(
                    (Loan.max_days_past_due < worst.c.dpd, worst.c.dpd),
                    else_=Loan.max_days_past_due,
                ),
            ),
            execution_options=NO_SYNC,
        )
        past_due = s.execute(
            select(func.count()).where(*watched, Loan.days_past_due > 0)
        ).scalar_one()
        return {"loans_past_due": int(past_due)}


def _worst(dialect: str, company_id: int, day: date, low: int, high: int) -> Subquery:
    """Per watched loan, its days past due: the oldest installment in arrears of its kept period
    (``close_periods``), or, where a command since made that stale, the installments' maximum."""
    watched = (
        *open_loans(company_id, low, high),
        or_(Loan.status == "overdue", Loan.days_past_due != 0),
        *in_range(S.loan_id, low, high),
        S.loan_id == Loan.id,
    )
    oldest = S.oldest_unpaid
    kept = select(
        Loan.id.label("loan_id"),
        case((oldest < day, days_between(dialect, day, oldest)), else_=0).label("dpd"),
    ).where(*watched, current(day))
    counted = (
        select(Loan.id.label("loan_id"), func.max(Inst.days_past_due).label("dpd"))
        .join(Inst, and_(Inst.loan_id == Loan.id, *installments_of(company_id, low, high)))
        .where(*watched, outdated(day))
        .group_by(Loan.id)
    )
    return union_all(kept, counted).subquery("worst")

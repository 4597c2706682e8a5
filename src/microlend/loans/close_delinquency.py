"""Delinquency (step DELINQUENCY), set-based: days past due per installment (business date -
due date while principal, interest or fee is unpaid; due date = day 0) and per loan (its
installments' maximum), with the loan's maximum ever, and the loan's overdue amount (what its
installments due before the date still owe, penalty included: the engine's
``Position.overdue_amount``). Only rows that change are written.

Only overdue loans are looked at (``ix_loans_overdue``): due and overdue ran before, and a loan
shows days past due or changes its overdue amount overnight only while it is overdue (a command
that brings a loan back to active writes its figures from the engine's position). The penalty
step already wrote the figure on the installments it charged."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Subquery, and_, case, cast, func, or_, select, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_sql import arrears, by_index, days_between, overdue_loans
from microlend.loans.tables import Loan, LoanInstallment

Inst = LoanInstallment
NO_SYNC = {"synchronize_session": False}


def delinquency(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    with by_index(uow):
        s = uow.session
        late = and_(Inst.due_date < day, arrears() > 0)
        new_dpd = case((late, days_between(uow.dialect, day, Inst.due_date)), else_=0)
        s.execute(
            update(Inst)
            .where(Inst.loan_id == Loan.id, *overdue_loans(company_id, id_low, id_high))
            .where(Inst.days_past_due != new_dpd)  # only the rows that change
            .values(days_past_due=new_dpd),
            execution_options=NO_SYNC,
        )
        worst = _worst(company_id, day, id_low, id_high).c
        s.execute(
            update(Loan)
            .where(*overdue_loans(company_id, id_low, id_high), Loan.id == worst.loan_id)
            .where(
                or_(
                    Loan.days_past_due != worst.dpd,
                    Loan.max_days_past_due < worst.dpd,
                    Loan.overdue_minor != worst.overdue,
                )
            )
            .values(
                days_past_due=worst.dpd,
                max_days_past_due=case(
                    (Loan.max_days_past_due < worst.dpd, worst.dpd),
                    else_=Loan.max_days_past_due,
                ),
                overdue_minor=worst.overdue,
            ),
            execution_options=NO_SYNC,
        )
        past_due = s.execute(
            select(func.count()).where(
                *overdue_loans(company_id, id_low, id_high), Loan.days_past_due > 0
            )
        ).scalar_one()
        return {"loans_past_due": int(past_due)}


def _worst(company_id: int, day: date, low: int, high: int) -> Subquery:
    """Per overdue loan: its installments' days past due (just written) and what those due
    before ``day`` still owe."""
    return (
        select(
            Loan.id.label("loan_id"),
            func.max(Inst.days_past_due).label("dpd"),
            cast(
                func.sum(case((Inst.due_date < day, Inst.outstanding_minor), else_=0)), BigInteger
            ).label("overdue"),
        )
        .join(Inst, Inst.loan_id == Loan.id)
        .where(*overdue_loans(company_id, low, high))
        .group_by(Loan.id)
        .subquery("worst")
    )

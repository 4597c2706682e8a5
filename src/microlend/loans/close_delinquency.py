"""Delinquency (step DELINQUENCY), set-based: days past due per installment (business date -
due date while principal, interest or fee is unpaid; due date = day 0) and per loan (the oldest
unpaid installment's), with the loan's maximum."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_sql import arrears, days_since, open_loans
from microlend.loans.tables import Loan, LoanInstallment

Inst = LoanInstallment


def delinquency(uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int) -> Counts:
    s = uow.session
    late = and_(Inst.due_date < day, arrears() > 0)
    new_dpd = case((late, days_since(uow, day, Inst.due_date)), else_=0)
    s.execute(
        update(Inst)
        .where(
            Inst.company_id == company_id,
            Inst.loan_id >= id_low,
            Inst.loan_id <= id_high,
            Inst.loan_id.in_(select(Loan.id).where(*open_loans(company_id, id_low, id_high))),
        )
        .where(Inst.days_past_due != new_dpd)  # only the rows that change
        .values(days_past_due=new_dpd),
        execution_options={"synchronize_session": False},
    )
    dpd = (
        select(func.coalesce(func.max(Inst.days_past_due), 0))
        .where(Inst.loan_id == Loan.id)
        .scalar_subquery()
    )
    s.execute(
        update(Loan).where(*open_loans(company_id, id_low, id_high)).values(days_past_due=dpd),
        execution_options={"synchronize_session": False},
    )
    s.execute(
        update(Loan)
        .where(
            *open_loans(company_id, id_low, id_high), Loan.days_past_due > Loan.max_days_past_due
        )
        .values(max_days_past_due=Loan.days_past_due),
        execution_options={"synchronize_session": False},
    )
    overdue = s.execute(
        select(func.count()).where(*open_loans(company_id, id_low, id_high), Loan.days_past_due > 0)
    ).scalar_one()
    return {"loans_past_due": int(overdue)}

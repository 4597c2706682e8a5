"""Due and overdue (step DUE_AND_OVERDUE), set-based, per range of loans.

Installments due today become ``due``; those past due with arrears become ``overdue`` and so
does their loan. The principal past due is carried in 130302 逾期贷款:
``loans.booked_overdue_principal_minor`` is brought to the unpaid principal of the installments
past due (the transfer of the day, + to overdue or - back, in ``loan_accruals``).

No statement reads all the range's installments: a loan in arrears is known from its kept period
(``close_periods``, brought up to date by the accrual), installments turn overdue only on
overdue loans, and only loans that are overdue or carry overdue principal can need a transfer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Subquery, and_, case, exists, func, or_, select, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_periods import current, outdated
from microlend.loans.close_sql import (
    arrears,
    by_index,
    in_range,
    installments_of,
    open_loans,
    rowcount,
)
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanAccrual, LoanCloseState

Inst, S = LoanInstallment, LoanCloseState
NO_SYNC = {"synchronize_session": False}


def due_and_overdue(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    with by_index(uow):
        s = uow.session
        due_today = rowcount(
            s.execute(
                update(Inst)
                .where(*installments_of(company_id, id_low, id_high), Inst.due_date == day)
                .where(Inst.status == "future", arrears() > 0, Inst.loan_id == Loan.id)
                .where(*open_loans(company_id, id_low, id_high))
                .values(status="due"),
                execution_options=NO_SYNC,
            )
        )
        new_overdue = rowcount(
            s.execute(
                update(Loan)
                .where(*open_loans(company_id, id_low, id_high), Loan.status != "overdue")
                .where(*in_range(S.loan_id, id_low, id_high), S.loan_id == Loan.id)
                .where(_late(company_id, day, id_low, id_high))
                .values(status="overdue"),
                execution_options=NO_SYNC,
            )
        )
        became = rowcount(
            s.execute(
                update(Inst)
                .where(*installments_of(company_id, id_low, id_high), Inst.loan_id == Loan.id)
                .where(*open_loans(company_id, id_low, id_high), Loan.status == "overdue")
                .where(Inst.due_date < day, Inst.status.in_(("future", "due")), arrears() > 0)
                .values(status="overdue"),
                execution_options=NO_SYNC,
            )
        )
        return {
            "installments_due": due_today,
            "installments_overdue": became,
            "new_overdue": new_overdue,
            "overdue_transfers": _transfer(uow, company_id, day, id_low, id_high),
        }


def _late(company_id: int, day: date, low: int, high: int) -> ColumnElement[bool]:
    """The loan (joined with its close state) has an installment past due in arrears: from its
    kept period (``close_periods``), or, where a command since made that stale, from its
    installments."""
    in_arrears = exists().where(
        *installments_of(company_id, low, high),
        Inst.loan_id == Loan.id,
        Inst.due_date < day,
        arrears() > 0,
    )
    return or_(
        and_(current(day), S.oldest_unpaid < day),
        and_(outdated(day), in_arrears),
    )


def _moves(company_id: int, day: date, low: int, high: int) -> Subquery:
    """Per loan whose booked overdue principal differs from the unpaid principal past due: the
    difference (the day's transfer). Read from the installments of the loans that are overdue or
    carry overdue principal (no other can need a transfer)."""
    unpaid = Inst.principal_due_minor - Inst.principal_paid_minor
    booked = Loan.booked_overdue_principal_minor
    wanted = func.sum(case((and_(Inst.due_date < day, unpaid > 0), unpaid), else_=0))
    return (
        select(Loan.id.label("loan_id"), (wanted - booked).label("amount"))
        .join(Inst, and_(Inst.loan_id == Loan.id, *installments_of(company_id, low, high)))
        .where(*open_loans(company_id, low, high), or_(Loan.status == "overdue", booked != 0))
        .group_by(Loan.id, booked)
        .having(wanted != booked)
        .subquery("moves")
    )


def _transfer(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> int:
    """Record the day's transfers on the loans' accrual rows, then book them on the loans."""
    moves, a = _moves(company_id, day, low, high), LoanAccrual
    recorded = rowcount(
        uow.session.execute(
            update(a)
            .where(a.company_id == company_id, a.business_date == day)
            .where(*in_range(a.loan_id, low, high), a.loan_id == moves.c.loan_id)
            .values(overdue_principal_minor=a.overdue_principal_minor + moves.c.amount),
            execution_options=NO_SYNC,
        )
    )
    moves = _moves(company_id, day, low, high)
    booked = rowcount(
        uow.session.execute(
            update(Loan)
            .where(*in_range(Loan.id, low, high), Loan.id == moves.c.loan_id)
            .values(
                booked_overdue_principal_minor=Loan.booked_overdue_principal_minor + moves.c.amount
            ),
            execution_options=NO_SYNC,
        )
    )
    if recorded != booked:  # the voucher would miss a transfer: reconciliation would fail
        raise RuntimeError(f"overdue transfer of {booked} loans, {recorded} accrual rows on {day}")
    return booked

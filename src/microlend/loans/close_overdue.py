"""Due and overdue (step DUE_AND_OVERDUE), set-based, per range of loans.

Installments due today become ``due``; those past due with arrears become ``overdue`` and so
does their loan. The principal past due is carried in 130302 逾期贷款:
``loans.booked_overdue_principal_minor`` is brought to the unpaid principal of the installments
past due (the transfer of the day, + to overdue or - back, in ``loan_accruals``).

No statement reads all the range's loans or installments: a loan in arrears is known from its
kept period (``close_periods``: the accrual, an earlier step over the same range, brought every
open loan's up to date; ``ix_loan_close_state_arrears`` holds the ones in arrears), installments
turn overdue only on overdue loans (``ix_loans_overdue``), and only loans that are overdue or
carry overdue principal (``ix_loans_booked_overdue``) can need a transfer, whose installments
are then read by loan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Subquery, bindparam, func, or_, select, update

from microlend.db.base import table
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_periods import current
from microlend.loans.close_sql import (
    OVERDUE,
    arrears,
    by_index,
    days_between,
    in_range,
    installments_of,
    open_loans,
    overdue_loans,
    rowcount,
    unpaid,
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
                .where(S.oldest_unpaid < day, current(day))  # ix_loan_close_state_arrears
                .values(status="overdue"),
                execution_options=NO_SYNC,
            )
        )
        became = rowcount(
            s.execute(
                update(Inst)
                .where(Inst.loan_id == Loan.id, *overdue_loans(company_id, id_low, id_high))
                .where(Inst.status.in_(("future", "due")), arrears() > 0)
                # past due, written so that no index on the due date offers itself: the
                # installments are read by loan, for the overdue loans alone
                .where(days_between(uow.dialect, day, Inst.due_date) > 0)
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


def _moves(company_id: int, day: date, low: int, high: int) -> Subquery:
    """Per loan whose booked overdue principal differs from the unpaid principal past due: the
    difference (the day's transfer). Only loans that are overdue or carry overdue principal can
    need one; their installments are read by loan (a correlated sum), not the range's."""
    principal = unpaid("principal")
    wanted = (
        select(func.coalesce(func.sum(principal), 0))
        .where(Inst.loan_id == Loan.id, Inst.due_date < day, principal > 0)
        .scalar_subquery()
    )
    booked = Loan.booked_overdue_principal_minor
    per_loan = (
        select(Loan.id.label("loan_id"), booked.label("booked"), wanted.label("wanted"))
        .where(
            *open_loans(company_id, low, high),
            or_(Loan.status == OVERDUE, Loan.carries_overdue_principal),
        )
        .subquery("overdue_principal")
    )
    c = per_loan.c
    return (
        select(c.loan_id, (c.wanted - c.booked).label("amount"))
        .where(c.wanted != c.booked)
        .subquery("moves")
    )


def _transfer(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> int:
    """The day's transfers (few: a loan moves principal only when an installment falls past due
    or is paid), read once, then written by loan to its accrual row and to the loan."""
    moves = uow.session.execute(select(_moves(company_id, day, low, high))).all()
    if not moves:
        return 0
    amounts = [{"k": int(loan_id), "amount": int(amount)} for loan_id, amount in moves]
    a, loan = table(LoanAccrual), table(Loan)
    recorded = rowcount(
        uow.session.execute(
            update(a)
            .where(a.c.loan_id == bindparam("k"), a.c.business_date == day)
            .values(overdue_principal_minor=a.c.overdue_principal_minor + bindparam("amount")),
            amounts,
            execution_options=NO_SYNC,
        )
    )
    uow.session.execute(
        update(loan)
        .where(loan.c.id == bindparam("k"))
        .values(
            booked_overdue_principal_minor=loan.c.booked_overdue_principal_minor
            + bindparam("amount")
        ),
        amounts,
        execution_options=NO_SYNC,
    )
    if recorded != len(amounts):  # the voucher would miss a transfer: reconciliation would fail
        raise RuntimeError(f"overdue transfer of {len(amounts)} loans, {recorded} rows on {day}")
    return len(amounts)

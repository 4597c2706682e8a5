"""Credit balances applied on due dates (溢缴款冲抵, step ``loans.apply_credit``, after penalty
and before the day's vouchers): a loan holding a credit balance (money paid ahead) with an
installment due and unpaid by the business date is brought to that date by the engine
(``account.bring_to``), as a command on that date would leave it: the credit is applied on the
due date, its voucher (Dr 224101) posts, the installments and the snapshot are refreshed. Days
past due and the next day's close then find the installment paid: a borrower who paid ahead is
never shown overdue, charged penalty or moved to 130302 because no command touched the loan.

Only loans with credit and something due are read (few: ``ix_loans_credit``), each locked and
brought forward one by one, as a command would. By then the day's accrual has booked the
interest through the date (close of business books what the engine has accrued at the start of
the date), so the credit collects it from 1132."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, select

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_sql import by_index, open_loans
from microlend.loans.close_vouchers import eod_principal
from microlend.loans.tables import Loan, LoanInstallment


def apply_credit(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    # imported here: the loan account imports the inline close, which runs these steps
    from microlend.loans.account import bring_to

    due = exists().where(
        LoanInstallment.loan_id == Loan.id,
        LoanInstallment.due_date <= day,
        LoanInstallment.outstanding_minor > 0,
    )
    with by_index(uow):  # ix_loans_credit: the range's loans holding credit alone
        found = uow.session.scalars(
            select(Loan)
            .where(*open_loans(company_id, id_low, id_high), Loan.holds_credit, due)
            .order_by(Loan.id)
            .with_for_update(of=Loan)
            .execution_options(populate_existing=True)  # the steps before wrote with Core
        ).all()
    if not found:
        return {"credit_applied": 0}
    actor = eod_principal(uow, company_id)
    for loan in found:
        bring_to(uow, actor, loan, day, now=now)
    uow.flush_staged()  # the steps after read the installments with set-based SQL
    return {"credit_applied": len(found)}

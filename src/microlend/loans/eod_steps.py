"""The loans context's close-of-business steps (docs/close-of-business.md), per range of loan
ids: interest accrual, due and overdue with the overdue-principal transfer, penalty interest,
credit balances applied on due dates, the day's vouchers, and days past due (set-based, but for
the few loans holding credit). Classification and provisions are risk's
(``risk/eod_steps.py``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from microlend.db.eod import ACCRUAL, DELINQUENCY, DUE_AND_OVERDUE, PENALTY, Step, id_range
from microlend.db.uow import UnitOfWork
from microlend.loans.close_accrual import accrue
from microlend.loans.close_credit import apply_credit
from microlend.loans.close_delinquency import delinquency
from microlend.loans.close_overdue import due_and_overdue
from microlend.loans.close_penalty import charge_penalty
from microlend.loans.close_vouchers import post_day
from microlend.loans.records import money
from microlend.loans.tables import Loan


def loan_bounds(uow: UnitOfWork, company_id: int, business_date: date) -> tuple[int, int] | None:
    """Every loan of the company (closed ones too: their risk rows are cleared)."""
    return id_range(uow, Loan.id, Loan.company_id == company_id)


STEPS = [
    Step.partitioned("loans.accrue", ACCRUAL, run=accrue, bounds=loan_bounds),
    Step.partitioned(
        "loans.due_and_overdue", DUE_AND_OVERDUE, run=due_and_overdue, bounds=loan_bounds
    ),
    Step.partitioned("loans.penalty", PENALTY, run=charge_penalty, bounds=loan_bounds),
    Step.partitioned("loans.apply_credit", PENALTY + 2, run=apply_credit, bounds=loan_bounds),
    Step.company("loans.post_vouchers", PENALTY + 5, run=post_day),
    Step.partitioned("loans.delinquency", DELINQUENCY, run=delinquency, bounds=loan_bounds),
]


def subledger_balances(uow: UnitOfWork, company_id: int, as_of: date) -> dict[str, Decimal]:
    """Loans outstanding (1303, performing and overdue), interest, fees and penalty receivable
    booked (1132, 122101, 122102), the borrowers' credit balances (224101, a liability:
    negative) and interest kept off balance (7001, written-off loans' too), from the loans' rows
    (company currency)."""
    on_books = Loan.status != "written_off"
    principal, interest, fee, penalty, credit, memo = uow.session.execute(
        select(
            func.coalesce(func.sum(Loan.outstanding_principal_minor).filter(on_books), 0),
            func.coalesce(func.sum(Loan.booked_interest_minor).filter(on_books), 0),
            func.coalesce(func.sum(Loan.booked_fee_minor).filter(on_books), 0),
            func.coalesce(func.sum(Loan.booked_penalty_minor).filter(on_books), 0),
            func.coalesce(func.sum(Loan.credit_balance_minor), 0),
            func.coalesce(func.sum(Loan.off_balance_interest_minor), 0),
        ).where(Loan.company_id == company_id, Loan.disbursement_date <= as_of)
    ).one()
    return {
        "1303": money(int(principal)),
        "1132": money(int(interest)),
        "122101": money(int(fee)),
        "122102": money(int(penalty)),
        "224101": -money(int(credit)),
        "7001": money(int(memo)),
    }

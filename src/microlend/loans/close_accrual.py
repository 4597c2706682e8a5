"""Interest accrual (利息计提), step ACCRUAL of close of business, for one range of loan ids.

Per loan, ``interest earned`` on date D is the schedule's interest of the installments due by D
plus the current period's interest accrued to D (``interest x days(start, D) / days(start, end)``
with the terms' day count and rounding: docs/loan-engine.md), so on each due date the total
accrued is exactly the installments' interest. The day's accrual is earned(D) minus what was
earned before (``loan_close_state.interest_earned_minor``), so a missed day is caught up and a
re-run adds nothing; ``loan_accruals`` (unique per loan and date) records it.

To income (Dr 1132 / Cr 6011, ``loans.booked_interest_minor``) goes at most what is still owed
and earned (interest paid in cash before close of business, e.g. on the due date itself, is
income already). Past 90 DPD the loan is non-accrual (非应计): the accrual is kept off balance
(表外, memo accounts) and the ledger's income is untouched.

One SQL statement aggregates each loan's installments; the day-count fraction is computed per
row of that result (no ORM objects, no engine replay); writes are bulk statements.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans.close_sql import arrears, open_loans, table
from microlend.loans.close_state import ensure_states
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanAccrual, LoanCloseState

NON_ACCRUAL_ABOVE = 90
CHUNK = 5_000


def _rows(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> list[object]:
    i = LoanInstallment
    due = i.due_date <= day
    nxt = table(LoanInstallment).alias("nxt")
    next_due = func.min(case((i.due_date > day, i.due_date)))
    stmt = (
        select(
            Loan.id,
            Loan.office_id,
            Loan.product_code,
            Loan.currency,
            Loan.disbursement_date,
            Loan.booked_interest_minor,
            LoanCloseState.day_count,
            LoanCloseState.rounding,
            LoanCloseState.interest_earned_minor,
            func.sum(case((due, i.interest_due_minor), else_=0)).label("due_interest"),
            func.sum(
                case(
                    (
                        and_(due, i.interest_due_minor > i.interest_paid_minor),
                        i.interest_due_minor - i.interest_paid_minor,
                    ),
                    else_=0,
                )
            ).label("owed"),
            func.max(case((due, i.due_date))).label("prev_due"),
            next_due.label("next_due"),
            func.min(case((and_(i.due_date < day, arrears() > 0), i.due_date))).label("oldest"),
        )
        .join(LoanCloseState, LoanCloseState.loan_id == Loan.id)
        .join(i, i.loan_id == Loan.id)
        .where(*open_loans(company_id, low, high), Loan.disbursement_date <= day)
        .where(
            ~select(LoanAccrual.id)
            .where(LoanAccrual.loan_id == Loan.id, LoanAccrual.business_date == day)
            .exists()
        )
        .group_by(
            Loan.id,
            Loan.office_id,
            Loan.product_code,
            Loan.currency,
            Loan.disbursement_date,
            Loan.booked_interest_minor,
            LoanCloseState.day_count,
            LoanCloseState.rounding,
            LoanCloseState.interest_earned_minor,
        )
        .subquery()
    )
    nxt_interest = (
        select(nxt.c.interest_due_minor)
        .where(nxt.c.loan_id == stmt.c.id, nxt.c.due_date == stmt.c.next_due)
        .scalar_subquery()
    )
    return list(uow.session.execute(select(stmt, nxt_interest.label("next_interest"))).all())


def accrued_minor(
    interest: int, start: date, end: date, day: date, day_count: DayCount, rounding: Rounding
) -> int:
    """The current period's interest (minor units) accrued from ``start`` to ``day``."""
    if day <= start or interest <= 0:
        return 0
    period = day_count.days(start, end)
    elapsed = day_count.days(start, day)
    if period <= 0 or elapsed >= period:
        return interest
    return int((Decimal(interest) * elapsed / period).quantize(Decimal(1), rounding=rounding.mode))


def accrue(uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int) -> Counts:
    ensure_states(uow, company_id, id_low, id_high)
    records: list[dict[str, object]] = []
    non_accrual = 0
    for r in _rows(uow, company_id, day, id_low, id_high):
        row = r._mapping  # type: ignore[attr-defined]
        current = 0
        if row["next_due"] is not None and row["next_interest"] is not None:
            start = row["prev_due"] or row["disbursement_date"]
            current = accrued_minor(
                int(row["next_interest"]),
                start,
                row["next_due"],
                day,
                DayCount(row["day_count"]),
                Rounding(row["rounding"]),
            )
        earned = int(row["due_interest"] or 0) + current
        delta = earned - int(row["interest_earned_minor"])
        dpd = (day - row["oldest"]).days if row["oldest"] is not None else 0
        income = off = 0
        if delta > 0 and dpd > NON_ACCRUAL_ABOVE:
            off, non_accrual = delta, non_accrual + 1
        elif delta > 0:
            room = int(row["owed"] or 0) + current - int(row["booked_interest_minor"])
            income = max(0, min(delta, room))
        records.append(
            {
                "company_id": company_id,
                "office_id": row["office_id"],
                "loan_id": row["id"],
                "business_date": day,
                "product_code": row["product_code"],
                "currency": row["currency"],
                "earned_minor": delta,
                "interest_minor": income,
                "off_balance_minor": off,
                "penalty_minor": 0,
                "overdue_principal_minor": 0,
                "voucher_key": None,
            }
        )
    for start in range(0, len(records), CHUNK):
        uow.session.execute(table(LoanAccrual).insert(), records[start : start + CHUNK])
    _apply(uow, company_id, day, id_low, id_high)
    return {
        "loans": len(records),
        "interest_minor": sum(int(r["interest_minor"]) for r in records),  # type: ignore[call-overload]
        "non_accrual": non_accrual,
    }


def _apply(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> None:
    """Add the day's rows to the loans' booked interest and the running totals, set-based, once
    (``loan_close_state.accrued_through`` marks the loans done)."""
    a, s = LoanAccrual, LoanCloseState
    todo = (
        a.business_date == day,
        a.company_id == company_id,
        a.loan_id >= low,
        a.loan_id <= high,
        or_(s.accrued_through.is_(None), s.accrued_through < day),
    )
    uow.session.execute(
        update(Loan)
        .where(a.loan_id == Loan.id, s.loan_id == Loan.id, a.interest_minor != 0, *todo)
        .values(booked_interest_minor=Loan.booked_interest_minor + a.interest_minor),
        execution_options={"synchronize_session": False},
    )
    uow.session.execute(
        update(s)
        .where(a.loan_id == s.loan_id, *todo)
        .values(
            interest_earned_minor=s.interest_earned_minor + a.earned_minor,
            off_balance_minor=s.off_balance_minor + a.off_balance_minor,
            accrued_through=day,
        ),
        execution_options={"synchronize_session": False},
    )

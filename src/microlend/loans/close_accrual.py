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
(表外, memo accounts, ``loans.off_balance_interest_minor``), and the interest booked before and
still unpaid is taken back out of income and kept off balance with it (冲减利息收入，转作表外核算:
the row's ``interest_minor`` is then negative, the booked interest, and its ``off_balance_minor``
holds it), so a non-accruing loan carries no interest receivable.

Set-based: the loans' current periods are brought up to date (``close_periods``: the
installments are read only for the loans whose period ended or whose schedule a command
rewrote), then ``INSERT ... SELECT`` of the day's rows from the loans and their close state (the
day count and rounding in SQL: ``close_sql``), then the loans' booked interest and the close
state's running totals from those rows. ``accrued_minor`` is the same rule in Python, for
tests.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Insert,
    Subquery,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans.close_periods import current, refresh_periods
from microlend.loans.close_sql import (
    Bound,
    DayArg,
    Expr,
    IdArg,
    by_index,
    day_count_days,
    days_between,
    divide_rounded,
    in_range,
    keep_statistics,
    layer,
    open_loans,
    positive,
)
from microlend.loans.close_state import ensure_states
from microlend.loans.close_vouchers import company_mark
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanAccrual, LoanCloseState

NON_ACCRUAL_ABOVE = 90
ROW_COLUMNS = [
    "company_id", "office_id", "loan_id", "business_date", "product_code", "currency",
    "earned_minor", "interest_minor", "off_balance_minor", "penalty_minor",
    "overdue_principal_minor", "voucher_key",
]  # fmt: skip


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


def current_interest_sql(
    interest: Expr[int],
    start: Expr[date],
    day: DayArg,
    period: Expr[int],
    elapsed: Expr[int],
    rounding: Expr[str],
) -> ColumnElement[int]:
    """``accrued_minor`` in SQL, from the period's and the elapsed days (``interest`` NULL: no
    current period, 0)."""
    return case(
        (or_(interest.is_(None), interest <= 0, start >= day), 0),
        (or_(period <= 0, elapsed >= period), interest),
        (elapsed <= 0, 0),
        else_=divide_rounded(interest * elapsed, period, rounding),
    )


def _loans(dialect: str, company_id: IdArg, day: DayArg, low: IdArg, high: IdArg) -> Subquery:
    """The loans to accrue today, with their conventions, their current period
    (``close_periods``) and days past due."""
    s, oldest = LoanCloseState, LoanCloseState.oldest_unpaid
    return (
        select(
            Loan.company_id,
            Loan.office_id,
            Loan.id.label("loan_id"),
            Loan.product_code,
            Loan.currency,
            Loan.booked_interest_minor.label("booked"),
            s.interest_earned_minor.label("earned_before"),
            s.day_count,
            s.rounding,
            s.due_interest_minor.label("due_interest"),
            s.owed_interest_minor.label("owed"),
            s.period_start.label("start"),
            s.period_end.label("end"),
            s.period_interest.label("interest"),
            case((oldest < day, days_between(dialect, day, oldest)), else_=0).label("dpd"),
        )
        .where(*open_loans(company_id, low, high), Loan.disbursement_date <= day)
        .where(*in_range(s.loan_id, low, high), s.loan_id == Loan.id, current(day))
        .where(or_(s.accrued_through.is_(None), s.accrued_through < day))
        .subquery("loans_due")
    )


def _day_rows(dialect: str, company_id: IdArg, day: DayArg, low: IdArg, high: IdArg) -> CTE:
    """Per loan: what is earned by today and not before (``delta``), and the room left for
    income. Built in materialised layers, each naming its columns: inlined, the day count and
    rounding expressions would be copied into every reference (planning alone took longer than
    the work)."""
    loans = _loans(dialect, company_id, day, low, high)
    c = loans.c
    days = layer(
        select(
            loans,
            day_count_days(dialect, c.day_count, c.start, c.end).label("period"),
            day_count_days(dialect, c.day_count, c.start, day).label("elapsed"),
        ),
        "accrual_days",
    )
    d = days.c
    current = current_interest_sql(d.interest, d.start, day, d.period, d.elapsed, d.rounding)
    return layer(
        select(
            days,
            (d.due_interest + current - d.earned_before).label("delta"),
            (d.owed + current - d.booked).label("room"),
        ),
        "accrual_rows",
    )


def accrue(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    with by_index(uow):
        ensure_states(uow, company_id, id_low, id_high)
        refresh_periods(uow, company_id, day, id_low, id_high)
        uow.session.connection().execute(  # Core: the ORM would take the parameters for a row
            _insert_rows(uow.dialect),
            Bound.values(company_id, day, id_low, id_high, p_mark=company_mark(day)),
        )
        counts = _apply(uow, company_id, day, id_low, id_high)
        keep_statistics(uow, "loan_accruals", "loan_close_state")
        return counts


@cache
def _insert_rows(dialect: str) -> Insert:
    """``INSERT ... SELECT`` of the partition's rows of the day (``Bound`` parameters)."""
    r = _day_rows(dialect, Bound.company, Bound.day, Bound.low, Bound.high).c
    late = r.dpd > NON_ACCRUAL_ABOVE
    income = case(
        (and_(r.delta > 0, ~late), case((r.room < r.delta, positive(r.room)), else_=r.delta)),
        else_=0,
    )
    moved = case((late, positive(r.booked)), else_=0)  # booked interest of a late loan: off
    rows = select(
        r.company_id,
        r.office_id,
        r.loan_id,
        Bound.day,
        r.product_code,
        r.currency,
        r.delta,
        income - moved,
        case((and_(r.delta > 0, late), r.delta), else_=0) + moved,
        literal(0, BigInteger),
        literal(0, BigInteger),
        Bound.mark,
    )
    return insert(LoanAccrual).from_select(ROW_COLUMNS, rows)


def loan_summary(s: type[LoanCloseState], a: type[LoanAccrual]) -> dict[str, Any]:
    """The loan's summary columns the accrual keeps true (what ``account_store.refresh`` writes
    from the engine's position), from its kept period (``close_periods``) and the day's row,
    before the close state takes the row: the interest owed (due by the period's start and
    unpaid) plus the current period's accrued (``earned by today - due by the period's start``),
    the fee owed, and the next installment's date and what it still owes."""
    return {
        "outstanding_interest_minor": s.owed_interest_minor
        + s.interest_earned_minor
        + a.earned_minor
        - s.due_interest_minor,
        "outstanding_fee_minor": func.coalesce(s.owed_fee_minor, 0),
        "next_due_date": s.period_end,
        "next_due_minor": func.coalesce(s.next_due_minor, 0),
    }


def _apply(uow: UnitOfWork, company_id: int, day: date, low: int, high: int) -> Counts:
    """Add the day's rows to the loans' booked interest and the running totals, set-based, once
    (``loan_close_state.accrued_through`` marks the loans done). Returns the loans accrued, the
    interest booked and the loans kept off balance (a ``WITH ... INSERT`` has no row count on
    SQLite's driver)."""
    a, s = LoanAccrual, LoanCloseState
    todo = (
        a.company_id == company_id,
        a.business_date == day,
        *in_range(a.loan_id, low, high),
        *in_range(s.loan_id, low, high),
        or_(s.accrued_through.is_(None), s.accrued_through < day),
    )
    loans, income, off = uow.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(a.interest_minor), 0),
            func.coalesce(func.sum(case((a.off_balance_minor > 0, 1), else_=0)), 0),
        ).where(a.loan_id == s.loan_id, *todo)
    ).one()
    if not loans:
        return {"loans": 0}
    summary = loan_summary(s, a)
    uow.session.execute(
        update(Loan)
        .where(a.loan_id == Loan.id, s.loan_id == Loan.id, *todo)
        .where(*in_range(Loan.id, low, high))
        .where(
            or_(
                a.interest_minor != 0,
                a.off_balance_minor != 0,
                *(getattr(Loan, name).is_distinct_from(value) for name, value in summary.items()),
            )
        )
        .values(
            booked_interest_minor=Loan.booked_interest_minor + a.interest_minor,
            off_balance_interest_minor=Loan.off_balance_interest_minor + a.off_balance_minor,
            **summary,
        ),
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
    return {"loans": int(loans), "interest_minor": int(income), "non_accrual": int(off)}

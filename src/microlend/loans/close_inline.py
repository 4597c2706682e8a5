"""Inline close of business for one loan (DESIGN 8, issue 8): a command that locks a loan whose
close of business is behind the company's first closes the loan's missed days, in the command's
transaction, so that no command works on stale balances (booked interest, overdue principal and
penalty, days past due).

**Missed dates.** For an open loan (active, overdue, rescheduled: the loans' close of business
works on no other), with ``B`` the company's business date:

* the loan is closed through ``L`` = ``loan_close_state.accrued_through`` (the accrual step sets
  it for every loan it closes); with no state yet (or none accrued), ``L`` = the day before the
  disbursement date;
* the company is closed through ``B - 1`` (close of business advances ``B`` only after closing
  every loan);
* a date ``d`` with ``L < d <= B - 1`` is missed if the company's close of business ran on it,
  i.e. the company has accrual rows (``loan_accruals``) for ``d``. Days the business date was
  moved past without a close of business (the demo's older history, test set-ups) are nobody's
  missed days: the next nightly run catches every loan up in one day, this one too.

The nightly run closes every open loan before the date moves, so normally nothing is missed:
``loans.account.lock_loans`` reads ``accrued_through`` with the lock and calls in here only for a
loan that may be behind; ``missed_dates`` then costs one query (two when the company closed none
of the days either). A loan falls behind when it was disbursed back-dated into closed days, or a
close of business left it out.

**Closing them.** For each missed date, oldest first: the loans context's partitioned steps
(``loans.eod_steps.STEPS`` in run order: accrual, due and overdue, penalty, delinquency) with
``id_low = id_high`` = the loan, then the loan's vouchers of that date
(``close_vouchers.post_day(..., loan_id=...)``: per-loan keys, the rows marked), so the nightly
run posts nothing twice. Classification and provisions belong to risk, a context above loans:
the next nightly run classifies the loan on its date, as it does every loan.

**Beside a running nightly run.** The nightly run closes the business date ``B``; an inline close
closes only dates before ``B``, so the two never close the same day of a loan. The one row both
may create is the loan's ``loan_close_state`` (a loan booked back-dated while the run is on): the
accrual step inserts it ``ON CONFLICT DO NOTHING``, having waited (through the row's foreign key)
for the command's lock on the loan, and then reads the state the command committed
(tests/integration/test_close_inline_race.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from microlend.db.uow import UnitOfWork
from microlend.loans import eod_steps
from microlend.loans.close_sql import OPEN_STATUSES
from microlend.loans.close_vouchers import post_day
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanAccrual, LoanCloseState
from microlend.orgs.tables import Company


def missed_dates(uow: UnitOfWork, loan: Loan) -> list[date]:
    """The business dates the company closed and this loan was not closed on, oldest first."""
    if loan.status not in OPEN_STATUSES:
        return []
    today, closed_through = uow.session.execute(
        select(Company.business_date, LoanCloseState.accrued_through)
        .select_from(Company)
        .outerjoin(LoanCloseState, LoanCloseState.loan_id == loan.id)
        .where(Company.id == loan.company_id)
    ).one()
    last = today - timedelta(days=1)
    start = (
        closed_through + timedelta(days=1) if closed_through is not None else loan.disbursement_date
    )
    if start > last:
        return []  # the usual case: closed through yesterday
    company_days = (LoanAccrual.company_id == loan.company_id,)
    first = uow.session.scalar(
        select(func.min(LoanAccrual.business_date)).where(
            *company_days, LoanAccrual.business_date >= start, LoanAccrual.business_date <= last
        )
    )
    if first is None:
        return []  # the company closed none of those days either
    days = []
    day = first
    while day <= last:
        if day == first or _closed(uow, loan.company_id, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _closed(uow: UnitOfWork, company_id: int, day: date) -> bool:
    found = uow.session.scalar(
        select(LoanAccrual.id)
        .where(LoanAccrual.company_id == company_id, LoanAccrual.business_date == day)
        .limit(1)
    )
    return found is not None


def close_missed_days(uow: UnitOfWork, loan: Loan, *, now: datetime) -> list[date]:
    """Close the loan's missed dates (``missed_dates``) in the caller's transaction; the dates
    closed. ``loan`` (locked by the caller) is reloaded when anything was closed."""
    days = missed_dates(uow, loan)
    if not days:
        return []
    steps = sorted(
        (step for step in eod_steps.STEPS if step.kind == "partitioned"),
        key=lambda step: (step.order, step.code),
    )
    uow.session.flush()  # the steps are set-based SQL: they read the rows, not the session
    for day in days:
        for step in steps:
            step.run(uow, loan.company_id, day, loan.id, loan.id, now=now)
        post_day(uow, loan.company_id, day, now=now, loan_id=loan.id)
    _reload(uow, loan)
    return days


def _reload(uow: UnitOfWork, loan: Loan) -> None:
    """The steps wrote with Core statements: read the loan again, forget its installments and
    state the session may hold."""
    for held in list(uow.session.identity_map.values()):
        if isinstance(held, LoanInstallment | LoanCloseState) and held.loan_id == loan.id:
            uow.session.expire(held)
    uow.session.refresh(loan)

"""Penalty interest (罚息) accrued night by night, in closed form between two dates.

* Rate: the annual rate in force (the contract's, or a reschedule's) x ``penalty.multiplier``,
  per day: / the day count's year (360 for the 30/360 family and ACT/360, 365 for ACT/365F and
  ACT/ACT).
* Days: actual calendar days. An installment's penalty accrues for every night from its due date
  on (day 0 = due date; the first penalty day is the day after), on the base outstanding at the
  end of that day, i.e. after the payments of that day. A payment with value date D pays the
  penalty of D - due date days.
* Each day's penalty is rounded on its own (日罚息 = 罚息基数 x 日罚息利率, to the fen), so a day's
  figure never depends on when events happen to fall; between two events the base is constant
  and the penalty of n nights is n x the rounded daily amount.
* Grace (``grace_days`` = N): penalty of the nights in the grace is held apart; if the base is
  cleared by the end of day due + N, it is dropped (no penalty at all); if not, it is charged
  with the night of day due + N, counting from day 1 (the whole overdue period, 从逾期第一天起).
* Compound (复利): with ``compound`` the overdue interest is added to the base (on the
  ``overdue_principal`` base; the ``overdue_installment`` base already includes it).
"""

from __future__ import annotations

from datetime import date, timedelta

from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.book import LoanBook, Row


def accrue_nights(book: LoanBook, row: Row, start: date, end: date) -> None:
    """Accrue the penalty of the nights ``start`` .. ``end`` - 1 on ``row`` (base constant)."""
    first = max(start, row.due_date)
    if first >= end:
        return
    contract = book.contract
    terms = contract.penalty
    base = row.penalty_base(terms.base, terms.compound)
    daily = contract.round(base * book.penalty_daily_rate) if base > 0 else base * 0
    grace_end = row.due_date + timedelta(days=terms.grace_days)
    in_grace = max(0, (min(end, grace_end) - first).days)
    after = (end - first).days - in_grace
    row.penalty_in_grace += daily * in_grace
    if after > 0:
        row.charged[Component.PENALTY] += row.penalty_in_grace + daily * after
        row.penalty_in_grace = daily * 0


def forgive_grace_penalty(book: LoanBook) -> None:
    """Drop the grace-period penalty of every installment whose base is now cleared."""
    terms = book.contract.penalty
    for row in book.open_rows(book.today):
        if row.penalty_in_grace and row.penalty_base(terms.base, terms.compound) <= 0:
            row.penalty_in_grace = row.penalty_in_grace * 0

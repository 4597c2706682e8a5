"""Contract interest accrued but not yet due (应计未到期利息), for a date.

The interest of the current period (the first installment not yet due) accrues in proportion to
the days elapsed, counted with the terms' day count: ``interest x days(start, D) / days(start,
end)``, rounded with the terms' rounding. On the due date it reaches the installment's interest
exactly, so daily accrual (close of business) posts the difference between two dates and the
sum of the days is the scheduled interest.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.book import LoanBook, Row


def current_row(book: LoanBook, day: date) -> Row | None:
    """The installment whose period runs on ``day`` (the first not yet due), if any."""
    for row in book.rows:
        if row.due_date > day:
            return row
    return None


def accrued_interest(book: LoanBook, row: Row, day: date) -> Decimal:
    """``row``'s interest accrued from its period's start to ``day`` (not yet due)."""
    interest = row.charged[Component.INTEREST]
    if day <= row.accrual_start or interest <= 0:
        return interest * 0
    count = book.contract.terms.day_count.days
    period = count(row.accrual_start, row.accrual_end)
    elapsed = count(row.accrual_start, day)
    if period <= 0 or elapsed >= period:
        return interest
    return book.contract.round(interest * elapsed / period)

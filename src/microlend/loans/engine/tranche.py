"""Later tranches of a loan paid out in parts (分次放款).

The contract starts with the first tranche (``terms.principal`` on the disbursement date). A
``Tranche`` on date T adds its amount to the principal not yet due and the calculator rebuilds
the installments not yet due over the same due dates (the same count, the same method, rate and
conventions; per-installment fees at their amounts). The first of them runs from T; the interest
the old principal earned from its period's start to T is added to it, and it accrues over the
whole period, so nothing earned before T is lost and nothing falls due on T. A tranche after the
last due date has no installment to go into and is refused. The money was paid out, though, so
when a back-dated change later leaves an accepted tranche with nothing ahead of it (an earlier
payment now settles the loan before T), the replay still lends it: one installment a period
after T on the tranche's amount (as a reschedule the calculator refuses falls back to one), and
the posting says the tranche would be refused if posted now (``refused``).
"""

from __future__ import annotations

from microlend.kernel.errors import Refusal
from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.accrual import accrued_interest
from microlend.loans.engine.book import ZERO, LoanBook, Posting, Row
from microlend.loans.engine.events import EventKind, Tranche
from microlend.loans.engine.prepayment import spread

AFTER_THE_LAST = Refusal("is after the last due date", field="value_date")


def apply_tranche(book: LoanBook, event: Tranche) -> Posting:
    day = event.value_date
    kept = [row for row in book.rows if row.due_date <= day]
    future = [row for row in book.rows if row.due_date > day]
    if future:
        current = future[0]
        earned = accrued_interest(book, current, day)
        principal = sum((r.charged[Component.PRINCIPAL] for r in future), ZERO) + event.amount
        schedule = spread(book.terms, principal, day, current, len(future))
        rebuilt = [Row.of(0, i) for i in schedule.installments]
        rebuilt[0].charged[Component.INTEREST] += earned
        rebuilt[0].accrual_start = current.accrual_start
    else:  # only in a replay: posted now, it is refused (``check_posting``)
        principal = event.amount
        rebuilt = [Row.of(0, i) for i in spread(book.terms, principal, day, None, 1).installments]
    book.replace_rows([*kept, *rebuilt])
    return Posting(
        event_id=event.event_id,
        kind=EventKind.TRANCHE,
        value_date=day,
        sequence=event.sequence,
        cash_in=ZERO,
        cash_out=ZERO,
        lines=(),
        credit_change=ZERO,
        new_principal=principal,
        disbursed=event.amount,
        refused=None if future else AFTER_THE_LAST,
    )

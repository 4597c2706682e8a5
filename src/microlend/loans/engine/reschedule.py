"""Rescheduling and restructuring (展期 / 重组): a new schedule for what is not yet due; and
acceleration (宣布提前到期), which calls it all due instead.

On the value date R, the interest of the current period accrued to R becomes due on R (a
settlement installment), so nothing earned is lost. With ``capitalise_arrears`` everything owed
on R (past-due and due principal, interest, fee and penalty, that accrued interest included) is
capitalised: it is settled on its installment and added to the new principal (the posting's
lines say what, per installment and component, for the voucher). Without it, the arrears stay
where they are and keep bearing penalty. The principal not yet due (plus what was capitalised)
is then spread by the calculator from R: the contract's terms with the event's term, rate,
method, first due date and principal grace; per-installment fees kept at their amounts. The new
rate is also the penalty's contract rate from then on. The loan is flagged restructured.

A reschedule the calculator refuses is refused when posted; if a back-dated change later makes
it impossible (say, too little principal left for its term), the replay spreads the principal
over a single installment and says so in the posting's ``refused``.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from microlend.kernel.errors import Refusal, ValidationFailed
from microlend.loans.calculator.schedule import build_schedule
from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.accrual import accrued_interest
from microlend.loans.engine.book import COMPONENTS, ZERO, AllocationLine, LoanBook, Posting, Row
from microlend.loans.engine.events import Acceleration, EventKind, Reschedule
from microlend.loans.engine.penalty import forgive_grace_penalty
from microlend.loans.engine.prepayment import fixed_installment_fees


def settled_on(book: LoanBook, day: date) -> tuple[list[Row], Decimal]:
    """The rows due by ``day`` and, if any falls due after it, a settlement row due on ``day``
    with the interest of the current period accrued to it; and the principal of the rows after
    ``day``, which the caller spreads anew (a reschedule) or calls due (an acceleration)."""
    kept = [row for row in book.rows if row.due_date <= day]
    future = [row for row in book.rows if row.due_date > day]
    if future:
        current = future[0]
        settlement = Row(current.n, day, current.accrual_start, day, settlement=True)
        settlement.charged[Component.INTEREST] = accrued_interest(book, current, day)
        kept.append(settlement)
    return kept, sum((row.charged[Component.PRINCIPAL] for row in future), ZERO)


def apply_acceleration(book: LoanBook, event: Acceleration) -> Posting:
    """The loan called due on the event's date (``events.Acceleration``): the settlement row
    due that day takes all the principal not yet due; nothing comes after it."""
    day = event.value_date
    kept, principal = settled_on(book, day)
    if principal > 0:
        kept[-1].charged[Component.PRINCIPAL] += principal
        book.replace_rows(kept)
    return Posting(
        event_id=event.event_id,
        kind=EventKind.ACCELERATION,
        value_date=day,
        sequence=event.sequence,
        cash_in=ZERO,
        cash_out=ZERO,
        lines=(),
        credit_change=ZERO,
        new_principal=principal,
    )


def apply_reschedule(book: LoanBook, event: Reschedule) -> Posting:
    day = event.value_date
    kept, principal = settled_on(book, day)
    lines: list[AllocationLine] = []
    if event.capitalise_arrears:
        for row in kept:
            for component in COMPONENTS:
                owed = row.outstanding(component)
                if owed > 0:
                    row.capitalised[component] += owed
                    principal += owed
                    lines.append(
                        AllocationLine(row.n, row.due_date, row.bucket(day), component, owed)
                    )
        forgive_grace_penalty(book)
    rebuilt: list[Row] = []
    refused: Refusal | None = None
    if principal > 0:
        terms = dataclasses.replace(
            book.terms,
            principal=principal,
            annual_rate=book.terms.annual_rate if event.annual_rate is None else event.annual_rate,
            method=book.terms.method if event.method is None else event.method,
            disbursement_date=day,
            first_due_date=event.first_due_date,
            term=event.term,
            grace_principal_periods=event.grace_principal_periods,
            grace_interest_periods=0,
            installment_multiple=None,
            fees=fixed_installment_fees(book.terms),
        )
        try:
            schedule = build_schedule(terms)
        except ValidationFailed as error:  # only after a back-dated change: post() refuses it
            refused = Refusal.of(error)  # its template: the page shows it translated
            terms = dataclasses.replace(terms, term=1, grace_principal_periods=0)
            schedule = build_schedule(terms)
        rebuilt = [Row.of(0, i) for i in schedule.installments]
        book.terms = terms
        book.replace_rows([*kept, *rebuilt])
        book.rescheduled = True
    return Posting(
        event_id=event.event_id,
        kind=EventKind.RESCHEDULE,
        value_date=day,
        sequence=event.sequence,
        cash_in=ZERO,
        cash_out=ZERO,
        lines=tuple(lines),
        credit_change=ZERO,
        new_principal=principal if rebuilt else ZERO,
        refused=refused,
    )

"""Replay: the account rebuilt from its contract and its events, as of a date.

Events are applied in value-date order, then by posting sequence; reversed events (and the
reversals) are left out. Between two events the engine advances day by day in closed form:
penalty accrues on each overdue installment (penalty.py), and on each due date the credit
balance pays what falls due (allocation.py). The result of a replay depends only on the set of
events, never on the order they were posted in: a back-dated payment or a reversal is handled by
replaying, and the service compares the postings before and after (``changed_postings``) to
reverse and repost vouchers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microlend.kernel.errors import ValidationFailed
from microlend.loans.calculator.servicing_terms import Bucket, Component
from microlend.loans.engine.allocation import allocate, apply_credit
from microlend.loans.engine.book import ZERO, AllocationLine, LoanBook, Posting
from microlend.loans.engine.contract import LoanContract
from microlend.loans.engine.events import (
    Acceleration,
    EventKind,
    LoanEvent,
    MoneyEvent,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Reversal,
    Tranche,
    Waiver,
)
from microlend.loans.engine.penalty import accrue_nights, forgive_grace_penalty
from microlend.loans.engine.prepayment import apply_prepayment
from microlend.loans.engine.reschedule import apply_acceleration, apply_reschedule
from microlend.loans.engine.tranche import apply_tranche

WAIVABLE = (Component.PENALTY, Component.FEE, Component.INTEREST)


def effective_events(events: Iterable[LoanEvent]) -> list[MoneyEvent]:
    """The events that count, in value-date then sequence order (reversed ones left out)."""
    history = list(events)
    ids = [e.event_id for e in history]
    if len(set(ids)) != len(ids):
        raise ValidationFailed("an event id is used twice", field="event_id")
    by_id = {e.event_id: e for e in history}
    reversed_ids: set[str] = set()
    for event in history:
        if isinstance(event, Reversal):
            target = by_id.get(event.target_id)
            if target is None:
                raise ValidationFailed("reverses an event that is not posted", field="target_id")
            if isinstance(target, Reversal):
                raise ValidationFailed("a reversal cannot be reversed", field="target_id")
            if event.target_id in reversed_ids:
                raise ValidationFailed("is already reversed", field="target_id")
            reversed_ids.add(event.target_id)
    kept = [e for e in history if not isinstance(e, Reversal) and e.event_id not in reversed_ids]
    return sorted(kept, key=lambda e: (e.value_date, e.sequence, e.event_id))


def replay(contract: LoanContract, events: Iterable[LoanEvent], as_of: date) -> LoanBook:
    """The account at the end of ``as_of``: events dated after it are not applied yet."""
    book = LoanBook.open(contract)
    if as_of < book.today:
        raise ValidationFailed("is before the disbursement date", field="as_of")
    for event in effective_events(events):
        if event.value_date > as_of:
            break
        _check(contract, event)
        advance(book, event.value_date)
        book.postings.append(apply_event(book, event))
    advance(book, as_of)
    return book


def advance(book: LoanBook, day: date) -> None:
    """Accrue every night up to the start of ``day``; apply credit on each due date reached."""
    while book.today < day:
        upcoming = book.next_due_date(book.today)
        stop = day if upcoming is None else min(day, upcoming)
        for row in book.open_rows(book.today):
            accrue_nights(book, row, book.today, stop)
        book.today = stop
        apply_credit(book, stop)


def apply_event(book: LoanBook, event: MoneyEvent) -> Posting:
    if isinstance(event, Repayment):
        return _repayment(book, event)
    if isinstance(event, Prepayment):
        return apply_prepayment(book, event)
    if isinstance(event, Waiver):
        return _waiver(book, event)
    if isinstance(event, Reschedule):
        return apply_reschedule(book, event)
    if isinstance(event, Acceleration):
        return apply_acceleration(book, event)
    if isinstance(event, Tranche):
        return apply_tranche(book, event)
    return _refund(book, event)


def _repayment(book: LoanBook, event: Repayment) -> Posting:
    lines, rest = allocate(book, event.value_date, event.amount, book.contract.allocation)
    book.credit += rest
    return _posting(event, cash_in=event.amount, lines=lines, credit_change=rest)


def _waiver(book: LoanBook, event: Waiver) -> Posting:
    lines: list[AllocationLine] = []
    rest, component = event.amount, event.component
    for row in book.open_rows(event.value_date):
        bucket = row.bucket(event.value_date)
        owed = row.outstanding(component)
        if rest <= 0 or bucket is Bucket.FUTURE or owed <= 0:
            continue
        take = min(owed, rest)
        row.waived[component] += take
        rest -= take
        lines.append(AllocationLine(row.n, row.due_date, bucket, component, take))
    forgive_grace_penalty(book)
    return _posting(event, lines=lines, unapplied=rest)


def _refund(book: LoanBook, event: Refund) -> Posting:
    paid = min(event.amount, book.credit)
    book.credit -= paid
    return _posting(event, cash_out=paid, credit_change=-paid, unapplied=event.amount - paid)


def _posting(
    event: MoneyEvent,
    *,
    cash_in: Decimal = ZERO,
    cash_out: Decimal = ZERO,
    lines: Sequence[AllocationLine] = (),
    credit_change: Decimal = ZERO,
    unapplied: Decimal = ZERO,
) -> Posting:
    return Posting(
        event_id=event.event_id,
        kind=event.kind,
        value_date=event.value_date,
        sequence=event.sequence,
        cash_in=cash_in,
        cash_out=cash_out,
        lines=tuple(lines),
        credit_change=credit_change,
        unapplied=unapplied,
    )


def _check(contract: LoanContract, event: MoneyEvent) -> None:
    if event.value_date < contract.terms.disbursement_date:
        raise ValidationFailed("is before the disbursement date", field="value_date")
    if isinstance(event, Reschedule | Acceleration):
        return
    amounts = [("amount", event.amount)]
    if isinstance(event, Prepayment):
        amounts.append(("fee", event.fee))
    for name, amount in amounts:
        # a prepayment may be 0.00: it pays out of the credit balance alone
        zero = name == "amount" and amount == 0 and not isinstance(event, Prepayment)
        if amount != contract.round(amount) or amount < 0 or zero:
            raise ValidationFailed(
                "must be a positive amount with at most %(digits)s decimals",
                field=name,
                params={"digits": contract.terms.digits},
            )
    if isinstance(event, Waiver) and event.component not in WAIVABLE:
        raise ValidationFailed("only penalty, fee or interest can be waived", field="component")


@dataclass(frozen=True, slots=True)
class PostResult:
    """A new event checked against the history: the book before and after, and which postings
    changed (the service reverses the old ones of ``changed`` and posts the new ones)."""

    before: LoanBook
    after: LoanBook
    posting: Posting | None  # the new event's own posting (None for a reversal)
    changed: tuple[str, ...]


def post(
    contract: LoanContract, events: Sequence[LoanEvent], event: LoanEvent, as_of: date
) -> PostResult:
    """Check ``event`` against ``events`` and replay both ways to ``as_of`` (the business date).

    Refuses (``ValidationFailed``) an event dated after ``as_of``, a waiver or refund larger than
    what it can apply to, a prepayment that prepays nothing, a reschedule of nothing, a tranche
    after the last due date.
    """
    if event.value_date > as_of:
        raise ValidationFailed("is after the business date", field="value_date")
    before = replay(contract, events, as_of)
    after = replay(contract, [*events, event], as_of)
    own = next((p for p in after.postings if p.event_id == event.event_id), None)
    check_posting(event, own)
    return PostResult(before, after, own, changed_postings(before, after))


def check_posting(event: LoanEvent, own: Posting | None) -> None:
    """Refuse what ``event`` could not do, as its replayed posting ``own`` shows (see ``post``)."""
    if own is not None and own.unapplied > 0:
        if own.kind is EventKind.WAIVER:
            raise ValidationFailed("is more than is owed", field="amount")
        raise ValidationFailed("exceeds the credit", field="amount")
    if isinstance(event, Reschedule) and own is not None and own.new_principal <= 0:
        raise ValidationFailed("there is no principal left to reschedule", field="value_date")
    if isinstance(event, Acceleration) and own is not None and own.new_principal <= 0:
        raise ValidationFailed("no principal is left to fall due later", field="value_date")
    if isinstance(event, Prepayment | Reschedule | Tranche) and own and own.refused is not None:
        why = own.refused  # the engine's, or the calculator's naming the term it refused
        raise ValidationFailed(
            why.template, field=why.field or "reschedule", params=dict(why.params)
        )


def resume(book: LoanBook, event: MoneyEvent, as_of: date) -> Posting:
    """Apply ``event`` to ``book``, the replay of the events before it (every one of them in
    value-date order before ``event``: ``book.today`` <= its value date), checked as ``post``
    checks it. The book is left on the event's value date; ``advance`` it to ``as_of`` for the
    position. The same as replaying everything, without replaying the past."""
    if event.value_date > as_of:
        raise ValidationFailed("is after the business date", field="value_date")
    if event.value_date < book.today:
        raise ValueError("resume applies an event dated on or after the book's day")
    _check(book.contract, event)
    advance(book, event.value_date)
    own = apply_event(book, event)
    book.postings.append(own)
    check_posting(event, own)
    return own


def changed_postings(before: LoanBook, after: LoanBook) -> tuple[str, ...]:
    """Ids of the postings that differ between two replays (present in either, not equal)."""
    old = {p.event_id: p for p in before.postings}
    new = {p.event_id: p for p in after.postings}
    ids = sorted(set(old) | set(new))
    return tuple(i for i in ids if old.get(i) != new.get(i))

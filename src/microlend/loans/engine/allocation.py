"""Allocation (还款冲销): money goes to the slots of the contract's order, one slot after another.

A slot is ``bucket.component``: on the value date an installment is ``past_due`` (due date
before it), ``due`` (due that day) or ``future``. Within a slot, installments are taken oldest
first. A repayment goes only to past-due and due slots; whatever is left is a credit balance
(溢缴款), applied by the same order to each installment on the day it falls due. The ``future``
slots matter only to a prepayment (see prepayment.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from microlend.loans.calculator.servicing_terms import Bucket, Slot
from microlend.loans.engine.book import COMPONENTS, ZERO, AllocationLine, LoanBook, Posting
from microlend.loans.engine.events import EventKind
from microlend.loans.engine.penalty import forgive_grace_penalty

ARREARS_SLOTS = tuple(Slot(b, c) for b in (Bucket.PAST_DUE, Bucket.DUE) for c in COMPONENTS)


def allocate(
    book: LoanBook, day: date, amount: Decimal, slots: Iterable[Slot]
) -> tuple[list[AllocationLine], Decimal]:
    """Pay ``amount`` into the past-due and due ``slots`` on ``day``; returns lines and the rest."""
    lines: list[AllocationLine] = []
    rest = amount
    rows = book.open_rows(day)
    buckets = [row.bucket(day) for row in rows]
    for slot in slots:
        if rest <= 0:
            break
        if slot.bucket is Bucket.FUTURE:
            continue
        for row, bucket in zip(rows, buckets, strict=True):
            if bucket is not slot.bucket:
                continue
            owed = row.outstanding(slot.component)
            if owed <= 0:
                continue
            take = min(owed, rest)
            row.paid[slot.component] += take
            rest -= take
            lines.append(AllocationLine(row.n, row.due_date, slot.bucket, slot.component, take))
            if rest <= 0:
                break
    forgive_grace_penalty(book)
    return lines, rest


def settle_all_slots(order: tuple[Slot, ...]) -> tuple[Slot, ...]:
    """The order followed by any past-due or due slot it leaves out (so a payoff clears all)."""
    return order + tuple(slot for slot in ARREARS_SLOTS if slot not in order)


def apply_credit(book: LoanBook, day: date) -> None:
    """On a due date, the credit balance pays what is due by the order (a posting of its own)."""
    if book.credit <= 0:
        return
    lines, rest = allocate(book, day, book.credit, book.contract.allocation)
    if not lines:
        return
    used = book.credit - rest
    book.credit = rest
    book.postings.append(
        Posting(
            event_id=f"credit@{day.isoformat()}",
            kind=EventKind.CREDIT_APPLICATION,
            value_date=day,
            sequence=-1,
            cash_in=ZERO,
            cash_out=ZERO,
            lines=tuple(lines),
            credit_change=-used,
        )
    )

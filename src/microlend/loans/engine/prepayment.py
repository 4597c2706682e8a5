"""Partial and full prepayment (提前还款) and the rebuilt schedule.

On the prepayment date P the money (with any credit balance) pays, in this order:

1. what is past due and due on P, by the contract's allocation order (every past-due and due
   slot the order leaves out comes after it);
2. the interest of the current period accrued to P (accrual.py) and the prepayment fee;
3. principal not yet due.

If it cannot cover 2, nothing is prepaid and what is left after 1 stays as credit (posted as a
new event, such a prepayment is refused: the posting's ``refused``). On a loan with nothing left
to fall due after P (every installment due by P: a matured loan, or one whose arrears are all
it owes) there is nothing to prepay: the payment settles what is owed, and is refused only if it
leaves some of it unpaid; paying the payoff quote (``payoff_quote``) settles such a loan as it
settles any other. Otherwise the
installments not yet due are replaced by a settlement installment due and paid on P (the accrued
interest, the fee and the principal prepaid) followed, if principal remains, by a schedule the
calculator builds on the remaining principal from P: same method, rate, frequency and
conventions, the first due date the next one of the old schedule (a broken period from P),
per-installment fees kept at their amounts, no grace. The number of installments:

* ``lower_installment`` (减额): as many as remained (fewer when a few cents remain: as many
  as have a cent of principal each);
* ``shorten_term`` (缩期): the fewest whose level amount (the installment for equal installment,
  the principal part for equal principal and flat) does not exceed the present one. Interest-only
  and bullet loans have no level amount to keep: they keep their term.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from microlend.kernel.errors import Refusal, ValidationFailed
from microlend.kernel.money import quantum
from microlend.loans.calculator.model import (
    Fee,
    FeeBase,
    FeeCharge,
    InterestDates,
    RepaymentMethod,
    Schedule,
    Terms,
    fee_amount,
)
from microlend.loans.calculator.schedule import build_schedule, regular_rate
from microlend.loans.calculator.servicing_terms import Bucket, Component, PrepaymentMode
from microlend.loans.engine.accrual import accrued_interest
from microlend.loans.engine.allocation import allocate, settle_all_slots
from microlend.loans.engine.book import ZERO, AllocationLine, LoanBook, Posting, Row
from microlend.loans.engine.events import EventKind, Prepayment

NOT_COVERED = Refusal(
    "does not cover the arrears, the accrued interest and the fee", field="amount"
)
LEVEL_METHODS = (
    RepaymentMethod.EQUAL_INSTALLMENT,
    RepaymentMethod.EQUAL_PRINCIPAL,
    RepaymentMethod.FLAT,
)


def apply_prepayment(book: LoanBook, event: Prepayment) -> Posting:
    day = event.value_date
    funds = event.amount + book.credit
    from_credit = book.credit
    book.credit = ZERO
    lines, rest = allocate(book, day, funds, settle_all_slots(book.contract.allocation))
    future = [row for row in book.rows if row.due_date > day]
    prepaid = ZERO
    if future:
        interest = accrued_interest(book, future[0], day)
        principal_left = sum((r.charged[Component.PRINCIPAL] for r in future), ZERO)
        if rest >= interest + event.fee:
            prepaid = min(rest - interest - event.fee, principal_left)
            rest -= interest + event.fee + prepaid
            settlement = _settlement(future[0], day, prepaid, interest, event.fee)
            lines.extend(_settlement_lines(settlement))
            mode = event.mode or book.contract.prepayment_mode
            rebuilt = rebuild(book, principal_left - prepaid, day, future, mode)
            kept = [row for row in book.rows if row.due_date <= day]
            book.replace_rows([*kept, settlement, *rebuilt])  # rows due by P keep their numbers
    # nothing left to fall due: nothing to prepay, and the payment must settle what is owed
    done = prepaid > 0 if future else not any(row.owed > 0 for row in book.rows)
    book.credit = rest
    return Posting(
        event_id=event.event_id,
        kind=EventKind.PREPAYMENT,
        value_date=day,
        sequence=event.sequence,
        cash_in=event.amount,
        cash_out=ZERO,
        lines=tuple(lines),
        credit_change=rest - from_credit,
        prepaid_principal=prepaid,
        refused=None if done else NOT_COVERED,
    )


def _settlement(
    current: Row, day: date, principal: Decimal, interest: Decimal, fee: Decimal
) -> Row:
    row = Row(current.n, day, current.accrual_start, day, settlement=True)
    for component, amount in (
        (Component.PRINCIPAL, principal),
        (Component.INTEREST, interest),
        (Component.FEE, fee),
    ):
        row.charged[component] = amount
        row.paid[component] = amount
    return row


def _settlement_lines(row: Row) -> list[AllocationLine]:
    order = (Component.FEE, Component.INTEREST, Component.PRINCIPAL)
    return [
        AllocationLine(row.n, row.due_date, Bucket.DUE, c, row.paid[c])
        for c in order
        if row.paid[c]
    ]


def rebuild(
    book: LoanBook, principal: Decimal, day: date, future: list[Row], mode: PrepaymentMode
) -> list[Row]:
    """The installments after a prepayment on ``day`` (none when no principal remains)."""
    if principal <= 0:
        return []
    terms = book.terms
    count = len(future)
    if mode is PrepaymentMode.SHORTEN_TERM and terms.method in LEVEL_METHODS:
        before = sum((r.charged[Component.PRINCIPAL] for r in future), ZERO)
        present = level_amount(terms, before, count)
        low, high = 1, count
        while low < high:  # the level amount falls as the count grows
            middle = (low + high) // 2
            if level_amount(terms, principal, middle) <= present:
                high = middle
            else:
                low = middle + 1
        count = low
    return [Row.of(0, i) for i in spread(terms, principal, day, future[0], count).installments]


def spread(terms: Terms, principal: Decimal, day: date, first: Row | None, count: int) -> Schedule:
    """The schedule of ``principal`` over ``count`` installments (``remaining_terms``) or, when
    it is too small to spread over so many at the currency's digits (a prepayment that left a
    few cents), over as many as it can be: each needs at least a cent of principal."""
    n = max(min(count, int(principal / quantum(terms.digits))), 1)
    while True:
        try:
            return build_schedule(remaining_terms(terms, principal, day, first, n))
        except ValidationFailed as error:
            if n == 1 or error.field != "principal":
                raise
            n -= 1


def level_amount(terms: Terms, principal: Decimal, count: int) -> Decimal:
    """The rounded level installment (equal installment) or principal part (others)."""
    rate = regular_rate(terms)
    if terms.method is RepaymentMethod.EQUAL_INSTALLMENT and rate:
        level = principal * rate / (1 - (1 + rate) ** -count)
    else:
        level = principal / count
    return level.quantize(quantum(terms.digits), rounding=terms.rounding.mode)


def remaining_terms(
    terms: Terms, principal: Decimal, day: date, first: Row | None, count: int
) -> Terms:
    """The terms of the rebuilt schedule: from ``day`` on ``principal`` over ``count`` periods,
    the first due when ``first`` (the old schedule's next installment) was, or (None) a period
    after ``day``."""
    if first is None:
        anchor = None
    elif terms.accrual_dates is InterestDates.UNADJUSTED and first.accrual_end > day:
        anchor = first.accrual_end  # the scheduled (unadjusted) date keeps the rhythm
    else:
        anchor = first.due_date
    return dataclasses.replace(
        terms,
        principal=principal,
        disbursement_date=day,
        first_due_date=anchor,
        term=count,
        grace_principal_periods=0,
        grace_interest_periods=0,
        installment_multiple=None,
        fees=fixed_installment_fees(terms),
    )


def fixed_installment_fees(terms: Terms) -> tuple[Fee, ...]:
    """Per-installment fees, a percent of the loan amount turned into its amount (so that a
    schedule rebuilt on a smaller principal charges the same fee)."""
    return tuple(
        Fee(
            fee.name,
            FeeCharge.PER_INSTALLMENT,
            amount=fee_amount(fee, terms.principal, terms.digits, terms.rounding),
        )
        if fee.base is FeeBase.PRINCIPAL
        else fee
        for fee in terms.installment_fees
    )

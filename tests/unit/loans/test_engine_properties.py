"""Hypothesis properties of the loan account engine over random loans and random histories."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microlend.kernel.daycount import DayCount
from microlend.loans.calculator.model import RepaymentMethod, Terms
from microlend.loans.calculator.servicing_terms import (
    ALLOCATION_PRESETS,
    Component,
    PenaltyBase,
    PenaltyTerms,
    PrepaymentMode,
)
from microlend.loans.engine import (
    EventKind,
    LoanBook,
    LoanContract,
    LoanEvent,
    LoanStatus,
    Posting,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Reversal,
    Tranche,
    Waiver,
    payoff_quote,
    position,
    post,
    replay,
)

START = date(2025, 1, 31)
ZERO = Decimal(0)
MONEY_KINDS = {EventKind.REPAYMENT, EventKind.PREPAYMENT, EventKind.CREDIT_APPLICATION}


@st.composite
def contracts(draw: st.DrawFn) -> LoanContract:
    terms = Terms(
        principal=Decimal(draw(st.integers(100_000, 5_000_000))) / 100,
        annual_rate=Decimal(draw(st.integers(0, 2400))) / 100,
        term=draw(st.integers(1, 12)),
        method=draw(st.sampled_from(list(RepaymentMethod))),
        disbursement_date=START,
        day_count=draw(st.sampled_from([DayCount.THIRTY_360, DayCount.ACT_360, DayCount.ACT_365F])),
    )
    penalty = PenaltyTerms(
        multiplier=Decimal(draw(st.integers(0, 20))) / 10,
        base=draw(st.sampled_from(list(PenaltyBase))),
        grace_days=draw(st.integers(0, 5)),
        compound=draw(st.booleans()),
    )
    return LoanContract.open(
        terms,
        penalty=penalty,
        allocation=draw(st.sampled_from(list(ALLOCATION_PRESETS))),
        prepayment_mode=draw(st.sampled_from(list(PrepaymentMode))),
    )


AMOUNTS = st.integers(1, 600_000).map(lambda n: Decimal(n) / 100)


@st.composite
def histories(draw: st.DrawFn, distinct_dates: bool = False) -> list[LoanEvent]:
    size = draw(st.integers(1, 7))
    offsets = st.integers(0, 420)
    days = (
        draw(st.lists(offsets, min_size=size, max_size=size, unique=True))
        if distinct_dates
        else [draw(offsets) for _ in range(size)]
    )
    events: list[LoanEvent] = []
    for i, offset in enumerate(days):
        on, ident = START + timedelta(days=offset), f"e{i}"
        kinds = ["repay", "repay", "repay", "prepay", "waive", "refund", "reschedule", "tranche"]
        kind = draw(st.sampled_from(kinds))
        amount = draw(AMOUNTS)
        if kind == "repay":
            events.append(Repayment(ident, on, i, amount))
        elif kind == "prepay":
            mode = draw(st.sampled_from([None, *PrepaymentMode]))
            events.append(Prepayment(ident, on, i, amount, mode=mode))
        elif kind == "waive":
            component = draw(
                st.sampled_from([Component.PENALTY, Component.FEE, Component.INTEREST])
            )
            events.append(Waiver(ident, on, i, component, amount))
        elif kind == "refund":
            events.append(Refund(ident, on, i, amount))
        elif kind == "tranche":
            events.append(Tranche(ident, on, i, amount))
        else:
            rate = draw(st.none() | st.integers(0, 2400).map(lambda n: Decimal(n) / 100))
            events.append(
                Reschedule(
                    ident,
                    on,
                    i,
                    term=draw(st.integers(1, 12)),
                    annual_rate=rate,
                    capitalise_arrears=draw(st.booleans()),
                )
            )
    return events


AS_OF = START + timedelta(days=500)
EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "100"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(contracts(), histories())
def test_allocation_never_creates_or_loses_money(
    contract: LoanContract, events: list[LoanEvent]
) -> None:
    book = replay(contract, events, AS_OF)
    received = sum((p.cash_in - p.cash_out for p in book.postings), ZERO)
    allocated = sum((p.allocated for p in book.postings if p.kind in MONEY_KINDS), ZERO)
    assert received == allocated + book.credit
    assert sum((p.credit_change for p in book.postings), ZERO) == book.credit
    assert book.credit >= 0
    for row in book.rows:
        for component in Component:
            assert row.outstanding(component) >= 0
    capitalised = sum((p.allocated for p in book.postings if p.kind is EventKind.RESCHEDULE), ZERO)
    principal = sum((r.charged[Component.PRINCIPAL] for r in book.rows), ZERO)
    disbursed = sum((p.disbursed for p in book.postings), ZERO)
    assert principal == contract.terms.principal + capitalised + disbursed


@settings(max_examples=EXAMPLES, deadline=None)
@given(contracts(), histories(distinct_dates=True), st.randoms())
def test_posting_order_does_not_matter(
    contract: LoanContract, events: list[LoanEvent], shuffler: Random
) -> None:
    in_order = sorted(events, key=lambda e: e.value_date)
    shuffled = list(events)
    shuffler.shuffle(shuffled)
    posted = [_with_sequence(e, n) for n, e in enumerate(shuffled)]
    ordered = [_with_sequence(e, n) for n, e in enumerate(in_order)]
    one, two = replay(contract, posted, AS_OF), replay(contract, ordered, AS_OF)
    assert _postings(one) == _postings(two)
    assert position(contract, posted, AS_OF) == position(contract, ordered, AS_OF)


@settings(max_examples=EXAMPLES, deadline=None)
@given(contracts(), histories(), st.data())
def test_reversal_equals_never_posting(
    contract: LoanContract, events: list[LoanEvent], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(events))
    reversal = Reversal("rev", target.value_date + timedelta(days=3), 99, target.event_id)
    without = [e for e in events if e is not target]
    assert position(contract, [*events, reversal], AS_OF) == position(contract, without, AS_OF)
    reversed_book = replay(contract, [*events, reversal], AS_OF)
    assert reversed_book.postings == replay(contract, without, AS_OF).postings


@settings(max_examples=EXAMPLES, deadline=None)
@given(contracts(), histories(), st.integers(0, 450), st.integers(0, 5000))
def test_paying_the_payoff_quote_closes_the_loan(
    contract: LoanContract, events: list[LoanEvent], offset: int, fee_cents: int
) -> None:
    on = START + timedelta(days=offset)
    history = [e for e in events if e.value_date <= on]
    fee = Decimal(fee_cents) / 100
    quote = payoff_quote(contract, history, on, prepayment_fee=fee)
    assume(quote.amount_to_pay > 0)
    payoff = Prepayment("payoff", on, 100, quote.amount_to_pay, fee=fee)
    later = on + timedelta(days=400)
    for day in (on, later):
        after = position(contract, [*history, payoff], day)
        assert after.status is LoanStatus.CLOSED
        assert after.outstanding_principal == 0
        assert after.due_amount == 0 and after.not_due.total == 0
        assert after.accrued_interest == 0 and after.penalty_in_grace == 0
        assert after.credit_balance == 0
        assert after.days_past_due == 0


def _with_sequence(event: LoanEvent, sequence: int) -> LoanEvent:
    return replace(event, sequence=sequence)


def _postings(book: LoanBook) -> list[Posting]:
    return [replace(p, sequence=0) for p in book.postings]


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(
    contracts(),
    st.lists(
        st.tuples(st.integers(0, 420), AMOUNTS), min_size=1, max_size=6, unique_by=lambda t: t[0]
    ),
    st.randoms(),
)
def test_repayments_posted_one_by_one_out_of_order(
    contract: LoanContract, payments: list[tuple[int, Decimal]], shuffler: Random
) -> None:
    """Each back-dated repayment posted through ``post`` reports what to repost; the final
    account is the one of the same repayments posted in value-date order."""
    order = list(payments)
    shuffler.shuffle(order)
    history: list[LoanEvent] = []
    vouchers: dict[str, Posting] = {}  # what the service would hold: event id -> posting
    for sequence, (offset, amount) in enumerate(order):
        event = Repayment(f"r{offset}", START + timedelta(days=offset), sequence, amount)
        result = post(contract, history, event, AS_OF)
        assert event.event_id in result.changed
        for ident in result.changed:  # reverse the old voucher, post the new one
            vouchers.pop(ident, None)
        vouchers.update(
            {p.event_id: p for p in result.after.postings if p.event_id in result.changed}
        )
        history.append(event)
    in_order = [
        Repayment(f"r{offset}", START + timedelta(days=offset), n, amount)
        for n, (offset, amount) in enumerate(sorted(payments))
    ]
    expected = replay(contract, in_order, AS_OF)
    assert _postings_of(vouchers.values()) == _postings(expected)


def _postings_of(postings: Iterable[Posting]) -> list[Posting]:
    ordered = sorted(postings, key=lambda p: (p.value_date, p.sequence))
    return [replace(p, sequence=0) for p in ordered]

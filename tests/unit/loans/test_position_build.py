"""The position is built in one pass, its frozen records filled slot by slot (engine/position.py):
every field set, each installment's figures consistent, the sums those of the installments."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microlend.kernel.errors import ValidationFailed
from microlend.loans.engine import Amounts, LoanContract, LoanEvent, position_of, replay
from microlend.loans.engine.book import ZERO
from tests.unit.loans.test_engine import TERMS
from tests.unit.loans.test_engine_properties import START, contracts, histories


def _sum(items: list[Amounts]) -> Amounts:
    total = Amounts()
    for item in items:
        total = total + item
    return total


@settings(max_examples=80, deadline=None)
@given(contracts(), histories(), st.integers(0, 500))
def test_every_field_is_set_and_the_sums_are_the_installments(
    contract: LoanContract, events: list[LoanEvent], offset: int
) -> None:
    day = START + timedelta(days=offset)
    try:
        book = replay(contract, events, day)
    except ValidationFailed:
        assume(False)
        raise
    here = position_of(book)
    for row in here.installments:
        # replace() reads every field (an unset slot raises) and builds through __init__
        assert dataclasses.replace(row) == row
        for name in ("charged", "paid", "waived", "capitalised", "outstanding"):
            amounts = getattr(row, name)
            assert dataclasses.replace(amounts) == amounts
        for part in ("principal", "interest", "fee", "penalty"):
            settled = [getattr(getattr(row, n), part) for n in ("paid", "waived", "capitalised")]
            expected = getattr(row.charged, part) - settled[0] - settled[1] - settled[2]
            assert getattr(row.outstanding, part) == expected
    rows = list(here.installments)
    assert here.overdue == _sum([r.outstanding for r in rows if r.due_date < day])
    assert here.due_today == _sum([r.outstanding for r in rows if r.due_date == day])
    assert here.not_due == _sum([r.outstanding for r in rows if r.due_date > day])
    assert here.outstanding_principal == sum((r.outstanding.principal for r in rows), ZERO)
    assert here.days_past_due == max((r.days_past_due for r in rows), default=0)
    upcoming = [r for r in rows if r.due_date > day]
    assert here.next_due_date == (upcoming[0].due_date if upcoming else None)
    assert here.next_due_amount == (upcoming[0].outstanding.total if upcoming else ZERO)


def test_nothing_paid_is_the_one_shared_zero_amounts() -> None:
    contract = LoanContract.open(TERMS)  # nothing paid yet
    first = position_of(replay(contract, [], contract.terms.disbursement_date)).installments[0]
    assert first.paid is first.waived is first.capitalised
    assert first.paid == Amounts() and str(first.paid.principal) == "0"

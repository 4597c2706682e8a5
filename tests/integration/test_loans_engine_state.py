"""The stored engine state (``loans.book_state``) and the commands that go on from it.

* Pure: for random loans and histories, applying each event to the book restored from the
  stored state of the one before (``engine.resume``) gives exactly the postings and the position
  of replaying the whole history.
* Through the service, on SQLite and PostgreSQL: random repayments posted in a random order
  (back-dated ones replay the history, the others go on from the stored state) leave a loan
  exactly as posting them in value-date order does: position, installments and vouchers.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from microlend.kernel.errors import ValidationFailed
from microlend.loans import book_state
from microlend.loans import service as loans
from microlend.loans.engine import (
    LoanBook,
    LoanContract,
    LoanEvent,
    Posting,
    advance,
    position_of,
    replay,
    resume,
)
from microlend.loans.tables_state import LoanEngineState
from tests.integration.loans_support import disbursed, set_business_date
from tests.integration.test_loans import _balances
from tests.seed import World
from tests.unit.loans.test_engine_properties import AS_OF, contracts, histories


def _stored(book: LoanBook) -> LoanBook | None:
    """``book`` as it comes back from storage (None when it is not stored)."""
    document = book_state.dump(book)
    if document is None:
        return None
    text = json.dumps(document)
    restored = book_state.load(book.contract, json.loads(text))
    assert json.dumps(book_state.dump(restored)) == text  # every amount kept exactly
    return restored


def _postings(postings: list[Posting]) -> list[Posting]:
    return [replace(p, sequence=0) for p in postings]


@settings(max_examples=60, deadline=None)
@given(contracts(), histories(distinct_dates=False))
def test_going_on_from_the_stored_state_equals_replaying_everything(
    contract: LoanContract, events: list[LoanEvent]
) -> None:
    ordered = [
        replace(e, sequence=n)
        for n, e in enumerate(sorted(events, key=lambda e: e.value_date), start=1)
    ]
    try:
        whole = replay(contract, ordered, AS_OF)
    except ValidationFailed:
        assume(False)
        raise
    book, made = LoanBook.open(contract), []
    for event in ordered:
        book = _stored(book) or book
        with contextlib.suppress(ValidationFailed):  # refused when posted, replayed as it stands
            resume(book, event, AS_OF)  # type: ignore[arg-type]
        made += book.postings
        book.postings.clear()
    advance(book, AS_OF)
    made += book.postings
    assert _postings(made) == _postings(whole.postings)
    book.postings[:] = whole.postings
    assert position_of(book) == position_of(whole)


def _history(world: World, loan_id: int) -> list[object]:
    with world.make_uow(read_only=True) as uow:
        finance = world.principal("finance")
        here = loans.get_loan(uow, finance, loan_id=loan_id)
        rows = loans.installments(uow, finance, loan_id=loan_id)
    loan = {k: v for k, v in vars(here).items() if k not in ("id", "number", "contract_number")}
    for key in ("application_id", "customer_id", "product_version_id", "product_code"):
        loan.pop(key)
    return [loan, rows]


PAYMENTS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 150_000)), min_size=1, max_size=5)


@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # an example costs seconds: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payments=PAYMENTS, seed=st.integers(0, 1000))
def test_posted_in_any_order_equals_posted_in_order(
    world: World, payments: list[tuple[int, int]], seed: int
) -> None:
    """Two loans, the same repayments: value-date order on one, a random order on the other."""
    n = next(_people)
    in_order = disbursed(world, code=f"O{n}", id_number=_id())
    shuffled = disbursed(world, code=f"S{n}", id_number=_id())
    start = date(2025, 1, 15)
    set_business_date(world, start + timedelta(days=61))
    dated = [(start + timedelta(days=d), Decimal(cents) / 100) for d, cents in payments]
    random_order = list(dated)
    Random(seed).shuffle(random_order)
    for loan, order in ((in_order, sorted(dated, key=lambda p: p[0])), (shuffled, random_order)):
        for day, amount in order:
            with world.make_uow() as uow:
                loans.repay(
                    uow, world.principal("finance"), loan_id=loan.id, amount=amount,
                    value_date=day, now=world.now,
                )  # fmt: skip
                uow.commit()
    assert _history(world, in_order.id) == _history(world, shuffled.id)
    assert _balances(world, in_order.id) == _balances(world, shuffled.id)
    with world.make_uow(read_only=True) as uow:  # both go on from a state of their last event
        states = uow.session.scalars(
            select(LoanEngineState.sequence).where(
                LoanEngineState.loan_id.in_([in_order.id, shuffled.id])
            )
        ).all()
    assert states == [len(payments) + 1] * 2


_people = itertools.count(1)


def _id() -> str:
    """A new valid mainland ID number (the last digit is the check digit)."""
    body = f"11010519800101{next(_people):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]

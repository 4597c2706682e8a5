"""A month's close and a voucher back-dated into an earlier month with no voucher yet, at once
on PostgreSQL: whichever starts first, the other waits for it, so the month is never closed with
an earlier month open, and its kept balances hold every line before its end."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, select

from microlend.accounting import service as ledger
from microlend.accounting.tables import LedgerPeriod
from microlend.kernel.errors import RuleViolation
from tests.integration.test_races import waiting_on_a_lock
from tests.ledger_support import event, post
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)

JANUARY, FEBRUARY = date(2025, 1, 15), date(2025, 2, 10)  # the business date is 3 March


def _late_fee(world: World) -> ledger.LedgerEvent:
    return event(world, "fee_charge", "late:jan", JANUARY, fee="40")


def _run(
    engine: Engine,
    events: tuple[threading.Event, threading.Event],
    first: Callable[[], None],
    second: Callable[[], None],
) -> tuple[bool, BaseException | None, BaseException | None]:
    """Run ``first`` in one thread until it holds its transaction open (``events``: it sets the
    first and waits for the second), then ``second`` in another; once ``second`` waits on a
    lock (or ended, or 20 s passed), let ``first`` commit. Whether ``second`` waited, and what
    each raised."""
    holding, release = events
    errors: dict[str, BaseException] = {}

    def run(name: str, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as error:  # reported by the caller
            errors[name] = error
            holding.set()

    holder = threading.Thread(target=run, args=("first", first))
    holder.start()
    assert holding.wait(30)
    follower = threading.Thread(target=run, args=("second", second))
    follower.start()
    deadline = time.monotonic() + 20
    while not waiting_on_a_lock(engine) and follower.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = waiting_on_a_lock(engine) == 1
    release.set()
    holder.join(30)
    follower.join(30)
    return waited, errors.get("first"), errors.get("second")


def _holding(events: tuple[threading.Event, threading.Event]) -> None:
    holding, release = events
    holding.set()
    assert release.wait(30)


def _periods(world: World) -> dict[str, str]:
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(LedgerPeriod.period, LedgerPeriod.status).where(
                LedgerPeriod.company_id == world.company_id
            )
        ).all()
    return dict(rows)


def _problems(world: World) -> list[str]:
    with world.make_uow(read_only=True) as uow:
        return [problem.kind for problem in ledger.check_ledger(uow, world.principal("finance"))]


def test_a_close_waits_for_a_voucher_back_dated_into_an_empty_month(
    world: World, engine: Engine
) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "feb", FEBRUARY, fee="7"))
    events = (threading.Event(), threading.Event())

    def post_late() -> None:
        with world.make_uow() as uow:
            ledger.post(uow, finance, event=_late_fee(world), now=world.now)
            _holding(events)
            uow.commit()

    def close_february() -> None:
        with world.make_uow() as uow:
            ledger.close_period(uow, finance, period="2025-02", now=world.now)
            uow.commit()

    waited, posting, closing = _run(engine, events, post_late, close_february)
    assert waited, "the close did not wait for the posting in flight"
    assert posting is None, posting
    assert isinstance(closing, RuleViolation) and closing.code == "earlier_period_open", closing
    assert _periods(world) == {"2025-01": "open", "2025-02": "open"}
    assert _problems(world) == []


def test_a_voucher_back_dated_during_a_close_waits_and_finds_the_month_closed(
    world: World, engine: Engine
) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "feb", FEBRUARY, fee="7"))
    events = (threading.Event(), threading.Event())

    def close_february() -> None:
        with world.make_uow() as uow:
            ledger.close_period(uow, finance, period="2025-02", now=world.now)
            _holding(events)
            uow.commit()

    def post_late() -> None:
        with world.make_uow() as uow:
            ledger.post(uow, finance, event=_late_fee(world), now=world.now)
            uow.commit()

    waited, closing, posting = _run(engine, events, close_february, post_late)
    assert waited, "the posting did not wait for the close in flight"
    assert closing is None, closing
    assert isinstance(posting, RuleViolation) and posting.code == "period_closed", posting
    assert _periods(world) == {"2025-02": "closed"}
    assert _problems(world) == []

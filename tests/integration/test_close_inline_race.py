"""An inline close and the nightly run on the same loan at once (PostgreSQL, two threads).

Loan L is booked on 21 Feb dated 15 Jan into days the company closed (10 to 20 Feb), so it has
no close-of-business state yet. A command locks it and closes its missed days inline (creating
its state) and, before it commits, the nightly run of 21 Feb reaches it and must wait for the
command's lock. When the command commits, the nightly run goes on from the state the command
left: it closes 21 Feb for L (and only that day), reconciles, and advances the date. Neither
side fails and no day is closed twice (see tests/integration/test_close_inline.py for the
figures of such a loan)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select

from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod.runner import run_close_of_business
from microlend.eod.summary import RunSummary
from microlend.loans.account import locked_loan
from microlend.loans.tables_close import LoanAccrual
from tests.integration.test_close_inline import FEB, accrual_rows, booked_back
from tests.integration.test_loan_close import clock, close
from tests.integration.test_races import waiting_on_a_lock
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def test_the_nightly_run_waits_for_an_inline_close_and_goes_on_from_it(
    world: World, session_factory: SessionFactory, engine: Engine
) -> None:
    booked_back(world, "LK", "110105198001010032", FEB[9])
    close(session_factory, world, FEB[19])  # business date 21 Feb
    late = booked_back(world, "LL", "110105198501010012", FEB[20])
    locked = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def command() -> None:
        with UnitOfWork(session_factory) as uow:
            locked_loan(uow, world.principal("finance"), late, now=world.now)
            locked.set()
            release.wait(timeout=60)
            uow.commit()

    def nightly() -> None:
        try:
            outcome["summary"] = run_close_of_business(
                session_factory, company_id=world.company_id, target_date=FEB[20], now=clock
            )
        except Exception as error:  # reported by the assertions below
            outcome["error"] = error

    holder = threading.Thread(target=command)
    holder.start()
    assert locked.wait(timeout=60)
    runner = threading.Thread(target=nightly)
    runner.start()
    deadline = time.monotonic() + 60
    while waiting_on_a_lock(engine) == 0 and time.monotonic() < deadline and runner.is_alive():
        time.sleep(0.05)
    waited = waiting_on_a_lock(engine) > 0
    release.set()
    holder.join(timeout=60)
    runner.join(timeout=120)
    assert waited, "the nightly run never waited for the command's lock"
    assert "error" not in outcome, outcome
    summary = outcome["summary"]
    assert isinstance(summary, RunSummary)
    failed = summary.failed_day
    assert failed is None, failed.error  # reconciled too: the sub-ledger equals the GL
    days = [row[0] for row in accrual_rows(world, late)]
    assert days == FEB[9:21]  # 10 to 20 Feb inline, 21 Feb by the nightly run
    with world.make_uow(read_only=True) as uow:
        repeated = uow.session.execute(
            select(LoanAccrual.loan_id, LoanAccrual.business_date)
            .group_by(LoanAccrual.loan_id, LoanAccrual.business_date)
            .having(func.count() > 1)
        ).all()
    assert repeated == []

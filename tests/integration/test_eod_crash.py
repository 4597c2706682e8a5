"""Issue 8 crash tests: ``microlend eod --workers 2`` killed with SIGKILL at random points (the
runner and its worker process alike, as a machine that goes down), run again, killed again,
and finally run to the end, leaves the same ledger (journal lines per account and day, the
vouchers), loan balances and installments, accruals, classifications and provisions as an
uninterrupted run over a copy of the same data.

The portfolio (tests/integration/eod_portfolio.py) is driven through the real services with the
business date set directly for ``BUILT`` days, so the first closed day catches every loan up;
the run then closes ``CLOSED`` days (due dates, overdue and penalty among them) in partitions of
``PARTITION`` loans. The kill points are drawn from a seeded generator: a number of partitions
done, then a random pause, so that some kills land inside a partition's transaction.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from microlend.db.engine import create_engine_for
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from microlend.eod.discovery import STEP_MODULES_VARIABLE
from microlend.eod.runner import run_close_of_business
from microlend.eod.tables import EodPartition, EodRun
from tests.integration.eod_databases import copied
from tests.integration.eod_portfolio import START, Driver, clock, differences, snapshot
from tests.seed import World

ROOT = Path(__file__).resolve().parents[2]
BUILT = 35
CLOSED = 5
PARTITION = 3
KILLS = 3
SEED = 20250808


def start_run(db_url: str, target: date) -> subprocess.Popen[str]:
    env = {**os.environ, "MICROLEND_DATABASE_URL": db_url}
    env.pop(STEP_MODULES_VARIABLE, None)  # the contexts' real steps
    return subprocess.Popen(
        [sys.executable, "-c", "from microlend.cli import app; app()", "eod", "--company", "MLC",
         "--workers", "2", "--date", target.isoformat(), "--partition-size", str(PARTITION)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the spawned worker dies with it
    )  # fmt: skip


def partitions_done(session_factory: SessionFactory) -> int:
    with UnitOfWork(session_factory, read_only=True) as uow:
        found = uow.session.scalar(
            select(func.count()).select_from(EodPartition).where(EodPartition.status == "done")
        )
    return int(found or 0)


def kill_after(
    process: subprocess.Popen[str], session_factory: SessionFactory, done: int, pause: float
) -> bool:
    """SIGKILL the run's process group once ``done`` partitions are done and ``pause`` seconds
    more have passed; ``False`` if the run finished first."""
    deadline = time.monotonic() + 120
    while partitions_done(session_factory) < done and process.poll() is None:
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    time.sleep(pause)
    if process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def close(session_factory: SessionFactory, world: World, target: date) -> None:
    summary = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=target, now=clock,
        partition_size=PARTITION,
    )  # fmt: skip
    assert summary.status == "done", summary.failed_day


def test_a_killed_close_of_business_ends_as_an_uninterrupted_one(
    world: World,
    engine: Engine,
    session_factory: SessionFactory,
    db_url: str,
    db_backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    driver = Driver(world, session_factory)
    driver.start()
    driver.run(0, BUILT, close=False)
    target = START + timedelta(days=BUILT + CLOSED - 1)
    engine.dispose()  # no connection open on the database while it is copied
    server = request.getfixturevalue("pg_server_url") if db_backend == "postgres" else None
    with copied(db_url, tmp_path, server) as copy_url:
        reference_engine = create_engine_for(copy_url)
        try:
            reference = make_session_factory(reference_engine)
            close(reference, world, target)
            expected = snapshot(reference_engine, world.company_id)
            total = partitions_done(reference)
        finally:
            reference_engine.dispose()

    draw = random.Random(f"{SEED}:{db_backend}")
    kills = 0
    for mark in sorted(draw.sample(range(1, total), KILLS)):
        process = start_run(db_url, target)
        if kill_after(process, session_factory, mark, draw.uniform(0, 0.3)):
            kills += 1
            assert process.returncode == -signal.SIGKILL
        else:
            assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert kills >= 1, "no kill landed inside the run"
    close(session_factory, world, target)

    found = snapshot(engine, world.company_id)
    assert found["business_date"] == target + timedelta(days=1)
    assert differences(found, expected) == {}
    with UnitOfWork(session_factory, read_only=True) as uow:
        statuses = set(uow.session.scalars(select(EodRun.status)).all())
    assert statuses == {"done"}

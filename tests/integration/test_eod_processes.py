"""Close of business across processes: ``microlend eod`` killed (SIGKILL) in the middle and run
again, and ``microlend eod worker`` processes joining a running close of business.

The scratch steps (tests/integration/eod_scratch_steps.py) sleep per partition of
``scratch.first`` so that there is a middle to kill. 25 items in partitions of 5 ids:
``scratch.first`` and ``scratch.second`` have 5 partitions each.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod.discovery import STEP_MODULES_VARIABLE
from microlend.eod.tables import EodPartition
from tests.integration.test_eod_runner import (
    DAY,
    business_date,
    control,
    expected_rows,
    run,
    scratch,
    scratch_rows,
)
from tests.seed import World

__all__ = ["scratch"]  # the fixture
ROOT = Path(__file__).resolve().parents[2]


def start_cli(db_url: str, *args: str, errors: int = subprocess.STDOUT) -> subprocess.Popen[str]:
    """``microlend *args`` in a process of its own; ``errors``: where its stderr goes (by
    default into its stdout)."""
    env = {
        **os.environ,
        "MICROLEND_DATABASE_URL": db_url,
        STEP_MODULES_VARIABLE: "tests.integration.eod_scratch_steps",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from microlend.cli import app; app()", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )


def done_partitions(session_factory: SessionFactory) -> int:
    with UnitOfWork(session_factory, read_only=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(EodPartition).where(EodPartition.status == "done")
            )
            or 0
        )


def wait_for(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.parametrize("kill_after", [2, 6])  # in scratch.first; in scratch.second
def test_a_killed_close_of_business_resumes_to_the_same_result(
    scratch: World,
    engine: Engine,
    session_factory: SessionFactory,
    db_url: str,
    kill_after: int,
) -> None:
    control(engine, "sleep", "0.4")
    control(engine, "sleep_second", "0.4")  # partition 6 done, four of 0.4 s are left to kill in
    process = start_cli(db_url, "eod", "--company", "MLC", "--partition-size", "5")
    wait_for(lambda: done_partitions(session_factory) >= kill_after or process.poll() is not None)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL  # killed in the middle, not finished
    assert business_date(session_factory, scratch) == DAY

    summary = run(session_factory, scratch, DAY, partition_size=5)
    assert summary.status == "done"
    assert scratch_rows(engine) == expected_rows(DAY)  # as an uninterrupted run leaves it
    with UnitOfWork(session_factory, read_only=True) as uow:
        rows = uow.session.execute(
            select(EodPartition.step_code, EodPartition.status, EodPartition.attempts)
        ).all()
    assert {status for _code, status, _attempts in rows} == {"done"}
    assert len([code for code, _s, _a in rows if code == "scratch.first"]) == 5
    assert all(1 <= attempts <= 2 for _code, _status, attempts in rows)  # reclaimed at most once


def test_worker_processes_join_a_running_close_of_business(
    scratch: World, engine: Engine, session_factory: SessionFactory, db_url: str
) -> None:
    control(engine, "sleep", "0.3")
    control(engine, "sleep_second", "0.3")  # two steps of 13 partitions for the workers to join
    # stderr apart: what a worker reports is its stdout (a library's warning on stderr is not)
    workers = [
        start_cli(
            db_url, "eod", "worker", "--company", "MLC", "--idle", "5", errors=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline() == "worker waiting for a close of business\n"

    summary = run(session_factory, scratch, DAY, partition_size=2)  # 13 partitions per step
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert summary.status == "done"
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all(out.startswith("worker done: ") for out, _errors in outputs), outputs
    for _out, errors in outputs:
        if errors:  # shown in the run's warnings summary, for whoever looks into it
            warnings.warn(f"a worker wrote to stderr: {errors}", stacklevel=1)
    assert scratch_rows(engine) == expected_rows(DAY)
    with UnitOfWork(session_factory, read_only=True) as uow:
        claims = uow.session.execute(
            select(EodPartition.claimed_by, EodPartition.attempts).where(
                EodPartition.step_code.in_(("scratch.first", "scratch.second"))
            )
        ).all()
    pids = {int(str(owner).rsplit(":", 2)[1]) for owner, _attempts in claims}
    # both joined and took partitions (of either step: a worker the machine's load kept waiting
    # through the first step still joins the second)
    assert {worker.pid for worker in workers} <= pids, outputs
    assert {attempts for _owner, attempts in claims} == {1}  # none done twice

"""The close-of-business runner with the scratch steps (tests/integration/eod_scratch_steps.py).

25 items, partitions of 10 ids: ``scratch.first`` and ``scratch.second`` get 3 partitions each
(1-10, 11-20, 21-25); reconciliation and advancing the date one each. The world's company MLC
starts at business date 2025-03-03 (tests/seed.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from microlend.db.eod import Step, id_range
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod import partitions as stored
from microlend.eod.discovery import STEP_MODULES_VARIABLE, StepBook
from microlend.eod.readable import RECONCILIATION_FAILED
from microlend.eod.runner import Progress, run_close_of_business
from microlend.eod.summary import RunSummary
from microlend.eod.tables import EodPartition, EodRun
from microlend.eod.worker import work
from microlend.orgs.tables import Company
from tests.integration.eod_scratch_steps import create_scratch, set_control
from tests.ledger_support import event, post
from tests.seed import World

DAY = date(2025, 3, 3)
ITEMS = range(1, 26)


def clock() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch, engine: Engine, world: World) -> World:
    monkeypatch.setenv(STEP_MODULES_VARIABLE, "tests.integration.eod_scratch_steps")
    with engine.begin() as connection:
        create_scratch(connection, world.company_id, ITEMS)
    return world


def control(engine: Engine, name: str, value: str | None) -> None:
    with engine.begin() as connection:
        set_control(connection, name, value)


def run(session_factory: SessionFactory, world: World, target: date, **options: Any) -> RunSummary:
    options.setdefault("partition_size", 10)
    return run_close_of_business(
        session_factory, company_id=world.company_id, target_date=target, now=clock, **options
    )


def scratch_rows(engine: Engine) -> list[tuple[str, str, int, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT step, business_date, item, seen FROM eod_scratch ORDER BY key")
        ).all()
    return sorted((str(s), str(d), int(i), int(n)) for s, d, i, n in rows)


def expected_rows(*days: date) -> list[tuple[str, str, int, int]]:
    """``first`` saw nothing yet (0); ``second`` saw every ``first`` row of its day (25)."""
    rows = [("first", day.isoformat(), item, 0) for day in days for item in ITEMS]
    rows += [("second", day.isoformat(), item, 25) for day in days for item in ITEMS]
    return sorted(rows)


def business_date(session_factory: SessionFactory, world: World) -> date:
    with UnitOfWork(session_factory, read_only=True) as uow:
        return uow.session.scalars(
            select(Company.business_date).where(Company.id == world.company_id)
        ).one()


def partitions(session_factory: SessionFactory, step: str) -> list[tuple[int, str, int]]:
    with UnitOfWork(session_factory, read_only=True) as uow:
        rows = uow.session.execute(
            select(EodPartition.partition_no, EodPartition.status, EodPartition.attempts)
            .where(EodPartition.step_code == step)
            .order_by(EodPartition.run_id, EodPartition.partition_no)
        ).all()
    return [(no, status, attempts) for no, status, attempts in rows]


def test_steps_run_in_order_with_a_barrier(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    seen: list[Progress] = []
    summary = run(session_factory, scratch, DAY, progress=seen.append)
    assert summary.status == "done"
    assert [day.business_date for day in summary.days] == [DAY]
    # every `second` row saw all 25 `first` rows: step 2 began only after step 1 ended
    assert scratch_rows(engine) == expected_rows(DAY)
    assert summary.totals() == {
        "scratch.first": {"items": 25, "partitions": 3},
        "scratch.second": {"items": 25},
        "eod.reconcile": {"accounts_reconciled": 0},
        "eod.advance_date": {"days_advanced": 1},
    }
    steps = [event.step_code for event in seen]
    order = ["scratch.first", "scratch.second", "eod.reconcile", "eod.advance_date"]
    assert sorted(set(steps), key=steps.index) == order
    assert steps == sorted(steps, key=order.index)  # never back to an earlier step
    assert seen[-1] == Progress(DAY, "eod.advance_date", 4, 4, 1, 1)
    assert business_date(session_factory, scratch) == DAY + timedelta(days=1)
    assert partitions(session_factory, "scratch.first") == [
        (0, "done", 1),
        (1, "done", 1),
        (2, "done", 1),
    ]
    with UnitOfWork(session_factory, read_only=True) as uow:
        stored = uow.session.scalars(select(EodRun)).one()
    assert (stored.status, stored.current_step, stored.error) == ("done", None, None)
    assert [s["code"] for s in stored.summary["steps"]] == order


def test_re_running_a_closed_date_does_nothing(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    assert run(session_factory, scratch, DAY).status == "done"
    again = run(session_factory, scratch, DAY)
    assert (again.status, again.days) == ("nothing", ())
    assert scratch_rows(engine) == expected_rows(DAY)
    assert business_date(session_factory, scratch) == DAY + timedelta(days=1)


def test_catch_up_closes_each_missed_day_in_turn(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    target = DAY + timedelta(days=2)
    summary = run(session_factory, scratch, target)
    days = [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    assert [(d.business_date, d.status) for d in summary.days] == [(d, "done") for d in days]
    assert business_date(session_factory, scratch) == DAY + timedelta(days=3)
    assert scratch_rows(engine) == expected_rows(*days)
    assert summary.totals()["scratch.first"] == {"items": 75, "partitions": 9}
    assert summary.totals()["eod.advance_date"] == {"days_advanced": 3}


def test_a_failing_partition_stops_the_run_and_a_re_run_resumes_it(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    control(engine, "fail_item", "15")  # in partition 1 (ids 11-20)
    failed = run(session_factory, scratch, DAY)
    assert failed.status == "failed"
    day = failed.days[0]
    assert day.error == "scratch.first partition 1: RuntimeError: item 15 refused"
    assert business_date(session_factory, scratch) == DAY
    assert partitions(session_factory, "scratch.first") == [
        (0, "done", 1),
        (1, "failed", 1),
        (2, "pending", 0),
    ]
    assert partitions(session_factory, "scratch.second") == []  # the barrier held
    assert [row[2] for row in scratch_rows(engine)] == list(range(1, 11))  # partition 1 undone

    control(engine, "fail_item", None)
    resumed = run(session_factory, scratch, DAY)
    assert resumed.status == "done"
    # partition 0 was not run again (one attempt; its rows would clash with their keys)
    assert partitions(session_factory, "scratch.first") == [
        (0, "done", 1),
        (1, "done", 2),
        (2, "done", 1),
    ]
    assert scratch_rows(engine) == expected_rows(DAY)
    assert resumed.totals()["scratch.first"] == {"items": 25, "partitions": 3}


def test_a_reconciliation_difference_stops_the_run_with_a_report(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    control(engine, "subledger", '{"1303": "1500.00", "1132": "0"}')
    summary = run(session_factory, scratch, DAY)
    assert summary.status == "failed"
    day = summary.days[0]
    assert day.failure == {
        "step": "eod.reconcile",
        "partition": 0,
        "unbalanced_vouchers": [],
        "differences": [
            {"account": "1303", "subledger": "1500.00", "gl": "0.00", "difference": "1500.00"}
        ],
        "reason": {
            "template": RECONCILIATION_FAILED,
            "params": {"day": "2025-03-03", "vouchers": 0, "accounts": 1},
        },
    }
    assert day.error is not None
    assert day.error.startswith("eod.reconcile partition 0: reconciliation of 2025-03-03 failed")
    assert "1303" in day.error and "1500.00" in day.error
    assert business_date(session_factory, scratch) == DAY
    assert partitions(session_factory, "eod.advance_date") == []

    control(engine, "subledger", '{"1303": "0.00", "1132": "0"}')  # now equal to the GL
    fixed = run(session_factory, scratch, DAY)
    assert fixed.status == "done"
    assert fixed.totals()["eod.reconcile"] == {"accounts_reconciled": 2}
    assert fixed.days[0].failure == {}


def test_a_spawned_worker_process_shares_the_run(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    control(engine, "sleep", "0.1")
    summary = run(session_factory, scratch, DAY, workers=2, partition_size=3)
    assert summary.status == "done"
    assert scratch_rows(engine) == expected_rows(DAY)  # a partition done twice breaks a key
    with UnitOfWork(session_factory, read_only=True) as uow:
        attempts = uow.session.scalars(
            select(EodPartition.attempts).where(EodPartition.step_code == "scratch.first")
        ).all()
    assert sorted(attempts) == [1] * 9  # ids 1-3, 4-6, ..., 25-25, each claimed once


def test_reconciliation_compares_with_the_gl_balance_rolled_up(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    finance = scratch.principal("finance")
    post(scratch, finance, event(scratch, "disbursement", "d:1", DAY, principal="1234.56"))
    # the disbursement debits 130301 (performing loans), a child of 1303, and credits the bank
    control(engine, "subledger", '{"1303": "1234.56", "1002": "-1234.56"}')
    assert run(session_factory, scratch, DAY).status == "done"

    next_day = DAY + timedelta(days=1)
    post(scratch, finance, event(scratch, "disbursement", "d:2", next_day, principal="100"))
    control(engine, "subledger", '{"1303": "1334.00", "1002": "-1334.56"}')  # 0.56 short on 1303
    stopped = run(session_factory, scratch, next_day)
    assert stopped.status == "failed"
    assert stopped.days[-1].failure["differences"] == [
        {"account": "1303", "subledger": "1334.00", "gl": "1334.56", "difference": "-0.56"}
    ]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)  # PostgreSQL refuses the forgery
def test_reconciliation_finds_an_unbalanced_voucher_of_the_day(
    scratch: World, engine: Engine, session_factory: SessionFactory
) -> None:
    post(scratch, scratch.principal("finance"), event(scratch, "fee_charge", "f:1", DAY, fee="5"))
    with engine.begin() as connection:  # a line added behind the ledger's back
        connection.execute(
            text(
                "INSERT INTO voucher_lines (voucher_id, line_no, company_id, office_id,"
                " business_date, account_id, side, amount_minor, currency, memo)"
                " SELECT voucher_id, 9, company_id, office_id, business_date, account_id, 'D',"
                " 7, currency, 'forged' FROM voucher_lines WHERE line_no = 1"
            )
        )
    stopped = run(session_factory, scratch, DAY)
    assert stopped.status == "failed"
    assert stopped.days[0].failure["unbalanced_vouchers"] == [
        "2025-03-000001: CNY off by 7 minor units"
    ]
    assert business_date(session_factory, scratch) == DAY


def test_id_range_is_a_ready_made_bounds(world: World, session_factory: SessionFactory) -> None:
    companies = sorted([world.company_id, world.other_company_id])
    with UnitOfWork(session_factory, read_only=True) as uow:
        assert id_range(uow, Company.id) == (companies[0], companies[1])
        assert id_range(uow, Company.id, Company.id == world.company_id) == (
            world.company_id,
            world.company_id,
        )
        assert id_range(uow, Company.id, Company.id < 0) is None


def test_a_transient_database_error_is_retried_not_fatal(
    scratch: World, engine: Engine, session_factory: SessionFactory, tmp_path: Path
) -> None:
    control(engine, "busy_once", str(tmp_path / "was-busy"))
    summary = run(session_factory, scratch, DAY)
    assert summary.status == "done"
    assert (tmp_path / "was-busy").exists()
    assert partitions(session_factory, "scratch.first") == [
        (0, "done", 2),  # given back once, then done
        (1, "done", 1),
        (2, "done", 1),
    ]
    assert scratch_rows(engine) == expected_rows(DAY)


def test_a_step_gets_the_workers_clock_reading(
    world: World, session_factory: SessionFactory
) -> None:
    """Steps never read the clock: the worker reads it once per piece of work and passes it."""
    seen: list[datetime] = []

    def company_step(
        uow: UnitOfWork, company_id: int, business_date: date, *, now: datetime
    ) -> dict[str, int]:
        seen.append(now)
        return {}

    moment = datetime(2025, 3, 3, 18, 30, tzinfo=UTC)
    book = StepBook(("probe",), (Step.company("probe.clock", 10, run=company_step),), ())
    with UnitOfWork(session_factory) as uow:
        run = EodRun(
            company_id=world.company_id,
            business_date=DAY,
            status="running",
            current_step="probe.clock",
            started_at=moment,
            summary={},
        )
        uow.session.add(run)
        uow.flush()
        stored.plan(uow, stored.RunOf(run.id, run.company_id, DAY), "probe.clock", [(0, 0)])
        claimed = stored.claim(
            uow, run_id=run.id, me="test:1:0", now=moment, lease=timedelta(minutes=1)
        )
        uow.commit()
    assert claimed is not None
    assert work(session_factory, book, claimed, "test:1:0", lambda: moment)
    assert seen == [moment]


def test_the_chain_moves_a_running_run_on_only_from_the_step_it_finished(world: World) -> None:
    """``advance_step``: a running run at step "a" moves to "b" (its company and date come
    back); asked again to move on from "a", or to move a run that failed, nothing changes."""
    day = date(2025, 3, 3)
    with world.make_uow() as uow:
        run = EodRun(
            company_id=world.company_id,
            business_date=day,
            status="running",
            current_step="a",
            started_at=world.now,
            summary={},
        )
        uow.session.add(run)
        uow.flush()
        moved = stored.advance_step(uow, run.id, "a", "b")
        again = stored.advance_step(uow, run.id, "a", "b")
        uow.session.execute(
            text("UPDATE eod_runs SET status = 'failed' WHERE id = :id"), {"id": run.id}
        )
        failed = stored.advance_step(uow, run.id, "b", "c")
        current = uow.session.scalar(
            text("SELECT current_step FROM eod_runs WHERE id = :id"), {"id": run.id}
        )
        uow.commit()
    assert moved == stored.RunOf(run.id, world.company_id, day)
    assert (again, failed, current) == (None, None, "b")

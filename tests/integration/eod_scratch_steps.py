"""Close-of-business steps for the tests, on scratch tables the tests create.

Selected with ``MICROLEND_EOD_STEP_MODULES=tests.integration.eod_scratch_steps`` (so worker
processes and ``microlend eod`` subprocesses use them too). Behaviour is steered through the
``eod_control`` table, which every process reads:

- ``fail_item``: the ``scratch.first`` step raises when it reaches this item id;
- ``sleep``: seconds ``scratch.first`` sleeps per partition (to kill a run in the middle);
- ``sleep_second``: the same for ``scratch.second`` (to kill a run in the middle of its second
  step: without it the rest of the run can end before the kill arrives);
- ``busy_once``: a file path; ``scratch.first`` raises SQLite's "database is locked" once (when
  the file does not exist yet, creating it), a transient error the runner retries;
- ``subledger``: JSON ``{"account": "amount"}`` that ``subledger_balances`` reports.

``scratch.first`` (order 10) writes one row per item and date, keyed ``first:{item}:{date}``:
a partition done twice would break the primary key. ``scratch.second`` (order 20) writes one row
per item that records how many ``first`` rows of the date it saw: all of them, if the barrier
between steps holds.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from microlend.db.eod import Counts, Step
from microlend.db.uow import UnitOfWork

SCHEMA = [
    "CREATE TABLE eod_items (id BIGINT PRIMARY KEY, company_id BIGINT NOT NULL)",
    "CREATE TABLE eod_scratch (key VARCHAR(200) PRIMARY KEY, step VARCHAR(60) NOT NULL,"
    " business_date VARCHAR(10) NOT NULL, item BIGINT NOT NULL, seen BIGINT NOT NULL)",
    "CREATE TABLE eod_control (name VARCHAR(60) PRIMARY KEY, value VARCHAR(2000) NOT NULL)",
]


def create_scratch(connection: Connection, company_id: int, items: range) -> None:
    for statement in SCHEMA:
        connection.execute(text(statement))
    connection.execute(
        text("INSERT INTO eod_items (id, company_id) VALUES (:id, :company)"),
        [{"id": item, "company": company_id} for item in items],
    )


def set_control(connection: Connection, name: str, value: str | None) -> None:
    connection.execute(text("DELETE FROM eod_control WHERE name = :name"), {"name": name})
    if value is not None:
        connection.execute(
            text("INSERT INTO eod_control (name, value) VALUES (:name, :value)"),
            {"name": name, "value": value},
        )


def _control(uow: UnitOfWork, name: str) -> str | None:
    found = uow.session.execute(
        text("SELECT value FROM eod_control WHERE name = :name"), {"name": name}
    ).scalar()
    return None if found is None else str(found)


def item_bounds(uow: UnitOfWork, company_id: int, business_date: date) -> tuple[int, int] | None:
    low, high = uow.session.execute(
        text("SELECT MIN(id), MAX(id) FROM eod_items WHERE company_id = :company"),
        {"company": company_id},
    ).one()
    return None if low is None else (int(low), int(high))


def _items(uow: UnitOfWork, company_id: int, low: int, high: int) -> list[int]:
    return [
        int(item)
        for item in uow.session.execute(
            text(
                "SELECT id FROM eod_items WHERE company_id = :company AND id BETWEEN :low AND :high"
                " ORDER BY id"
            ),
            {"company": company_id, "low": low, "high": high},
        ).scalars()
    ]


def _write(uow: UnitOfWork, step: str, business_date: date, item: int, seen: int) -> None:
    uow.session.execute(
        text(
            "INSERT INTO eod_scratch (key, step, business_date, item, seen)"
            " VALUES (:key, :step, :day, :item, :seen)"
        ),
        {
            "key": f"{step}:{item}:{business_date.isoformat()}",
            "step": step,
            "day": business_date.isoformat(),
            "item": item,
            "seen": seen,
        },
    )


def first(
    uow: UnitOfWork, company_id: int, business_date: date, low: int, high: int, *, now: datetime
) -> Counts:
    busy_once = _control(uow, "busy_once")
    if busy_once is not None and not Path(busy_once).exists():
        Path(busy_once).touch()
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    fail_item = _control(uow, "fail_item")
    pause = _control(uow, "sleep")
    items = _items(uow, company_id, low, high)
    for item in items:
        if fail_item is not None and item == int(fail_item):
            raise RuntimeError(f"item {item} refused")
        _write(uow, "first", business_date, item, 0)
    if pause is not None:
        time.sleep(float(pause))
    return {"items": len(items), "partitions": 1}


def second(
    uow: UnitOfWork, company_id: int, business_date: date, low: int, high: int, *, now: datetime
) -> Counts:
    seen = uow.session.execute(
        text("SELECT COUNT(*) FROM eod_scratch WHERE step = 'first' AND business_date = :day"),
        {"day": business_date.isoformat()},
    ).scalar_one()
    items = _items(uow, company_id, low, high)
    for item in items:
        _write(uow, "second", business_date, item, int(seen))
    pause = _control(uow, "sleep_second")
    if pause is not None:
        time.sleep(float(pause))
    return {"items": len(items)}


def subledger_balances(uow: UnitOfWork, company_id: int, as_of: date) -> dict[str, Decimal]:
    configured = _control(uow, "subledger")
    if configured is None:
        return {}
    return {account: Decimal(amount) for account, amount in json.loads(configured).items()}


STEPS = [
    Step.partitioned("scratch.first", 10, run=first, bounds=item_bounds),
    Step.partitioned("scratch.second", 20, run=second, bounds=item_bounds),
]

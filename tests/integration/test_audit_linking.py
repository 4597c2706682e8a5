"""Audit records linked as they are written: several in one statement, in the order staged, and
on PostgreSQL after whatever a racing transaction appended while the statement waited for the
head's lock."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.db.audit import Actor, append_audit
from microlend.db.tables import AuditRecord
from microlend.db.uow import UnitOfWork
from microlend.kernel.fingerprint import digest
from tests.integration.test_races import in_two_threads
from tests.seed import World

NAMES = ("plain", '"prev_hash":""', "张三\n\t\\", "")


def _append(world: World, uow: UnitOfWork, name: str, *, staged: bool = True) -> None:
    append_audit(
        uow.session,
        actor=Actor(None, name, world.company_id, "test"),
        command="tests.link",
        outcome="ok",
        input_digest=digest(name),
        now=world.now,
        staged=uow.staged if staged else None,
    )


def _linked(world: World) -> list[AuditRecord]:
    with world.make_uow(read_only=True) as uow:
        found = select(AuditRecord).where(AuditRecord.command == "tests.link")
        return list(uow.session.scalars(found.order_by(AuditRecord.seq)))


def _verify(world: World) -> list[object]:
    with world.make_uow(read_only=True) as uow:
        return list(auth.verify_audit(uow, world.principal("auditor")))


def test_records_staged_together_are_linked_in_order(world: World) -> None:
    with world.make_uow() as uow:
        for name in NAMES:
            _append(world, uow, name)
        uow.flush_staged()
        _append(world, uow, "written at once", staged=False)
        _append(world, uow, "staged after")
        uow.commit()
    rows = _linked(world)
    assert [row.username for row in rows] == [*NAMES, "written at once", "staged after"]
    assert [row.seq for row in rows] == list(range(rows[0].seq, rows[0].seq + len(rows)))
    assert all(row.prev_hash == before.hash for before, row in pairwise(rows))
    assert _verify(world) == []


def test_records_of_a_rolled_back_transaction_leave_no_gap(world: World) -> None:
    with world.make_uow() as uow:
        _append(world, uow, "undone")
        uow.flush_staged()
        uow.rollback()
    with world.make_uow() as uow:
        _append(world, uow, "kept")
        uow.commit()
    assert [row.username for row in _linked(world)] == ["kept"]
    assert _verify(world) == []


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_a_record_waiting_for_the_head_links_after_the_one_it_waited_for(world: World) -> None:
    held, waiting = threading.Event(), threading.Event()

    def work(index: int) -> object:
        with world.make_uow() as uow:
            if index == 0:
                _append(world, uow, "first")
                uow.flush_staged()  # the head is locked until this commits
                held.set()
                waiting.wait(timeout=10)
                time.sleep(0.3)  # the other statement is (most likely) queued on the lock
            else:
                held.wait(timeout=10)
                waiting.set()
                _append(world, uow, "second")
                uow.flush_staged()
            uow.commit()
        return index

    assert in_two_threads(work) == [0, 1]
    rows = _linked(world)
    assert [row.username for row in rows] == ["first", "second"]
    assert rows[1].prev_hash == rows[0].hash and rows[1].seq == rows[0].seq + 1
    assert _verify(world) == []


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_batches_of_records_from_two_threads_keep_one_line(world: World) -> None:
    def work(index: int) -> object:
        for batch in range(5):
            with world.make_uow() as uow:
                for n in range(3):
                    _append(world, uow, f"t{index}-{batch}-{n}")
                uow.commit()
        return index

    assert in_two_threads(work) == [0, 1]
    rows = _linked(world)
    assert len(rows) == 30
    assert [row.seq for row in rows] == list(range(rows[0].seq, rows[0].seq + 30))
    by_name = {row.username: row.seq for row in rows}
    for index in (0, 1):  # each transaction's records are consecutive, in the order staged
        for batch in range(5):
            seqs = [by_name[f"t{index}-{batch}-{n}"] for n in range(3)]
            assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert _verify(world) == []

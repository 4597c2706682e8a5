"""Two threads on PostgreSQL: row locks keep decisions single and the audit chain a line."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from microlend.auth import service as auth
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.orgs import service as orgs
from tests.seed import PASSWORD, World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def in_two_threads(work: Callable[[int], object]) -> list[object]:
    """Run ``work(0)`` and ``work(1)`` at the same moment; their results or errors, in order."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except (DomainError, AssertionError) as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def waiting_on_a_lock(engine: Engine) -> int:
    """How many sessions of this database wait on a lock now. Each call reads in a transaction of
    its own: within one transaction PostgreSQL keeps the first snapshot of pg_stat_activity."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def test_two_checkers_approving_at_once_run_the_command_once(world: World) -> None:
    admin = world.principal("admin")
    with world.make_uow() as uow:
        auth.create_user(
            uow,
            admin,
            username="admin3",
            password=PASSWORD,
            display_name="A3",
            office_id=world.offices["hq"],
            roles=["admin"],
            scope="company",
            now=world.now,
        )
        auth.configure_maker_checker(
            uow, admin, command_name="orgs.office.create", enabled=True, now=world.now
        )
        uow.commit()
    with world.make_uow() as uow:
        pending = orgs.create_office(
            uow, admin, parent_id=world.offices["hq"], code="RACE", name="Race", now=world.now
        )
        uow.commit()
    assert isinstance(pending, Pending)
    with world.make_uow(read_only=True) as uow:
        world.user_ids["admin3"] = auth.user_by_username(uow, admin, username="admin3").id
    checkers = [world.principal("admin2"), world.principal("admin3")]

    def approve(index: int) -> object:
        with world.make_uow() as uow:
            done = auth.approve_pending(
                uow, checkers[index], pending_id=pending.pending_id, now=world.now
            )
            uow.commit()
            return done

    results = in_two_threads(approve)
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].code == "decided", results
    with world.make_uow(read_only=True) as uow:
        offices = orgs.list_offices(uow, admin, q="RACE").items
        verdict = auth.verify_audit(uow, world.principal("auditor"))
    assert [office.code for office in offices] == ["RACE"]
    assert verdict == []


def test_concurrent_commands_keep_the_audit_chain_intact(world: World) -> None:
    admin, admin2 = world.principal("admin"), world.principal("admin2")

    def create_offices(index: int) -> object:
        for number in range(5):
            with world.make_uow() as uow:
                orgs.create_office(
                    uow,
                    (admin, admin2)[index],
                    parent_id=world.offices["hq"],
                    code=f"T{index}-{number}",
                    name="Thread",
                    now=world.now,
                )
                uow.commit()
        return index

    assert in_two_threads(create_offices) == [0, 1]
    with world.make_uow(read_only=True) as uow:
        assert auth.verify_audit(uow, world.principal("auditor")) == []
        assert len(orgs.list_offices(uow, admin, q="T", limit=100).items) == 10

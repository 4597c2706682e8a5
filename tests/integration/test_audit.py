"""The audit chain: every command leaves a record; tampering is detected and named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from microlend.auth import service as auth
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden
from microlend.orgs import service as orgs
from tests.seed import World


def records(world: World) -> list[AuditRecord]:
    with world.make_uow(read_only=True) as uow:
        return list(uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def verify(world: World) -> list[tuple[int, str]]:
    with world.make_uow(read_only=True) as uow:
        problems = auth.verify_audit(uow, world.principal("auditor"))
    return [(problem.seq, problem.kind) for problem in problems]


def tamper(engine: Engine, *statements: str) -> None:
    """As a database superuser would: around the append-only trigger on PostgreSQL."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        for statement in statements:
            connection.execute(text(statement))
        if postgres:
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def test_every_command_is_recorded_with_digests(world: World) -> None:
    rows = records(world)
    commands = {row.command for row in rows}
    assert {"orgs.company.found", "orgs.office.create", "auth.user.create"} <= commands
    assert all(len(row.input_digest) == 64 and len(row.hash) == 64 for row in rows)
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert verify(world) == []


def test_a_refused_command_is_recorded_though_its_transaction_rolls_back(world: World) -> None:
    before = len(records(world))
    with pytest.raises(Forbidden), world.make_uow() as uow:
        orgs.create_office(
            uow,
            world.principal("officer_a"),
            parent_id=world.offices["a"],
            code="Z1",
            name="Nope",
            now=world.now,
        )
    after = records(world)
    assert len(after) == before + 1
    last = after[-1]
    assert (last.username, last.command, last.outcome, last.error_code) == (
        "officer_a",
        "orgs.office.create",
        "denied",
        "permission_denied",
    )
    assert last.address == "test"
    assert verify(world) == []


def test_a_changed_record_is_named(world: World, engine: Engine) -> None:
    tamper(engine, "UPDATE audit_log SET username = 'mallory' WHERE seq = 3")
    assert verify(world) == [(3, "changed")]


def test_a_removed_record_is_named(world: World, engine: Engine) -> None:
    tamper(engine, "DELETE FROM audit_log WHERE seq = 4")
    assert verify(world) == [(4, "removed")]


def test_removing_the_newest_records_is_noticed(world: World, engine: Engine) -> None:
    last = len(records(world))
    tamper(engine, f"DELETE FROM audit_log WHERE seq >= {last - 1}")
    assert verify(world) == [(last - 1, "removed")]


def test_removing_and_renumbering_is_noticed(world: World, engine: Engine) -> None:
    tamper(
        engine,
        "DELETE FROM audit_log WHERE seq = 5",
        "UPDATE audit_log SET seq = seq - 1 WHERE seq > 5",
    )
    assert (5, "removed") in verify(world)


def test_reordered_records_are_named(world: World, engine: Engine) -> None:
    tamper(
        engine,
        "UPDATE audit_log SET seq = -1 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -1",
    )
    # 3 and 4 swapped places; 5 now follows the wrong record, so its link is named too.
    assert verify(world) == [(3, "reordered"), (4, "reordered"), (5, "reordered")]


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_postgres_itself_refuses_to_change_the_audit_log(world: World, engine: Engine) -> None:
    for statement in (
        "UPDATE audit_log SET username = 'x' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert verify(world) == []


def test_audit_needs_its_permissions(world: World) -> None:
    with world.make_uow(read_only=True) as uow:
        with pytest.raises(Forbidden):
            auth.verify_audit(uow, world.principal("officer_a"))
        with pytest.raises(Forbidden):
            auth.list_audit(uow, world.principal("manager"))
        page = auth.list_audit(uow, world.principal("auditor"), limit=5)
        newest = uow.session.scalar(
            select(func.max(AuditRecord.seq)).where(AuditRecord.company_id == world.company_id)
        )
    assert len(page.items) == 5 and page.items[0].seq == newest


def test_no_record_outside_the_company_is_listed(world: World) -> None:
    with world.make_uow(read_only=True) as uow:
        page = auth.list_audit(uow, world.principal("mld_admin"), limit=500)
    assert page.items and {item.company_id for item in page.items} == {world.other_company_id}


def test_update_of_the_orm_row_is_refused_on_postgres_or_detected(world: World) -> None:
    """However a change gets in, verification names it."""
    try:
        with world.make_uow() as uow:
            uow.session.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(outcome="x"))
            uow.commit()
    except DBAPIError:
        assert verify(world) == []
    else:
        assert verify(world) == [(2, "changed")]

"""A command's rows written with the ``COMMIT`` (``UnitOfWork.defer_staged``, ``commit``), on
PostgreSQL: one round trip for both; a statement before the commit reads what the command wrote;
a unit of work left without committing writes nothing, on its connection's next use neither; a
refusal by the rows' checks at the commit is audited once, as the command's; the session
committed directly still writes them; a second command writes the first's rows first, and so
does a commit after changes of the session that refer to them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from psycopg._connection_base import BaseConnection
from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, select, text
from sqlalchemy.orm import registry

from microlend.accounting import service as ledger
from microlend.db.engine import create_engine_for
from microlend.db.tables import AuditRecord
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.kernel.errors import RuleViolation
from microlend.loans import service as loans
from tests.integration.loans_support import disbursed, set_business_date
from tests.integration.test_ledger_staged_postings import close_directly
from tests.seed import World

pytestmark = pytest.mark.postgres
on_postgres = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


@pytest.fixture
def own_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The commands psycopg sends of its own (``COMMIT``, ``ROLLBACK``...)."""
    sent: list[bytes] = []
    original = BaseConnection._exec_command

    def spy(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(command if isinstance(command, bytes) else str(command).encode())
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(BaseConnection, "_exec_command", spy)
    yield sent


def repay(uow: UnitOfWork, world: World, loan_id: int, amount: str = "100.00") -> None:
    loans.repay(uow, world.principal("finance"), loan_id=loan_id, amount=amount, now=world.now)


def kinds(world: World, loan_id: int) -> list[str]:
    with world.make_uow(read_only=True) as uow:
        events = loans.events(uow, world.principal("finance"), loan_id=loan_id)
        return [event.kind for event in events]


def books_agree(world: World) -> bool:
    with world.make_uow(read_only=True) as uow:
        return ledger.check_ledger(uow, world.principal("finance")) == []


@on_postgres
def test_a_repayment_commits_with_its_write(world: World, own_commands: list[bytes]) -> None:
    loan = disbursed(world)
    own_commands.clear()
    with world.make_uow() as uow:
        repay(uow, world, loan.id)
        uow.commit()
    assert b"COMMIT" not in own_commands  # the COMMIT went with the write, on the driver
    assert kinds(world, loan.id) == ["disbursement", "repayment"]
    assert books_agree(world)


@on_postgres
def test_a_statement_before_the_commit_reads_what_the_command_wrote(world: World) -> None:
    loan = disbursed(world)
    finance = world.principal("finance")
    with world.make_uow() as uow:
        repay(uow, world, loan.id)
        read = [event.kind for event in loans.events(uow, finance, loan_id=loan.id)]
        uow.commit()
    assert read == ["disbursement", "repayment"]
    assert kinds(world, loan.id) == ["disbursement", "repayment"]
    assert books_agree(world)


@on_postgres
def test_a_unit_of_work_left_without_commit_writes_nothing_later(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow:
        repay(uow, world, loan.id)
    for _ in range(3):  # the pool hands the connection out again: nothing was left on it
        with world.make_uow() as uow:
            uow.session.execute(text("SELECT 1"))
            uow.commit()
    assert kinds(world, loan.id) == ["disbursement"]
    assert books_agree(world)


@on_postgres
def test_the_session_committed_directly_writes_the_commands_rows(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow:
        repay(uow, world, loan.id)
        uow.session.commit()
    assert kinds(world, loan.id) == ["disbursement", "repayment"]
    assert books_agree(world)


@on_postgres
def test_a_second_command_writes_the_firsts_rows_first(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow:
        repay(uow, world, loan.id)
        repay(uow, world, loan.id, "50.00")
        uow.commit()
    assert kinds(world, loan.id) == ["disbursement", "repayment", "repayment"]
    assert books_agree(world)


@on_postgres
def test_a_refusal_at_the_commit_is_the_commands_and_audited_once(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    close_directly(world, "2025-02")
    with pytest.raises(RuleViolation) as refused, world.make_uow() as uow:
        repay(uow, world, loan.id)
        uow.commit()
    assert refused.value.code == "period_closed"
    assert repayments_audited(world) == [("failed", "period_closed")]
    assert kinds(world, loan.id) == ["disbursement"]


@on_postgres
def test_a_refusal_the_next_command_finds_is_the_firsts_and_audited_once(world: World) -> None:
    """The second command writes the first's rows before it runs: their refusal is the
    first command's (audited as it), and the second, which did not run, adds no record."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    close_directly(world, "2025-02")
    with pytest.raises(RuleViolation) as refused, world.make_uow() as uow:
        repay(uow, world, loan.id)
        repay(uow, world, loan.id, "50.00")
    assert refused.value.code == "period_closed"
    assert repayments_audited(world) == [("failed", "period_closed")]
    assert kinds(world, loan.id) == ["disbursement"]


def repayments_audited(world: World) -> list[tuple[str, str | None]]:
    with world.make_uow(read_only=True) as uow:
        found = uow.session.execute(
            select(AuditRecord.outcome, AuditRecord.error_code)
            .where(AuditRecord.command == "loans.repay")
            .order_by(AuditRecord.seq)
        ).all()
    return [(outcome, code) for outcome, code in found]


@dataclass
class Child:
    id: int
    parent_id: int


@pytest.fixture
def parent_and_child(pg_server_url: str) -> Iterator[tuple[Engine, Table]]:
    """Tables of their own (tests run side by side on one server): a child refers to its
    parent; ``Child`` is mapped to the child's."""
    suffix = uuid.uuid4().hex[:12]
    parent = Table(f"parent_{suffix}", MetaData(), Column("id", BigInteger, primary_key=True))
    child = Table(
        f"child_{suffix}",
        MetaData(),
        Column("id", BigInteger, primary_key=True),
        Column("parent_id", BigInteger),
    )
    engine = create_engine_for(pg_server_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {parent.name} (id bigint PRIMARY KEY)"))
        connection.execute(
            text(
                f"CREATE TABLE {child.name} (id bigint PRIMARY KEY, "
                f"parent_id bigint NOT NULL REFERENCES {parent.name})"
            )
        )
    mapped = registry()
    mapped.map_imperatively(Child, child)
    yield engine, parent
    mapped.dispose()
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {child.name}, {parent.name}"))
    engine.dispose()


def test_changes_of_the_session_after_a_command_are_written_after_its_rows(
    parent_and_child: tuple[Engine, Table],
) -> None:
    engine, parent = parent_and_child
    refused: list[Exception] = []
    with UnitOfWork(make_session_factory(engine)) as uow:
        uow.staged.insert(parent, [{"id": 1}])
        uow.defer_staged(refused.append)  # as a command that is the first of its transaction
        uow.session.add(Child(id=10, parent_id=1))
        uow.commit()
    with engine.connect() as connection:
        written = connection.execute(text(f"SELECT count(*) FROM {parent.name}")).scalar()
    assert (written, refused) == (1, [])

"""``rule_in_lock`` commands whose handler does not read the rule with its first statement (it
failed before, or forgot): the command runner reads the rule itself, and a command that is to
wait is undone and stored as pending, exactly as a command that asked first."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from microlend.auth import service as auth
from microlend.db import commands
from microlend.db.commands import Done, Pending, command, run_command
from microlend.db.tables import AuditRecord, PendingCommand
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal
from tests.seed import World

FAILS, FORGETS = "tests.lock.fails_first", "tests.lock.forgets"


def _fails(uow: UnitOfWork, actor: Principal, payload: dict[str, Any], *, now: Any) -> Done:
    raise ValidationFailed("is wrong", field="x")


def _forgets(uow: UnitOfWork, actor: Principal, payload: dict[str, Any], *, now: Any) -> Done:
    auth.list_audit(uow, actor, limit=1)  # a statement that reads no rule
    return Done(entity_id=1, change={"done": True})


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two commands, registered for these tests only (no other test lists them)."""
    monkeypatch.setattr(commands, "_REGISTRY", dict(commands._REGISTRY))
    for name, handler in ((FAILS, _fails), (FORGETS, _forgets)):
        command(name, entity_type="test", open_to_all=True, rule_in_lock=True)(handler)


def _rule(world: World, name: str, enabled: bool) -> None:
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name=name, enabled=enabled, now=world.now
        )
        uow.commit()


def _run(world: World, name: str) -> Done | Pending:
    with world.make_uow() as uow:
        outcome = run_command(uow, world.principal("admin"), name, {"x": 1}, now=world.now)
        uow.commit()
    return outcome


def _outcomes(world: World, name: str) -> list[str]:
    with world.make_uow(read_only=True) as uow:
        found = select(AuditRecord.outcome).where(AuditRecord.command == name)
        return list(uow.session.scalars(found.order_by(AuditRecord.seq)))


def test_a_handler_failing_before_its_lock_waits_if_a_checker_is_needed(world: World) -> None:
    _rule(world, FAILS, True)
    assert isinstance(_run(world, FAILS), Pending)
    _rule(world, FAILS, False)
    with pytest.raises(ValidationFailed) as caught:
        _run(world, FAILS)
    assert caught.value.field == "x"
    assert _outcomes(world, FAILS) == ["pending", "failed"]


def test_a_handler_that_read_no_rule_is_undone_when_a_checker_is_needed(world: World) -> None:
    assert isinstance(_run(world, FORGETS), Done)
    _rule(world, FORGETS, True)
    assert isinstance(_run(world, FORGETS), Pending)
    assert _outcomes(world, FORGETS) == ["ok", "pending"]  # the second run's "ok" was undone
    with world.make_uow(read_only=True) as uow:
        waiting = select(func.count()).where(PendingCommand.command == FORGETS)
        assert uow.session.scalar(waiting) == 1

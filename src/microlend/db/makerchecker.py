"""Maker-checker (四眼原则): the checker's inbox, approval and rejection, and the per-command
switch. ``auth.service`` re-exports these; they live here so every context's commands can use them.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from microlend.db.audit import Actor, append_audit
from microlend.db.commands import (
    Done,
    Payload,
    Pending,
    audit_refusal,
    command,
    command_spec,
    execute,
    registered_commands,
    run_command,
)
from microlend.db.tables import MakerCheckerRule, PendingCommand
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal, require

APPROVE = "makerchecker.approve"
CONFIGURE = "makerchecker.configure"


@dataclass(frozen=True)
class PendingView:
    id: int
    command: str
    summary: str
    payload: dict[str, Any]
    maker_id: int | None
    maker_username: str
    office_id: int
    created_at: datetime
    status: str
    checker_username: str | None
    decided_at: datetime | None
    reason: str | None
    entity_id: str | None
    can_decide: bool


def _view(row: PendingCommand, actor: Principal) -> PendingView:
    spec = command_spec(row.command)
    payload = {k: v for k, v in json.loads(row.payload).items() if k not in spec.hidden_fields}
    return PendingView(
        id=row.id,
        command=row.command,
        summary=row.summary,
        payload=payload,
        maker_id=row.maker_id,
        maker_username=row.maker_username,
        office_id=row.office_id,
        created_at=row.created_at,
        status=row.status,
        checker_username=row.checker_username,
        decided_at=row.decided_at,
        reason=row.reason,
        entity_id=row.entity_id,
        can_decide=_may_decide(actor, row, spec.permission),
    )


def _may_decide(actor: Principal, row: PendingCommand, permission: str | None) -> bool:
    is_maker = row.maker_id is not None and row.maker_id == actor.user_id
    allowed = actor.can(APPROVE) and (permission is None or actor.can(permission))
    return row.status == "pending" and not is_maker and allowed


def _visible(actor: Principal, row: PendingCommand) -> bool:
    own = row.maker_id is not None and row.maker_id == actor.user_id
    return own or (actor.can(APPROVE) and actor.sees_office(row.company_id, row.office_id))


def list_pending(
    uow: UnitOfWork, actor: Principal, *, status: str = "pending"
) -> list[PendingView]:
    """The checker's inbox: pending commands the actor may see (their own, and — for checkers —
    those of the offices in their scope)."""
    stmt = (
        select(PendingCommand)
        .where(
            PendingCommand.company_id.in_(sorted(actor.company_ids)),
            PendingCommand.status == status,
        )
        .order_by(PendingCommand.id)
    )
    rows = uow.session.scalars(stmt).all()
    return [_view(row, actor) for row in rows if _visible(actor, row)]


def _load_for_decision(uow: UnitOfWork, actor: Principal, pending_id: int) -> PendingCommand:
    require(actor, APPROVE)
    row = uow.session.scalars(
        select(PendingCommand).where(PendingCommand.id == pending_id).with_for_update()
    ).one_or_none()
    if row is None or not _visible(actor, row):
        raise NotFound(
            "pending command %(pending_id)s not found",
            code="pending_not_found",
            params={"pending_id": pending_id},
        )
    if row.status != "pending":
        raise Conflict(
            "pending command %(pending_id)s is already %(status)s",
            code="decided",
            params={"pending_id": pending_id, "status": row.status},
        )
    if row.maker_id is not None and row.maker_id == actor.user_id:
        raise Forbidden("no one approves their own command", code="own_command")
    permission = command_spec(row.command).permission
    if permission is not None:
        require(actor, permission)
    return row


def approve_pending(uow: UnitOfWork, actor: Principal, *, pending_id: int, now: datetime) -> Done:
    """Run the pending command as its maker; the audit record names the checker."""
    try:
        row = _load_for_decision(uow, actor, pending_id)
        spec = command_spec(row.command)
        maker = Principal.from_snapshot(json.loads(row.maker_snapshot))
        done = execute(
            uow,
            maker,
            spec,
            json.loads(row.payload),
            now=now,
            outcome="approved",
            audited_as=Actor.of(actor),
        )
    except DomainError as error:
        audit_refusal(
            uow, Actor.of(actor), APPROVE, digest({"pending_id": pending_id}), error, now=now
        )
        raise
    row.status, row.checker_id, row.checker_username = "approved", actor.user_id, actor.username
    row.decided_at = now
    row.entity_id = None if done.entity_id is None else str(done.entity_id)
    return done


def reject_pending(
    uow: UnitOfWork, actor: Principal, *, pending_id: int, reason: str, now: datetime
) -> PendingView:
    input_digest = digest({"pending_id": pending_id, "reason": reason})
    try:
        if not reason.strip():
            raise ValidationFailed("a rejection needs a reason", field="reason")
        row = _load_for_decision(uow, actor, pending_id)
    except DomainError as error:
        audit_refusal(uow, Actor.of(actor), "makerchecker.reject", input_digest, error, now=now)
        raise
    row.status, row.checker_id, row.checker_username = "rejected", actor.user_id, actor.username
    row.decided_at, row.reason = now, reason.strip()[:500]
    append_audit(
        uow.session,
        actor=Actor.of(actor),
        command=row.command,
        outcome="rejected",
        input_digest=input_digest,
        entity_type="pending_command",
        entity_id=row.id,
        now=now,
    )
    return _view(row, actor)


@command(
    CONFIGURE,
    entity_type="maker_checker_rule",
    summary=lambda p: f"maker-checker {'on' if p['enabled'] else 'off'} for {p['command']}",
)
def _configure(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    name, enabled = payload["command"], bool(payload["enabled"])
    try:
        checkable = command_spec(name).checkable
    except LookupError:
        raise ValidationFailed(
            "unknown command %(name)s", field="command", params={"name": name}
        ) from None
    if not checkable:
        raise ValidationFailed(
            "%(name)s cannot wait for a checker", field="command", params={"name": name}
        )
    rule = uow.session.scalars(
        select(MakerCheckerRule).where(
            MakerCheckerRule.company_id == actor.company_id, MakerCheckerRule.command == name
        )
    ).one_or_none()
    if rule is None:
        rule = MakerCheckerRule(company_id=actor.company_id, command=name)
        uow.session.add(rule)
    rule.enabled, rule.updated_at, rule.updated_by = enabled, now, actor.username
    uow.session.flush()
    return Done(entity_id=rule.id, value=enabled, change={"command": name, "enabled": enabled})


def maker_checker_rules(uow: UnitOfWork, actor: Principal) -> dict[str, bool]:
    """Every command that may wait for a checker, and whether it does in the actor's company:
    the company's rule, or the command's default (``checked_by_default``) where it set none."""
    rows = uow.session.scalars(
        select(MakerCheckerRule).where(MakerCheckerRule.company_id == actor.company_id)
    ).all()
    rules = {row.command: row.enabled for row in rows}
    specs = [command_spec(name) for name in registered_commands()]
    return {s.name: rules.get(s.name, s.checked_by_default) for s in specs if s.checkable}


def pending_about(
    uow: UnitOfWork, actor: Principal, *, commands: Collection[str], key: str, value: object
) -> list[PendingView]:
    """The pending commands among ``commands`` in the actor's companies whose payload holds
    ``key: value`` (a loan's waiting requests, say). The caller has checked that the actor may
    see that entity; ``can_decide`` says whether the actor may approve each one."""
    rows = uow.session.scalars(
        select(PendingCommand)
        .where(
            PendingCommand.company_id.in_(sorted(actor.company_ids)),
            PendingCommand.status == "pending",
            PendingCommand.command.in_(sorted(commands)),
        )
        .order_by(PendingCommand.id)
    ).all()
    return [_view(row, actor) for row in rows if json.loads(row.payload).get(key) == value]


def configure_maker_checker(
    uow: UnitOfWork, actor: Principal, *, command_name: str, enabled: bool, now: datetime
) -> Done | Pending:
    """Switch maker-checker on or off for ``command_name`` in the actor's company."""
    payload = {"command": command_name, "enabled": enabled}
    return run_command(uow, actor, CONFIGURE, payload, now=now)

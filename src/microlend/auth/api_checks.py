"""``/api/v1`` routes of maker-checker (the checker's inbox) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.auth import service
from microlend.auth.schemas import (
    ApprovalOut,
    AuditEntryOut,
    ChainProblemOut,
    ChainVerdictOut,
    MakerCheckerRuleIn,
    PendingItemOut,
    Rejection,
)
from microlend.kernel.ids import Id
from microlend.kernel.principal import require
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1")


@router.get("/maker-checker/pending", response_model=list[PendingItemOut], tags=["maker-checker"])
def list_pending(uow: UowDep, actor: PrincipalDep) -> list[PendingItemOut]:
    """The checker's inbox: commands waiting for a second person (and the caller's own)."""
    return [PendingItemOut.model_validate(item) for item in service.list_pending(uow, actor)]


@router.post(
    "/maker-checker/pending/{pending_id}/approve",
    response_model=ApprovalOut,
    tags=["maker-checker"],
)
def approve(pending_id: Id, command: CommandDep) -> Response:
    def run() -> ApprovalOut:
        done = service.approve_pending(
            command.uow, command.actor, pending_id=pending_id, now=command.now
        )
        entity = None if done.entity_id is None else str(done.entity_id)
        return ApprovalOut(pending_id=pending_id, entity_id=entity)

    return command.respond(run, status_code=200)


@router.post(
    "/maker-checker/pending/{pending_id}/reject",
    response_model=PendingItemOut,
    tags=["maker-checker"],
)
def reject(pending_id: Id, body: Rejection, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.reject_pending(
            command.uow, command.actor, pending_id=pending_id, reason=body.reason, now=command.now
        ),
        PendingItemOut.model_validate,
        status_code=200,
    )


@router.get("/maker-checker/rules", response_model=dict[str, bool], tags=["maker-checker"])
def list_rules(uow: UowDep, actor: PrincipalDep) -> dict[str, bool]:
    require(actor, "makerchecker.configure")
    return service.maker_checker_rules(uow, actor)


@router.post("/maker-checker/rules", response_model=dict[str, bool], tags=["maker-checker"])
def set_rule(body: MakerCheckerRuleIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.configure_maker_checker(
            command.uow,
            command.actor,
            command_name=body.command,
            enabled=body.enabled,
            now=command.now,
        ),
        lambda _: {body.command: body.enabled},
        status_code=200,
    )


@router.get("/audit", response_model=PageOut[AuditEntryOut], tags=["audit"])
def list_audit(
    uow: UowDep,
    actor: PrincipalDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
    command: str | None = None,
    username: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    outcome: str | None = None,
) -> PageOut[AuditEntryOut]:
    """Audit records, newest first, filtered by command, user, entity or outcome."""
    page = service.list_audit(
        uow,
        actor,
        cursor=cursor,
        limit=limit,
        command=command,
        username=username,
        entity_type=entity_type,
        entity_id=entity_id,
        outcome=outcome,
    )
    return page_out(page, AuditEntryOut.model_validate)


@router.get("/audit/verify", response_model=ChainVerdictOut, tags=["audit"])
def verify_audit(uow: UowDep, actor: PrincipalDep) -> ChainVerdictOut:
    """Walk the hash chain; names every changed, removed or reordered record."""
    problems = [ChainProblemOut.model_validate(p) for p in service.verify_audit(uow, actor)]
    return ChainVerdictOut(intact=not problems, problems=problems)

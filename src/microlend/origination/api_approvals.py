"""``/api/v1/approvals`` and ``/api/v1/approval-chains``: the approver's inbox, an application's
approval with its history, decisions and committee votes, and the chains' configuration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.kernel.ids import Id
from microlend.origination import approval_chains, approvals
from microlend.origination.approval_schemas import (
    ApprovalOut,
    ApprovalOverviewOut,
    ChainIn,
    ChainOut,
    DecisionIn,
    InboxItemOut,
    StepOut,
)
from microlend.origination.approval_views import Conditions
from microlend.web.kit.deps import NowDep, PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut

router = APIRouter(prefix="/api/v1", tags=["approvals"])
APPLICATION = "/approvals/applications/{application_id}"
PENDING: dict[int | str, dict[str, Any]] = {202: {"model": PendingOut, "description": "Pending"}}


@router.get("/approvals/inbox", response_model=list[InboxItemOut])
def approval_inbox(uow: UowDep, actor: PrincipalDep, now: NowDep) -> list[InboxItemOut]:
    """Applications waiting for the caller's decision, oldest first, with SLA due times."""
    return [InboxItemOut.model_validate(item) for item in approvals.inbox(uow, actor, now=now)]


@router.get(APPLICATION, response_model=ApprovalOverviewOut)
def approval_of_application(
    application_id: Id, uow: UowDep, actor: PrincipalDep
) -> ApprovalOverviewOut:
    """The application's current approval, its full history, and whether the caller may act."""
    overview = approvals.approval_overview(uow, actor, application_id=application_id)
    return ApprovalOverviewOut.model_validate(overview)


@router.get(APPLICATION + "/history", response_model=list[StepOut])
def approval_history(application_id: Id, uow: UowDep, actor: PrincipalDep) -> list[StepOut]:
    history = approvals.approval_history(uow, actor, application_id=application_id)
    return [StepOut.model_validate(step) for step in history]


@router.post(APPLICATION + "/decisions", status_code=201, response_model=ApprovalOut)
def decide(application_id: Id, body: DecisionIn, command: CommandDep) -> Response:
    """Approve, reject, return for more information or approve with conditions at the current
    step (a committee member's vote). ``opinion`` is required."""
    conditions = None
    if body.conditions is not None:
        conditions = Conditions(**body.conditions.model_dump())
    return command.respond(
        lambda: approvals.act_on_application(
            command.uow,
            command.actor,
            application_id=application_id,
            action=body.action,
            opinion=body.opinion,
            conditions=conditions,
            now=command.now,
        ),
        ApprovalOut.model_validate,
    )


@router.get("/approval-chains", response_model=list[ChainOut])
def chains(
    uow: UowDep, actor: PrincipalDep, history: bool = False, company_id: Id | None = None
) -> list[ChainOut]:
    """The company's active approval chains (``history``: every version)."""
    views = approval_chains.list_chains(uow, actor, company_id=company_id, history=history)
    return [ChainOut.model_validate(view) for view in views]


@router.post("/approval-chains", status_code=201, response_model=ChainOut, responses=PENDING)
def save_chain(body: ChainIn, command: CommandDep) -> Response:
    """Save a chain: the next version of its code (approvals under way keep their steps)."""
    steps = [step.model_dump(mode="json") for step in body.steps]
    return command.respond(
        lambda: approval_chains.save_chain(
            command.uow,
            command.actor,
            code=body.code,
            name=body.name,
            steps=steps,
            now=command.now,
            product_code=body.product_code,
            office_id=body.office_id,
            min_amount=None if body.min_amount is None else str(body.min_amount),
            max_amount=None if body.max_amount is None else str(body.max_amount),
            company_id=body.company_id,
        ),
        ChainOut.model_validate,
    )


@router.post("/approval-chains/{code}/retire", response_model=ChainOut, responses=PENDING)
def retire_chain(code: str, command: CommandDep, company_id: Id | None = None) -> Response:
    return command.respond(
        lambda: approval_chains.retire_chain(
            command.uow, command.actor, code=code, now=command.now, company_id=company_id
        ),
        ChainOut.model_validate,
        status_code=200,
    )

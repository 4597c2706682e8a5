"""Reading approvals (rows to views) and the rule of who may act on a step, shared by the
approval commands (``approvals``) and queries (``approval_queries``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Forbidden
from microlend.kernel.principal import DataScope, Principal
from microlend.orgs import service as orgs
from microlend.origination import approval_model as rules
from microlend.origination import model as lifecycle
from microlend.origination.approval_model import Action, Location
from microlend.origination.approval_views import ApprovalStepView, ApprovalView, Conditions
from microlend.origination.records import from_minor
from microlend.origination.tables import Application
from microlend.origination.tables_approvals import (
    ApplicationApproval,
    ApprovalChain,
    ApprovalDecision,
    ApprovalStep,
)

APPROVE = "origination.approve"
UNDER_REVIEW = lifecycle.Status.UNDER_REVIEW.value

# --- reading -------------------------------------------------------------------------------------


def office_path(uow: UnitOfWork, office_id: int) -> list[int]:
    path = orgs.find_office(uow, office_id=office_id).path
    return [int(part) for part in path.strip("/").split("/") if part]


def steps_of(uow: UnitOfWork, approval_id: int) -> list[ApprovalStep]:
    return list(
        uow.session.scalars(
            select(ApprovalStep)
            .where(ApprovalStep.approval_id == approval_id)
            .order_by(ApprovalStep.position)
        )
    )


def decisions_of(uow: UnitOfWork, approval_ids: Iterable[int]) -> list[ApprovalDecision]:
    ids = sorted(set(approval_ids))
    if not ids:
        return []
    return list(
        uow.session.scalars(
            select(ApprovalDecision)
            .where(ApprovalDecision.approval_id.in_(ids))
            .order_by(ApprovalDecision.decided_at, ApprovalDecision.id)
        )
    )


def latest_approval(uow: UnitOfWork, application_id: int) -> ApplicationApproval | None:
    return uow.session.scalars(
        select(ApplicationApproval)
        .where(ApplicationApproval.application_id == application_id)
        .order_by(ApplicationApproval.round.desc())
        .limit(1)
    ).first()


def approval_view(uow: UnitOfWork, approval: ApplicationApproval) -> ApprovalView:
    chain = uow.session.get_one(ApprovalChain, approval.chain_id)
    decisions = decisions_of(uow, [approval.id])
    steps = tuple(
        ApprovalStepView(
            s.position,
            s.level_name,
            s.role_code,
            s.location,
            s.office_id,
            s.risk_review,
            s.quorum,
            s.committee_size,
            tuple(int(m) for m in s.members),
            s.status,
            s.activated_at,
            s.due_at,
            s.decided_at,
            sum(d.step_id == s.id and d.action in APPROVING for d in decisions),
            sum(d.step_id == s.id and d.action == Action.REJECT for d in decisions),
        )
        for s in steps_of(uow, approval.id)
    )
    return ApprovalView(
        approval.id,
        approval.application_id,
        approval.round,
        chain.id,
        chain.code,
        chain.version,
        approval.referred,
        approval.status,
        approval.started_at,
        approval.finished_at,
        steps,
    )


APPROVING = (Action.APPROVE.value, Action.APPROVE_WITH_CONDITIONS.value)


def conditions_view(raw: dict[str, Any] | None, currency: str) -> Conditions | None:
    if not raw:
        return None
    amount = raw.get("amount_minor")
    return Conditions(
        amount=None if amount is None else from_minor(int(amount), currency),
        term_count=raw.get("term_count"),
        extra_guarantor=bool(raw.get("extra_guarantor")),
        other=str(raw.get("other") or ""),
    )


def rule_conditions(raw: dict[str, Any]) -> rules.Conditions:
    return rules.Conditions(
        raw.get("amount_minor"),
        raw.get("term_count"),
        bool(raw.get("extra_guarantor")),
        str(raw.get("other") or ""),
    )


# --- who may act ---------------------------------------------------------------------------------


def _reaches(actor: Principal, app: Application, step: ApprovalStep) -> bool:
    if step.location == Location.GROUP:
        return actor.scope is DataScope.GROUP and actor.sees_company(app.company_id)
    return actor.sees_office(app.company_id, step.office_id) and actor.sees_office(
        app.company_id, app.office_id
    )


def refusal_of(
    actor: Principal,
    app: Application,
    step: ApprovalStep,
    *,
    acted: Iterable[int],
    investigators: frozenset[int],
) -> Forbidden | None:
    """Why ``actor`` may not act on ``step`` of ``app`` (``None``: they may)."""
    user = actor.user_id
    if user is None or not actor.can(APPROVE):
        return Forbidden("you may not approve applications", code="permission_denied")
    if user == app.owner_id:
        return Forbidden("no one approves an application they made", code="approver_is_maker")
    if user in investigators:
        return Forbidden(
            "no one approves an application they investigated", code="approver_is_investigator"
        )
    if user in set(acted):
        return Forbidden("you have acted in this approval already", code="approver_acted_already")
    if step.members and user not in {int(m) for m in step.members}:
        return Forbidden("you are not a member of this committee", code="not_committee_member")
    if step.role_code not in actor.roles:
        return Forbidden(
            "this step needs role %(role_code)s",
            code="approver_lacks_role",
            params={"role_code": step.role_code},
        )
    if not _reaches(actor, app, step):
        return Forbidden("this step sits outside your data scope", code="approver_out_of_scope")
    return None

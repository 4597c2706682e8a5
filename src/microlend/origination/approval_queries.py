"""Approval queries: the history of an application, its current approval, the approval page's
overview, and the approver's inbox with SLA due times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from microlend.db.scope import get_scoped, scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, DomainError
from microlend.kernel.principal import Principal, require
from microlend.orgs import service as orgs
from microlend.origination import approval_model as rules
from microlend.origination.approval_records import (
    APPROVE,
    APPROVING,
    UNDER_REVIEW,
    approval_view,
    conditions_view,
    decisions_of,
    latest_approval,
    refusal_of,
    rule_conditions,
    steps_of,
)
from microlend.origination.approval_views import ApprovalOverview, ApprovalView, InboxItem, StepView
from microlend.origination.investigation import investigator_ids
from microlend.origination.records import from_minor
from microlend.origination.tables import Application
from microlend.origination.tables_approvals import ApplicationApproval, ApprovalStep

# --- queries -------------------------------------------------------------------------------------


def _history(uow: UnitOfWork, app: Application) -> tuple[StepView, ...]:
    approvals = {
        a.id: a
        for a in uow.session.scalars(
            select(ApplicationApproval).where(ApplicationApproval.application_id == app.id)
        )
    }
    decisions = decisions_of(uow, approvals)
    steps = {
        s.id: s
        for s in uow.session.scalars(
            select(ApprovalStep).where(ApprovalStep.application_id == app.id)
        )
    }
    return tuple(
        StepView(
            d.id,
            approvals[d.approval_id].round,
            steps[d.step_id].position,
            steps[d.step_id].level_name,
            steps[d.step_id].committee_size > 1 or bool(steps[d.step_id].members),
            d.actor_id,
            d.actor_name,
            d.action,
            d.opinion,
            conditions_view(d.conditions, app.currency),
            d.decided_at,
        )
        for d in decisions
    )


def approval_history(uow: UnitOfWork, actor: Principal, *, application_id: int) -> list[StepView]:
    """Every decision on the application, every round, oldest first."""
    require(actor, "origination.view")
    app = get_scoped(uow.session, actor, Application, application_id)
    return list(_history(uow, app))


def current_approval(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> ApprovalView | None:
    """The latest approval of the application (``None``: never under review)."""
    require(actor, "origination.view")
    app = get_scoped(uow.session, actor, Application, application_id)
    approval = latest_approval(uow, app.id)
    return None if approval is None else approval_view(uow, approval)


def approval_overview(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> ApprovalOverview:
    """The approval page: current approval, history, and may the actor act now."""
    require(actor, "origination.view")
    app = get_scoped(uow.session, actor, Application, application_id)
    approval = latest_approval(uow, app.id)
    history = _history(uow, app)
    refusal: DomainError | None = Conflict("not waiting for approval", code="not_under_review")
    merged = None
    if approval is not None:
        decisions = decisions_of(uow, [approval.id])
        merged_rules = rules.merge_conditions(
            rule_conditions(d.conditions) for d in decisions if d.conditions
        )
        if merged_rules is not None:
            merged = conditions_view(
                {
                    "amount_minor": merged_rules.amount_minor,
                    "term_count": merged_rules.term_count,
                    "extra_guarantor": merged_rules.extra_guarantor,
                    "other": merged_rules.other,
                },
                app.currency,
            )
        pending = next((s for s in steps_of(uow, approval.id) if s.status == "pending"), None)
        if pending is not None and app.status == UNDER_REVIEW:
            refusal = refusal_of(
                actor,
                app,
                pending,
                acted=(d.actor_id for d in decisions),
                investigators=investigator_ids(uow, application_id=app.id),
            )
    return ApprovalOverview(
        app.id,
        None if approval is None else approval_view(uow, approval),
        history,
        refusal is None,
        None if refusal is None else refusal.code,
        merged,
    )


def inbox(uow: UnitOfWork, actor: Principal, *, now: datetime) -> list[InboxItem]:
    """Applications waiting for the actor's decision, oldest step first, with SLA due times."""
    require(actor, APPROVE)
    if not actor.roles:
        return []
    stmt = (
        select(ApprovalStep, Application, ApplicationApproval)
        .join(ApplicationApproval, ApplicationApproval.id == ApprovalStep.approval_id)
        .join(Application, Application.id == ApprovalStep.application_id)
        .where(
            ApprovalStep.status == "pending",
            ApplicationApproval.status == "in_progress",
            Application.status == UNDER_REVIEW,
            ApprovalStep.role_code.in_(sorted(actor.roles)),
        )
        .order_by(ApprovalStep.activated_at, Application.id)
    )
    rows = uow.session.execute(stmt.where(scope_condition(actor, Application))).all()
    decisions = decisions_of(uow, [approval.id for _, _, approval in rows])
    step_counts: dict[int, int] = {
        approval_id: count
        for approval_id, count in uow.session.execute(
            select(ApprovalStep.approval_id, func.count())
            .where(ApprovalStep.approval_id.in_(sorted({a.id for _, _, a in rows}) or [0]))
            .group_by(ApprovalStep.approval_id)
        )
    }
    offices: dict[int, str] = {}
    items = []
    for step, app, approval in rows:
        acted = [d.actor_id for d in decisions if d.approval_id == approval.id]
        investigators = investigator_ids(uow, application_id=app.id)
        if refusal_of(actor, app, step, acted=acted, investigators=investigators) is not None:
            continue
        if app.office_id not in offices:
            offices[app.office_id] = orgs.find_office(uow, office_id=app.office_id).name
        assert step.activated_at is not None and step.due_at is not None
        sla = rules.sla_state(step.due_at, now)
        approvals = sum(d.step_id == step.id and d.action in APPROVING for d in decisions)
        items.append(
            InboxItem(
                app.id,
                app.number,
                app.company_id,
                app.office_id,
                offices[app.office_id],
                app.currency,
                from_minor(app.amount_minor, app.currency),
                app.term_count,
                app.annual_rate,
                approval.round,
                step.position,
                step_counts.get(approval.id, 0),
                step.level_name,
                step.committee_size > 1 or bool(step.members),
                approvals,
                step.quorum,
                step.activated_at,
                step.due_at,
                sla.overdue,
                int(sla.remaining.total_seconds()),
                approval.referred,
            )
        )
    return items

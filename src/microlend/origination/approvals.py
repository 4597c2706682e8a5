"""Multi-level approval of loan applications (审批): start a chain, act on a step, history, inbox.

``start_approval`` runs inside the applications command that puts an application under review;
``act_on_application`` is command ``origination.approve``: the decision (or committee vote), the
step's record and the application's new status commit together, audited.

Who may act on a step (``refusal_of``): a user with permission ``origination.approve`` who holds
the step's role (and, for a committee with named members, is one of them), whose data scope
reaches the step's office (the application's office, its parent or the head office) and the
application's office — or, for a group step, a group-level user (跨公司审核); never the officer
who made the application, nor one who investigated it, nor anyone who already acted in this pass
of the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from microlend.db.commands import Done, Payload, command, run_command
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.origination import approval_model as rules
from microlend.origination import model as lifecycle
from microlend.origination.approval_chains import active_chain_specs, ensure_default_chain
from microlend.origination.approval_model import Action, Outcome
from microlend.origination.approval_queries import (
    approval_history,
    approval_overview,
    current_approval,
    inbox,
)
from microlend.origination.approval_records import (
    APPROVE,
    UNDER_REVIEW,
    approval_view,
    decisions_of,
    latest_approval,
    office_path,
    refusal_of,
    rule_conditions,
    steps_of,
)
from microlend.origination.approval_views import (
    ApprovalOverview,
    ApprovalView,
    Conditions,
    InboxItem,
    StepView,
)
from microlend.origination.investigation import investigator_ids
from microlend.origination.records import move, to_minor
from microlend.origination.tables import Application
from microlend.origination.tables_approvals import (
    ApplicationApproval,
    ApprovalDecision,
    ApprovalStep,
)
from microlend.products import service as products

MAX_OPINION = 4000

__all__ = [
    "ApprovalOverview",
    "ApprovalView",
    "Conditions",
    "InboxItem",
    "StepView",
    "act_on_application",
    "approval_history",
    "approval_overview",
    "current_approval",
    "inbox",
    "start_approval",
]


# --- starting ------------------------------------------------------------------------------------


def start_approval(
    uow: UnitOfWork, actor: Principal, *, application_id: int, referred: bool, now: datetime
) -> ApprovalView:
    """Put the application (already moved to ``under_review``) on its approval chain: chosen by
    the product version's ``approval_chain`` code if set, else by product, office (or an
    ancestor) and amount band; ``referred`` (the automated decision referred it) adds the risk
    review step. Runs inside the caller's command (no audit of its own); a company without any
    chain gets the default one first. An approval still in progress is cancelled."""
    app = get_scoped(uow.session, actor, Application, application_id)
    version = products.get_version(uow, actor, version_id=app.product_version_id)
    ensure_default_chain(uow, company_id=app.company_id, now=now)
    path = office_path(uow, app.office_id)
    chain = rules.select_chain(
        active_chain_specs(uow, company_id=app.company_id),
        amount_minor=app.amount_minor,
        office_path=path,
        product_code=version.code,
        chain_code=(version.terms.approval_chain or None),
    )
    if chain is None:
        raise RuleViolation(
            "no approval chain applies to this application", code="no_approval_chain"
        )
    steps = rules.steps_to_pass(chain, amount_minor=app.amount_minor, referred=referred)
    if not steps:
        raise RuleViolation(
            "approval chain %(code)s has no risk review step for a referred application",
            code="chain_without_risk_review",
            params={"code": chain.code},
        )
    for previous in uow.session.scalars(
        select(ApplicationApproval).where(
            ApplicationApproval.application_id == app.id,
            ApplicationApproval.status == "in_progress",
        )
    ):
        previous.status, previous.finished_at = "cancelled", now
    last_round = uow.session.scalar(
        select(func.max(ApplicationApproval.round)).where(
            ApplicationApproval.application_id == app.id
        )
    )
    approval = ApplicationApproval(
        company_id=app.company_id,
        office_id=app.office_id,
        application_id=app.id,
        chain_id=chain.id,
        round=(last_round or 0) + 1,
        referred=referred,
        amount_minor=app.amount_minor,
        status="in_progress",
        started_at=now,
        finished_at=None,
    )
    uow.session.add(approval)
    uow.session.flush()
    for index, spec in enumerate(steps):
        first = index == 0
        uow.session.add(
            ApprovalStep(
                company_id=app.company_id,
                approval_id=approval.id,
                application_id=app.id,
                position=index + 1,
                level_name=spec.level_name,
                role_code=spec.role_code,
                location=spec.location.value,
                office_id=rules.step_office(spec.location, path),
                risk_review=spec.risk_review,
                quorum=spec.quorum,
                committee_size=spec.committee_size,
                members=list(spec.members),
                veto=spec.veto,
                sla_hours=spec.sla_hours,
                status="pending" if first else "waiting",
                activated_at=now if first else None,
                due_at=rules.due_at(now, spec.sla_hours) if first else None,
                decided_at=None,
            )
        )
    uow.session.flush()
    return approval_view(uow, approval)


# --- acting --------------------------------------------------------------------------------------


def _checked_conditions(
    raw: dict[str, Any] | None, action: Action, app: Application
) -> dict[str, Any] | None:
    given = raw and any(
        raw.get(k) not in (None, "", False)
        for k in ("amount", "term_count", "extra_guarantor", "other")
    )
    if action is not Action.APPROVE_WITH_CONDITIONS:
        if given:
            raise ValidationFailed("conditions go with approve_with_conditions", field="conditions")
        return None
    raw = raw or {}
    amount = raw.get("amount")
    term = raw.get("term_count")
    try:
        term_count = None if term in (None, "") else int(term)
    except (TypeError, ValueError):
        raise ValidationFailed("a whole number of periods", field="conditions.term_count") from None
    other = str(raw.get("other") or "").strip()
    if len(other) > 2000:
        raise ValidationFailed("at most 2000 characters", field="conditions.other")
    conditions = rules.Conditions(
        amount_minor=None
        if amount in (None, "")
        else to_minor(str(amount), app.currency, field="conditions.amount"),
        term_count=term_count,
        extra_guarantor=bool(raw.get("extra_guarantor")),
        other=other,
    )
    rules.check_conditions(conditions, amount_minor=app.amount_minor, term_count=app.term_count)
    return {
        "amount_minor": conditions.amount_minor,
        "term_count": conditions.term_count,
        "extra_guarantor": conditions.extra_guarantor,
        "other": conditions.other,
    }


def _in_progress(uow: UnitOfWork, app: Application) -> ApplicationApproval:
    approval = latest_approval(uow, app.id)
    if app.status != UNDER_REVIEW or approval is None or approval.status != "in_progress":
        raise Conflict(
            "application %(number)s is not waiting for approval",
            code="application_not_under_review",
            extra={"current_status": app.status},
            params={"number": app.number},
        )
    return approval


def _finish(
    uow: UnitOfWork,
    app: Application,
    approval: ApplicationApproval,
    decisions: Sequence[ApprovalDecision],
    *,
    actor_id: int,
    opinion: str,
    now: datetime,
) -> None:
    merged = rules.merge_conditions(
        rule_conditions(d.conditions) for d in decisions if d.conditions
    )
    app.approved_amount_minor = app.amount_minor
    app.approved_term_count = app.term_count
    app.approved_annual_rate = app.annual_rate
    action = lifecycle.Action.APPROVE
    if merged is not None:
        action = lifecycle.Action.APPROVE_WITH_CONDITIONS
        app.approved_amount_minor = merged.amount_minor or app.amount_minor
        app.approved_term_count = merged.term_count or app.term_count
    move(uow, app, action, actor_id=actor_id, now=now, note=opinion)
    approval.status, approval.finished_at = app.status, now


@command(
    APPROVE,
    entity_type="application",
    checkable=False,
    summary=lambda p: f"{p['action']} application {p['application_id']}",
)
def _act(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    try:
        action = Action(payload["action"])
    except ValueError:
        raise ValidationFailed(
            "approve, reject, return or approve_with_conditions", field="action"
        ) from None
    opinion = str(payload.get("opinion") or "").strip()
    if not opinion:
        raise ValidationFailed("an opinion is required", field="opinion")
    if len(opinion) > MAX_OPINION:
        raise ValidationFailed(
            "at most %(max_opinion)s characters",
            field="opinion",
            params={"max_opinion": MAX_OPINION},
        )
    app = get_scoped(uow.session, actor, Application, payload["application_id"], for_update=True)
    approval = _in_progress(uow, app)
    steps = steps_of(uow, approval.id)
    step = next(s for s in steps if s.status == "pending")
    decisions = decisions_of(uow, [approval.id])
    refusal = refusal_of(
        actor,
        app,
        step,
        acted=(d.actor_id for d in decisions),
        investigators=investigator_ids(uow, application_id=app.id),
    )
    if refusal is not None:
        raise refusal
    conditions = _checked_conditions(payload.get("conditions"), action, app)
    assert actor.user_id is not None
    decision = ApprovalDecision(
        company_id=app.company_id,
        application_id=app.id,
        approval_id=approval.id,
        step_id=step.id,
        actor_id=actor.user_id,
        actor_name=actor.display_name[:100],
        action=action.value,
        opinion=opinion,
        conditions=conditions,
        decided_at=now,
    )
    uow.session.add(decision)
    decisions.append(decision)
    votes = [Action(d.action) for d in decisions if d.step_id == step.id]
    tally = rules.tally(
        votes, quorum=step.quorum, committee_size=step.committee_size, veto=step.veto
    )
    if tally.outcome is not Outcome.PENDING:
        step.status, step.decided_at = tally.outcome.value, now
    if tally.outcome is Outcome.APPROVED:
        following = next((s for s in steps if s.position > step.position), None)
        if following is not None:
            following.status, following.activated_at = "pending", now
            following.due_at = rules.due_at(now, following.sla_hours)
        else:
            _finish(uow, app, approval, decisions, actor_id=actor.user_id, opinion=opinion, now=now)
    elif tally.outcome in (Outcome.REJECTED, Outcome.RETURNED):
        for later in steps:
            if later.status == "waiting":
                later.status = "cancelled"
        move_by = (
            lifecycle.Action.REJECT
            if tally.outcome is Outcome.REJECTED
            else lifecycle.Action.RETURN_FOR_INFORMATION
        )
        move(uow, app, move_by, actor_id=actor.user_id, now=now, note=opinion)
        approval.status, approval.finished_at = tally.outcome.value, now
    uow.session.flush()
    change = {
        "application_id": app.id,
        "action": action.value,
        "step": step.position,
        "round": approval.round,
        "status": app.status,
    }
    return Done(entity_id=app.id, value=approval_view(uow, approval), change=change)


def act_on_application(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    action: str,
    opinion: str,
    conditions: Conditions | None,
    now: datetime,
) -> ApprovalView:
    """Approve, reject, return (for more information) or approve with conditions at the
    application's current step; a committee member's vote counts toward N of M. When the last
    step approves, the application is approved (conditionally, with the strictest conditions
    set along the chain); a rejection rejects it; a return sends it back to investigation."""
    raw = (
        None
        if conditions is None
        else {
            "amount": None if conditions.amount is None else str(conditions.amount),
            "term_count": conditions.term_count,
            "extra_guarantor": conditions.extra_guarantor,
            "other": conditions.other,
        }
    )
    payload = {
        "application_id": application_id,
        "action": action,
        "opinion": opinion,
        "conditions": raw,
    }
    outcome = run_command(uow, actor, APPROVE, payload, now=now)
    assert isinstance(outcome, Done) and isinstance(outcome.value, ApprovalView)
    return outcome.value

"""``/api/v1`` routes of the automated decision: an application's decisions and their replay,
the policy rules (versions), the limit settings and the scorecards (deploy)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.kernel.ids import Id
from microlend.origination import decision, limits, rules, scorecards
from microlend.origination.decision_schemas import (
    DecisionOut,
    LimitsIn,
    LimitsOut,
    RuleSetIn,
    RuleSetOut,
    ScorecardIn,
    ScorecardOut,
)
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut

router = APIRouter(prefix="/api/v1", tags=["decisions"])
DONE: dict[int | str, dict[str, Any]] = {
    202: {"model": PendingOut, "description": "Pending"},
}


@router.get("/decisions", response_model=list[DecisionOut])
def list_decisions(application_id: Id, uow: UowDep, actor: PrincipalDep) -> list[DecisionOut]:
    """The application's automated decisions, the current (latest) first."""
    views = decision.list_decisions(uow, actor, application_id=application_id)
    return [DecisionOut.of(view) for view in views]


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(decision_id: Id, uow: UowDep, actor: PrincipalDep) -> DecisionOut:
    return DecisionOut.of(decision.get_decision(uow, actor, decision_id=decision_id))


@router.get("/decisions/{decision_id}/replay", response_model=DecisionOut)
def replay_decision(decision_id: Id, uow: UowDep, actor: PrincipalDep) -> DecisionOut:
    """The stored inputs evaluated again with the rule set, scorecard and limit settings the
    decision used; ``matches`` says whether the result equals the stored one."""
    return DecisionOut.of(decision.replay_decision(uow, actor, decision_id=decision_id))


@router.get("/decision-rules", response_model=RuleSetOut)
def current_rules(uow: UowDep, actor: PrincipalDep, company_id: Id | None = None) -> RuleSetOut:
    return RuleSetOut.of(rules.current_rules(uow, actor, company_id=company_id))


@router.get("/decision-rules/versions", response_model=list[RuleSetOut])
def rule_versions(
    uow: UowDep, actor: PrincipalDep, company_id: Id | None = None
) -> list[RuleSetOut]:
    return [RuleSetOut.of(v) for v in rules.rule_set_history(uow, actor, company_id=company_id)]


@router.post("/decision-rules", status_code=201, response_model=RuleSetOut, responses=DONE)
def publish_rules(body: RuleSetIn, command: CommandDep) -> Response:
    """Publish the next version of the rules (the whole list)."""
    return command.respond(
        lambda: rules.publish_rules(command.uow, command.actor, rules=body.rules, note=body.note,
                                    company_id=body.company_id, now=command.now),
        RuleSetOut.of,
    )  # fmt: skip


@router.get("/decision-limits", response_model=LimitsOut)
def get_limits(uow: UowDep, actor: PrincipalDep, company_id: Id | None = None) -> LimitsOut:
    return LimitsOut.of(limits.get_limits(uow, actor, company_id=company_id))


@router.put("/decision-limits", response_model=LimitsOut, responses=DONE)
def set_limits(body: LimitsIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: limits.set_limits(command.uow, command.actor, settings=body.settings,
                                  company_id=body.company_id, now=command.now),
        LimitsOut.of, status_code=200,
    )  # fmt: skip


@router.get("/scorecards", response_model=list[ScorecardOut])
def active_scorecards(
    uow: UowDep, actor: PrincipalDep, company_id: Id | None = None
) -> list[ScorecardOut]:
    """The active scorecard of each customer kind."""
    views = scorecards.active_scorecards(uow, actor, company_id=company_id)
    return [ScorecardOut.of(view) for view in views]


@router.get("/scorecards/{customer_kind}/versions", response_model=list[ScorecardOut])
def scorecard_versions(
    customer_kind: str, uow: UowDep, actor: PrincipalDep, company_id: Id | None = None
) -> list[ScorecardOut]:
    views = scorecards.scorecard_history(uow, actor, customer_kind=customer_kind,
                                         company_id=company_id)  # fmt: skip
    return [ScorecardOut.of(view) for view in views]


@router.post("/scorecards", status_code=201, response_model=ScorecardOut, responses=DONE)
def deploy_scorecard(body: ScorecardIn, command: CommandDep) -> Response:
    """Deploy a scorecard: the next version of its customer kind, active at once."""
    return command.respond(
        lambda: scorecards.deploy_scorecard(
            command.uow, command.actor, company_id=body.company_id or command.actor.company_id,
            definition=body.definition, note=body.note, now=command.now),
        ScorecardOut.of,
    )  # fmt: skip

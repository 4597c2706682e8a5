"""A company's policy rules: versioned rule sets (a change publishes the next version; a decision
keeps the version it used). A company that never published has the default rules, stored as
version 1 the first time a decision needs them (as accounting seeds its books lazily).

Reading needs ``risk.view``; publishing is the command ``origination.rules.publish``
(permission ``risk.rules.manage``), audited and maker-checker capable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.origination.rules_model import DEFAULT_RULES, Rule, parse_rules
from microlend.origination.tables_decisions import RuleSet

VIEW, MANAGE = "risk.view", "risk.rules.manage"
DEFAULT_NOTE = "default rules"


@dataclass(frozen=True)
class RuleSetView:
    """A version of the rules; ``id`` 0 and ``version`` 0: the defaults, not stored yet."""

    id: int
    company_id: int
    version: int
    rules: tuple[Rule, ...]
    note: str
    created_by: int | None
    created_at: datetime | None


def company_of(actor: Principal, company_id: int | None) -> int:
    """The company a settings command or query is about: the actor's own by default."""
    company = company_id or actor.company_id
    if not actor.sees_company(company):
        raise NotFound("company %(company)s not found", code="company_not_found",
                       field="company_id", params={"company": company})  # fmt: skip
    return company


def rule_set_view(row: RuleSet) -> RuleSetView:
    return RuleSetView(row.id, row.company_id, row.version, parse_rules(row.rules), row.note,
                       row.created_by, row.created_at)  # fmt: skip


def _latest(uow: UnitOfWork, company_id: int) -> RuleSet | None:
    return uow.session.scalars(
        select(RuleSet).where(RuleSet.company_id == company_id)
        .order_by(RuleSet.version.desc()).limit(1)
    ).first()  # fmt: skip


def _insert(uow: UnitOfWork, company_id: int, rules: list[dict[str, Any]], *, note: str,
            by: int | None, now: datetime) -> RuleSet:  # fmt: skip
    last = uow.session.scalar(
        select(func.max(RuleSet.version)).where(RuleSet.company_id == company_id)
    )
    row = RuleSet(company_id=company_id, version=(last or 0) + 1, rules=rules, note=note,
                  created_by=by, created_at=now)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return row


def rule_set_in_force(uow: UnitOfWork, company_id: int, *, now: datetime) -> RuleSet:
    """The company's latest rule set, the defaults stored as version 1 when it has none."""
    row = _latest(uow, company_id)
    if row is not None:
        return row
    defaults = [rule.to_document() for rule in DEFAULT_RULES]
    try:
        with uow.savepoint():
            return _insert(uow, company_id, defaults, note=DEFAULT_NOTE, by=None, now=now)
    except IntegrityError:  # another decision seeded them first: use theirs
        seeded = _latest(uow, company_id)
        if seeded is None:
            raise
        return seeded


def rule_set_by_id(uow: UnitOfWork, rule_set_id: int) -> RuleSet:
    row = uow.session.get(RuleSet, rule_set_id)
    if row is None:
        raise NotFound(
            "rule set %(rule_set_id)s not found",
            code="rule_set_not_found",
            params={"rule_set_id": rule_set_id},
        )
    return row


def current_rules(uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
                  ) -> RuleSetView:  # fmt: skip
    """The rules in force (the defaults, unsaved, when the company never used any)."""
    require(actor, VIEW)
    company = company_of(actor, company_id)
    row = _latest(uow, company)
    if row is None:
        return RuleSetView(0, company, 0, DEFAULT_RULES, DEFAULT_NOTE, None, None)
    return rule_set_view(row)


def rule_set_history(uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
                     ) -> list[RuleSetView]:  # fmt: skip
    """Every stored version, newest first."""
    require(actor, VIEW)
    company = company_of(actor, company_id)
    rows = uow.session.scalars(select(RuleSet).where(RuleSet.company_id == company)
                               .order_by(RuleSet.version.desc()))  # fmt: skip
    return [rule_set_view(row) for row in rows]


@command("origination.rules.publish", permission=MANAGE, entity_type="decision_rule_set",
         summary=lambda p: f"rules of company {p['company_id']}: {p['note'][:60]}")  # fmt: skip
def _publish(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = company_of(actor, payload["company_id"])
    raw = payload["rules"]
    if not isinstance(raw, list):
        raise ValidationFailed("a list of rules", field="rules")
    rules = parse_rules(raw)
    note = str(payload.get("note") or "").strip()
    if not note or len(note) > 500:
        raise ValidationFailed("say what changed (1 to 500 characters)", field="note")
    row = _insert(uow, company, [rule.to_document() for rule in rules], note=note,
                  by=actor.user_id, now=now)  # fmt: skip
    return Done(entity_id=row.id, value=rule_set_view(row), change={"version": row.version})


def publish_rules(
    uow: UnitOfWork, actor: Principal, *, rules: list[dict[str, Any]], note: str,
    now: datetime, company_id: int | None = None,
) -> RuleSetView | Pending:  # fmt: skip
    """Publish the next version of the company's rules (the whole list, each a document:
    ``code``, ``kind``, ``outcome``, ``params``, ``enabled``, ``when_missing``)."""
    payload = {"company_id": company_id or actor.company_id, "rules": rules, "note": note}
    outcome = run_command(uow, actor, "origination.rules.publish", payload, now=now)
    return value_or_pending(outcome, RuleSetView)

"""A company's scorecards: versioned points tables, one active per company and customer kind.

A company without one gets the illustrative default of that kind, stored as version 1 the first
time a decision needs it. The risk context trains scorecards and deploys them with
``deploy_scorecard`` (command ``origination.scorecard.deploy``, permission ``risk.rules.manage``):
the new version becomes active and the previous one is retired; decisions keep the version they
used, so a deployed scorecard never changes a past decision.
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
from microlend.origination.rules import MANAGE, VIEW, company_of
from microlend.origination.scorecards_model import (
    DEFAULTS,
    Scorecard,
    parse_scorecard,
    scorecard_document,
)
from microlend.origination.tables_decisions import Scorecard as ScorecardRow

ACTIVE, RETIRED = "active", "retired"
KINDS = ("individual", "enterprise")


@dataclass(frozen=True)
class ScorecardView:
    """A scorecard version; ``id`` 0 and ``version`` 0: the default, not stored yet."""

    id: int
    company_id: int
    customer_kind: str
    version: int
    name: str
    status: str
    source: str  # default | deployed
    note: str
    card: Scorecard
    created_by: int | None
    created_at: datetime | None

    @property
    def definition(self) -> dict[str, Any]:
        return scorecard_document(self.card)


def scorecard_view(row: ScorecardRow) -> ScorecardView:
    return ScorecardView(row.id, row.company_id, row.customer_kind, row.version, row.name,
                         row.status, row.source, row.note, parse_scorecard(row.definition),
                         row.created_by, row.created_at)  # fmt: skip


def _kind(raw: str) -> str:
    if raw not in KINDS:
        raise ValidationFailed("individual or enterprise", field="customer_kind")
    return raw


def _active(uow: UnitOfWork, company_id: int, kind: str) -> ScorecardRow | None:
    return uow.session.scalars(select(ScorecardRow).where(
        ScorecardRow.company_id == company_id, ScorecardRow.customer_kind == kind,
        ScorecardRow.status == ACTIVE,
    ).order_by(ScorecardRow.version.desc()).limit(1)).first()  # fmt: skip


def _insert(uow: UnitOfWork, company_id: int, card: Scorecard, *, source: str, note: str,
            by: int | None, now: datetime) -> ScorecardRow:  # fmt: skip
    last = uow.session.scalar(select(func.max(ScorecardRow.version)).where(
        ScorecardRow.company_id == company_id, ScorecardRow.customer_kind == card.customer_kind
    ))  # fmt: skip
    row = ScorecardRow(company_id=company_id, customer_kind=card.customer_kind,
                       version=(last or 0) + 1, name=card.name,
                       definition=scorecard_document(card), status=ACTIVE, source=source,
                       note=note, created_by=by, created_at=now)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return row


def scorecard_in_force(uow: UnitOfWork, company_id: int, kind: str, *,
                       now: datetime) -> ScorecardRow:  # fmt: skip
    """The active scorecard of the kind, the illustrative default stored when there is none."""
    row = _active(uow, company_id, _kind(kind))
    if row is not None:
        return row
    card = parse_scorecard(DEFAULTS[kind])
    try:
        with uow.savepoint():
            return _insert(uow, company_id, card, source="default", note="illustrative default",
                           by=None, now=now)  # fmt: skip
    except IntegrityError:  # another decision seeded it first: use theirs
        seeded = _active(uow, company_id, kind)
        if seeded is None:
            raise
        return seeded


def scorecard_by_id(uow: UnitOfWork, scorecard_id: int) -> ScorecardRow:
    row = uow.session.get(ScorecardRow, scorecard_id)
    if row is None:
        raise NotFound(
            "scorecard %(scorecard_id)s not found",
            code="scorecard_not_found",
            params={"scorecard_id": scorecard_id},
        )
    return row


def active_scorecards(uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
                      ) -> list[ScorecardView]:  # fmt: skip
    """The active scorecard of each customer kind (a default not stored yet has version 0)."""
    require(actor, VIEW)
    company = company_of(actor, company_id)
    views = []
    for kind in KINDS:
        row = _active(uow, company, kind)
        if row is not None:
            views.append(scorecard_view(row))
            continue
        card = parse_scorecard(DEFAULTS[kind])
        views.append(ScorecardView(0, company, kind, 0, card.name, ACTIVE, "default",
                                   "illustrative default", card, None, None))  # fmt: skip
    return views


def scorecard_history(uow: UnitOfWork, actor: Principal, *, customer_kind: str,
                      company_id: int | None = None) -> list[ScorecardView]:  # fmt: skip
    require(actor, VIEW)
    company = company_of(actor, company_id)
    rows = uow.session.scalars(select(ScorecardRow).where(
        ScorecardRow.company_id == company, ScorecardRow.customer_kind == _kind(customer_kind)
    ).order_by(ScorecardRow.version.desc()))  # fmt: skip
    return [scorecard_view(row) for row in rows]


@command("origination.scorecard.deploy", permission=MANAGE, entity_type="decision_scorecard",
         summary=lambda p: f"scorecard {p['definition'].get('name', '?')}")  # fmt: skip
def _deploy(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = company_of(actor, payload["company_id"])
    if not isinstance(payload["definition"], dict):
        raise ValidationFailed("a scorecard document", field="definition")
    card = parse_scorecard(payload["definition"])
    previous = _active(uow, company, card.customer_kind)
    if previous is not None:
        previous.status = RETIRED
        uow.session.flush()
    note = str(payload.get("note") or "")[:500]
    row = _insert(uow, company, card, source="deployed", note=note, by=actor.user_id, now=now)
    change = {"version": row.version, "kind": row.customer_kind,
              "retired": previous.version if previous else None}  # fmt: skip
    return Done(entity_id=row.id, value=scorecard_view(row), change=change)


def deploy_scorecard(
    uow: UnitOfWork, actor: Principal, *, company_id: int, definition: dict[str, Any],
    now: datetime, note: str = "",
) -> ScorecardView | Pending:  # fmt: skip
    """Make ``definition`` (a scorecard document, see ``scorecards_model``) the company's active
    scorecard for its customer kind, as the next version; the previous one is retired."""
    payload = {"company_id": company_id, "definition": definition, "note": note}
    outcome = run_command(uow, actor, "origination.scorecard.deploy", payload, now=now)
    return value_or_pending(outcome, ScorecardView)

"""Co-borrowers, guarantors and collateral of an application (``origination.apply``).

Parties are customers of the group (registered through customers first); the applicant cannot be
its own guarantor, and a customer is on an application once. Collateral carries the borrower's
declared value and, once appraised, the appraisal: its loan-to-value is the requested amount over
the appraisal value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from microlend.customers import service as customers
from microlend.customers.tables import Customer
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.origination import model
from microlend.origination.applications import locked
from microlend.origination.records import from_minor, maybe_from_minor, to_minor
from microlend.origination.tables import Application, ApplicationParty, Collateral
from microlend.origination.views import CollateralView, PartyView

ROLES = ("co_borrower", "guarantor")
COLLATERAL_KINDS = (
    "real_estate",
    "vehicle",
    "equipment",
    "inventory",
    "receivable",
    "deposit",
    "land_use_right",
    "other",
)


def _editable(row: Application) -> None:
    model.require_status(row.status, model.PARTIES_EDITABLE, doing="change the parties of")


def _text(raw: Any, *, field: str, max_length: int, required: bool = True) -> str:
    text = str(raw or "").strip()
    if required and not text:
        raise ValidationFailed("required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            "at most %(max_length)s characters", field=field, params={"max_length": max_length}
        )
    return text


def party_views(uow: UnitOfWork, application_id: int) -> tuple[PartyView, ...]:
    rows = uow.session.execute(
        select(ApplicationParty, Customer.name)
        .join(Customer, Customer.id == ApplicationParty.customer_id)
        .where(ApplicationParty.application_id == application_id)
        .order_by(ApplicationParty.id)
    ).all()
    return tuple(
        PartyView(
            id=p.id, role=p.role, customer_id=p.customer_id, customer_name=name, relation=p.relation
        )
        for p, name in rows
    )


def collateral_view(row: Collateral, *, amount_minor: int) -> CollateralView:
    appraisal = maybe_from_minor(row.appraisal_value_minor, row.currency)
    return CollateralView(
        id=row.id,
        kind=row.kind,
        description=row.description,
        currency=row.currency,
        value=from_minor(row.value_minor, row.currency),
        appraisal_value=appraisal,
        appraiser=row.appraiser,
        appraised_on=row.appraised_on,
        loan_to_value=model.loan_to_value(from_minor(amount_minor, row.currency), appraisal),
    )


def collateral_views(uow: UnitOfWork, application: Application) -> tuple[CollateralView, ...]:
    amount = application.approved_amount_minor or application.amount_minor
    rows = uow.session.scalars(
        select(Collateral)
        .where(Collateral.application_id == application.id)
        .order_by(Collateral.id)
    )
    return tuple(collateral_view(row, amount_minor=amount) for row in rows)


@command(
    "origination.party.add",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"{p['role']} {p['customer_id']} on application {p['application_id']}",
)
def _add_party(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    _editable(row)
    role = payload["role"]
    if role not in ROLES:
        raise ValidationFailed("co_borrower or guarantor", field="role")
    customer_id = int(payload["customer_id"])
    if customer_id == row.customer_id:
        raise ValidationFailed(
            "the applicant cannot be a party of its own application", field="customer_id"
        )
    customers.get_customer(uow, actor, customer_id=customer_id)
    taken = uow.session.scalars(
        select(ApplicationParty.id).where(
            ApplicationParty.application_id == row.id, ApplicationParty.customer_id == customer_id
        )
    ).first()
    if taken is not None:
        raise Conflict(
            "this customer is a party of the application already",
            code="party_exists",
            field="customer_id",
        )
    party = ApplicationParty(
        company_id=row.company_id,
        application_id=row.id,
        role=role,
        customer_id=customer_id,
        relation=_text(payload.get("relation"), field="relation", max_length=50, required=False),
        created_by=actor.user_id,
        created_at=now,
    )
    uow.session.add(party)
    uow.session.flush()
    view = next(p for p in party_views(uow, row.id) if p.id == party.id)
    return Done(entity_id=row.id, value=view, change={"party_id": party.id})


def add_party(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    role: str,
    customer_id: int,
    relation: str = "",
    now: datetime,
) -> PartyView | Pending:
    """Add a co-borrower or guarantor (a customer) to the application."""
    payload = {
        "application_id": application_id,
        "role": role,
        "customer_id": customer_id,
        "relation": relation,
    }
    outcome = run_command(uow, actor, "origination.party.add", payload, now=now)
    return value_or_pending(outcome, PartyView)


def _owned(uow: UnitOfWork, entity: Any, entity_id: int, application_id: int) -> Any:
    found = uow.session.get(entity, entity_id)
    if found is None or found.application_id != application_id:
        raise NotFound(
            "%(tablename)s %(entity_id)s not found",
            code=f"{entity.__tablename__}_not_found",
            params={"tablename": entity.__tablename__, "entity_id": entity_id},
        )
    return found


@command(
    "origination.party.remove",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"remove party {p['party_id']}",
)
def _remove_party(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    return _remove_owned(uow, actor, payload, ApplicationParty, key="party_id")


def remove_party(
    uow: UnitOfWork, actor: Principal, *, application_id: int, party_id: int, now: datetime
) -> bool | Pending:
    payload = {"application_id": application_id, "party_id": party_id}
    return _run_remove(uow, actor, "origination.party.remove", payload, now=now)


def _remove_owned(
    uow: UnitOfWork, actor: Principal, payload: Payload, entity: Any, *, key: str
) -> Done:
    """Delete the ``entity`` row (a party or collateral) whose id is ``payload[key]`` from the
    editable application ``payload["application_id"]``; the change records ``removed_<key>``."""
    row = locked(uow, actor, int(payload["application_id"]))
    _editable(row)
    owned = _owned(uow, entity, int(payload[key]), row.id)
    uow.session.delete(owned)
    uow.session.flush()
    return Done(entity_id=row.id, value=True, change={f"removed_{key}": owned.id})


def _run_remove(
    uow: UnitOfWork, actor: Principal, name: str, payload: Payload, *, now: datetime
) -> bool | Pending:
    return value_or_pending(run_command(uow, actor, name, payload, now=now), bool)


def _appraisal(payload: Payload, currency: str) -> dict[str, Any]:
    raw_value = payload.get("appraisal_value")
    if raw_value in (None, ""):
        return {"appraisal_value_minor": None, "appraiser": None, "appraised_on": None}
    value = to_minor(raw_value, currency, field="appraisal_value")
    if value <= 0:
        raise ValidationFailed("a positive amount", field="appraisal_value")
    raw_date = payload.get("appraised_on")
    try:
        appraised_on = date.fromisoformat(str(raw_date)) if raw_date else None
    except ValueError:
        raise ValidationFailed("a date like 2026-01-31", field="appraised_on") from None
    appraiser = _text(payload.get("appraiser"), field="appraiser", max_length=200)
    return {"appraisal_value_minor": value, "appraiser": appraiser, "appraised_on": appraised_on}


def _collateral_fields(payload: Payload, currency: str) -> dict[str, Any]:
    if payload.get("kind") not in COLLATERAL_KINDS:
        raise ValidationFailed(
            "one of %(kinds)s", field="kind", params={"kinds": ", ".join(COLLATERAL_KINDS)}
        )
    value = to_minor(payload.get("value") or "", currency, field="value")
    if value <= 0:
        raise ValidationFailed("a positive amount", field="value")
    return {
        "kind": payload["kind"],
        "value_minor": value,
        "description": _text(payload.get("description"), field="description", max_length=2000),
        **_appraisal(payload, currency),
    }


@command(
    "origination.collateral.add",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"collateral on application {p['application_id']}",
)
def _add_collateral(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    _editable(row)
    item = Collateral(
        company_id=row.company_id,
        application_id=row.id,
        currency=row.currency,
        created_by=actor.user_id,
        created_at=now,
        **_collateral_fields(payload, row.currency),
    )
    uow.session.add(item)
    uow.session.flush()
    view = collateral_view(item, amount_minor=row.amount_minor)
    return Done(entity_id=row.id, value=view, change={"collateral_id": item.id})


@command(
    "origination.collateral.update",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"collateral {p['collateral_id']}",
)
def _update_collateral(
    uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime
) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    _editable(row)
    item = _owned(uow, Collateral, int(payload["collateral_id"]), row.id)
    for name, value in _collateral_fields(payload, row.currency).items():
        setattr(item, name, value)
    uow.session.flush()
    view = collateral_view(item, amount_minor=row.amount_minor)
    return Done(entity_id=row.id, value=view, change={"collateral_id": item.id})


_COLLATERAL_INPUT = ("kind", "description", "value", "appraisal_value", "appraiser", "appraised_on")


def _collateral_payload(*values: Any) -> Payload:
    """The command payload's collateral fields (in ``_COLLATERAL_INPUT`` order) as text or None."""
    return {
        k: (None if v is None else str(v)) for k, v in zip(_COLLATERAL_INPUT, values, strict=True)
    }


def _run_collateral(
    uow: UnitOfWork, actor: Principal, name: str, payload: Payload, *, now: datetime
) -> CollateralView | Pending:
    return value_or_pending(run_command(uow, actor, name, payload, now=now), CollateralView)


def add_collateral(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    kind: str,
    description: str,
    value: Any,
    appraisal_value: Any = None,
    appraiser: str | None = None,
    appraised_on: date | str | None = None,
    now: datetime,
) -> CollateralView | Pending:
    """Offer collateral for the application (appraisal optional until it is appraised)."""
    fields = (kind, description, value, appraisal_value, appraiser, appraised_on)
    payload = {"application_id": application_id, **_collateral_payload(*fields)}
    return _run_collateral(uow, actor, "origination.collateral.add", payload, now=now)


def update_collateral(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    collateral_id: int,
    kind: str,
    description: str,
    value: Any,
    appraisal_value: Any = None,
    appraiser: str | None = None,
    appraised_on: date | str | None = None,
    now: datetime,
) -> CollateralView | Pending:
    """Correct collateral or record its appraisal."""
    fields = (kind, description, value, appraisal_value, appraiser, appraised_on)
    payload = {"application_id": application_id, "collateral_id": collateral_id,
               **_collateral_payload(*fields)}  # fmt: skip
    return _run_collateral(uow, actor, "origination.collateral.update", payload, now=now)


@command(
    "origination.collateral.remove",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"remove collateral {p['collateral_id']}",
)
def _remove_collateral(
    uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime
) -> Done:
    return _remove_owned(uow, actor, payload, Collateral, key="collateral_id")


def remove_collateral(
    uow: UnitOfWork, actor: Principal, *, application_id: int, collateral_id: int, now: datetime
) -> bool | Pending:
    payload = {"application_id": application_id, "collateral_id": collateral_id}
    return _run_remove(uow, actor, "origination.collateral.remove", payload, now=now)


def list_parties(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> tuple[PartyView, ...]:
    require(actor, "origination.view")
    row = get_scoped(uow.session, actor, Application, application_id)
    return party_views(uow, row.id)


def list_collateral(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> tuple[CollateralView, ...]:
    require(actor, "origination.view")
    return collateral_views(uow, get_scoped(uow.session, actor, Application, application_id))

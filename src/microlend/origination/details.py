"""The application page's read: the application and everything hung from it, in one call."""

from __future__ import annotations

from sqlalchemy import select

from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require
from microlend.origination.contracts import contract_of, contract_view
from microlend.origination.investigation import reports_of
from microlend.origination.parties import collateral_views, party_views
from microlend.origination.records import application_view, user_names
from microlend.origination.tables import Application, ApplicationEvent
from microlend.origination.views import ApplicationDetail, EventView


def events_of(uow: UnitOfWork, application_id: int) -> tuple[EventView, ...]:
    rows = list(
        uow.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.id)
        )
    )
    names = user_names(uow, (r.actor_id for r in rows))
    return tuple(
        EventView(
            from_status=r.from_status,
            to_status=r.to_status,
            actor_id=r.actor_id,
            actor_name=names.get(r.actor_id, "") if r.actor_id else "",
            note=r.note,
            reasons=tuple(r.reasons or ()),
            occurred_at=r.occurred_at,
        )
        for r in rows
    )


def application_detail(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> ApplicationDetail:
    """The application with its parties, collateral, timeline, reports and contract."""
    require(actor, "origination.view")
    row = get_scoped(uow.session, actor, Application, application_id)
    contract = contract_of(uow, row.id)
    return ApplicationDetail(
        application=application_view(uow, row),
        parties=party_views(uow, row.id),
        collateral=collateral_views(uow, row),
        events=events_of(uow, row.id),
        reports=tuple(reports_of(uow, row.id)),
        contract=contract_view(contract) if contract is not None else None,
    )

"""Origination's contribution to the customer 360 (found by ``customers.extensions``): the
customer's applications, and search of customers by application number."""

from __future__ import annotations

from sqlalchemy import or_, select

from microlend.customers.views import File360Section
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.origination.records import application_views
from microlend.origination.tables import Application, ApplicationParty

MAX_ROWS = 100


def file_sections(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> list[File360Section]:
    """The applications the customer made or stands in (co-borrower, guarantor), newest first."""
    if not actor.can("origination.view"):
        return []
    as_party = select(ApplicationParty.application_id).where(
        ApplicationParty.customer_id == customer_id
    )
    stmt = apply_scope(
        select(Application).where(
            or_(Application.customer_id == customer_id, Application.id.in_(as_party))
        ),
        actor,
        Application,
    )
    rows = list(uow.session.scalars(stmt.order_by(Application.id.desc()).limit(MAX_ROWS)))
    views = application_views(uow, rows)
    return [
        File360Section(
            key="applications",
            title="Applications",
            columns=("Number", "Product", "Amount", "Status", "Date"),
            rows=tuple(
                (
                    v.number + ("" if v.customer_id == customer_id else " *"),
                    v.product_name,
                    f"{v.currency} {v.amount:,.2f}",
                    v.status,
                    v.created_at.date().isoformat(),
                )
                for v in views
            ),
            links=tuple(f"/applications/{v.id}" for v in views),
            empty_text="No applications yet.",
        )
    ]


def customers_by_number(uow: UnitOfWork, actor: Principal, *, number: str) -> list[int]:
    """The applicant of the application numbered ``number`` (in the actor's scope)."""
    if not actor.can("origination.view") or not number.strip():
        return []
    stmt = apply_scope(
        select(Application.customer_id).where(Application.number == number.strip().upper()),
        actor,
        Application,
    )
    return sorted(set(uow.session.scalars(stmt)))

"""Origination's contribution to the customer 360 (found by ``customers.extensions``): the
customer's applications, and search of customers by application number."""

from __future__ import annotations

from sqlalchemy import or_, select

from microlend.customers.views import File360Section
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.origination.model import Status
from microlend.origination.records import application_views
from microlend.origination.tables import Application, ApplicationParty

MAX_ROWS = 100


def N_(message: str) -> str:
    """Mark a message for the catalog; the 360 template translates it."""
    return message


STATUS_NAMES: dict[str, str] = {
    Status.DRAFT: N_("Draft"),
    Status.SUBMITTED: N_("Submitted"),
    Status.INVESTIGATING: N_("Investigating"),
    Status.UNDER_REVIEW: N_("Under review"),
    Status.APPROVED: N_("Approved"),
    Status.CONDITIONALLY_APPROVED: N_("Conditionally approved"),
    Status.REJECTED: N_("Rejected"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.CONTRACTED: N_("Contracted"),
    Status.DISBURSED: N_("Disbursed"),
}


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
            title=N_("Applications"),
            columns=(N_("Number"), N_("Product"), N_("Amount"), N_("Status"), N_("Date")),
            rows=tuple(
                (
                    v.number + ("" if v.customer_id == customer_id else " *"),
                    v.product_name,
                    f"{v.currency} {v.amount:,.2f}",
                    STATUS_NAMES.get(v.status, v.status),
                    v.created_at.date().isoformat(),
                )
                for v in views
            ),
            links=tuple(f"/applications/{v.id}" for v in views),
            empty_text=N_("No applications yet."),
            translated=(3,),
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

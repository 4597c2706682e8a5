"""Rows to views, gapless numbers and the recorded status moves of applications.

``move`` is how every command changes an application's status (the approvals and decisions
modules too): it checks the move against ``model.TRANSITIONS`` and writes the timeline event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.customers.tables import Customer
from microlend.db.conflicts import dialect_insert
from microlend.db.uow import UnitOfWork
from microlend.kernel.money import Money, minor_units_of
from microlend.orgs.tables import Company
from microlend.origination import model
from microlend.origination.tables import Application, ApplicationEvent, NumberCounter
from microlend.origination.views import ApplicationView
from microlend.products.tables import Product, ProductVersion


def to_minor(amount: Decimal | str | int, currency: str, *, field: str) -> int:
    return minor_units_of(amount, currency, field=field)


def from_minor(units: int, currency: str) -> Decimal:
    return Money.from_minor(units, currency).amount


def maybe_from_minor(units: int | None, currency: str) -> Decimal | None:
    return None if units is None else from_minor(units, currency)


def business_date_of(uow: UnitOfWork, company_id: int) -> date:
    """The company's business date (the day quotes and contracts are dated)."""
    return uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()


def next_number(uow: UnitOfWork, *, company_id: int, kind: str, year: int) -> int:
    """The next number of ``kind`` for the company and year, without gaps: the counter row is
    created if missing, then locked (``FOR UPDATE``) until the command commits."""
    values = {"company_id": company_id, "kind": kind, "year": year, "last_number": 0}
    uow.session.execute(
        dialect_insert(uow, NumberCounter).values(**values).on_conflict_do_nothing()
    )
    counter = uow.session.scalars(
        select(NumberCounter)
        .where(
            NumberCounter.company_id == company_id,
            NumberCounter.kind == kind,
            NumberCounter.year == year,
        )
        .with_for_update()
    ).one()
    counter.last_number += 1
    uow.session.flush()
    return counter.last_number


def move(
    uow: UnitOfWork,
    row: Application,
    action: model.Action,
    *,
    actor_id: int | None,
    now: datetime,
    note: str = "",
    reasons: Iterable[str] = (),
) -> model.Status:
    """Move the application by ``action`` (a ``Conflict`` naming its status when it may not)
    and record the event on its timeline."""
    before = row.status
    after = model.next_status(before, action)
    row.status = after.value
    row.updated_at = now
    uow.session.add(
        ApplicationEvent(
            company_id=row.company_id,
            application_id=row.id,
            from_status=before,
            to_status=after.value,
            actor_id=actor_id,
            note=note[:2000],
            reasons=list(reasons),
            occurred_at=now,
        )
    )
    uow.session.flush()
    return after


def record_created(
    uow: UnitOfWork, row: Application, *, actor_id: int | None, now: datetime
) -> None:
    uow.session.add(
        ApplicationEvent(
            company_id=row.company_id,
            application_id=row.id,
            from_status=None,
            to_status=row.status,
            actor_id=actor_id,
            note="",
            reasons=[],
            occurred_at=now,
        )
    )
    uow.session.flush()


def user_names(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = uow.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def application_views(uow: UnitOfWork, rows: list[Application]) -> list[ApplicationView]:
    """Views of ``rows`` with the customer, product and officer names (three queries)."""
    customers = {
        c.id: (c.name, c.kind)
        for c in uow.session.execute(
            select(Customer.id, Customer.name, Customer.kind).where(
                Customer.id.in_({r.customer_id for r in rows})
            )
        )
    }
    products = {
        version_id: name
        for version_id, name in uow.session.execute(
            select(ProductVersion.id, Product.name)
            .join(Product, Product.id == ProductVersion.product_id)
            .where(ProductVersion.id.in_({r.product_version_id for r in rows}))
        )
    }
    owners = user_names(uow, (r.owner_id for r in rows))
    return [
        _view(
            r,
            customers.get(r.customer_id, ("", "")),
            products.get(r.product_version_id, ""),
            owners.get(r.owner_id, ""),
        )
        for r in rows
    ]


def application_view(uow: UnitOfWork, row: Application) -> ApplicationView:
    return application_views(uow, [row])[0]


def _view(row: Application, customer: tuple[str, str], product: str, owner: str) -> ApplicationView:
    currency = row.currency
    return ApplicationView(
        id=row.id,
        number=row.number,
        status=row.status,
        company_id=row.company_id,
        office_id=row.office_id,
        owner_id=row.owner_id,
        owner_name=owner,
        customer_id=row.customer_id,
        customer_name=customer[0],
        customer_kind=customer[1],
        product_version_id=row.product_version_id,
        product_name=product,
        currency=currency,
        amount=from_minor(row.amount_minor, currency),
        term_count=row.term_count,
        annual_rate=row.annual_rate,
        method=row.method,
        purpose=row.purpose,
        approved_amount=maybe_from_minor(row.approved_amount_minor, currency),
        approved_term_count=row.approved_term_count,
        approved_annual_rate=row.approved_annual_rate,
        created_at=row.created_at,
        updated_at=row.updated_at,
        actions=tuple(a.value for a in model.allowed_actions(row.status)),
    )

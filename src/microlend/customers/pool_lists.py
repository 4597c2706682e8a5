"""What the pool page shows: my customers, my office's, the shared pool; and the collisions.

The shared pool is deliberately not limited to the actor's data scope (the pool is how customers
move between offices and companies); it shows what the list row needs, personal data masked
without ``pii.view`` and always for customers outside the actor's data scope.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select

from microlend.auth.tables import User
from microlend.customers import extensions, model
from microlend.customers.pool import pool_query
from microlend.customers.records import business_date, customer_view, ownership_of, protection_days
from microlend.customers.tables import Collision, Customer
from microlend.customers.views import CollisionView, PoolEntryView
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Company, Office

POOL_VIEWS = ("mine", "office", "shared")


def _names(uow: UnitOfWork, entity: type, ids: Iterable[int | None], column: str) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    key, label = getattr(entity, "id"), getattr(entity, column)  # noqa: B009
    return dict(uow.session.execute(select(key, label).where(key.in_(wanted))).all())


def pool_customers(uow: UnitOfWork, actor: Principal, *, view: str = "mine",
                   cursor: str | None = None, limit: int = 50) -> Page[PoolEntryView]:  # fmt: skip
    """One of the pool lists (``mine``, ``office``, ``shared``), newest first."""
    require(actor, "customers.view")
    if view not in POOL_VIEWS:
        raise ValidationFailed(
            "one of %(pool_views)s", field="view", params={"pool_views": ", ".join(POOL_VIEWS)}
        )
    stmt = paginate(pool_query(uow, actor, view), Customer.id, cursor=cursor, limit=limit,
                    newest_first=True)  # fmt: skip
    page = page_of(uow.session.scalars(stmt).all(), limit=limit, id_of=lambda row: row.id)
    users = _names(uow, User, (r.owner_id for r in page.items), "display_name")
    offices = _names(uow, Office, (r.office_id for r in page.items), "name")
    companies = _names(uow, Company, (r.company_id for r in page.items), "name")
    blind = dataclasses.replace(actor, permissions=actor.permissions - {"pii.view"})
    ids = [row.id for row in page.items]
    owing = set(uow.session.scalars(
        select(Customer.id).where(Customer.id.in_(ids), extensions.owing_elsewhere(None))
    )) if ids else set()  # fmt: skip
    days: dict[int, int] = {}
    today: dict[int, date] = {}
    entries = []
    for row in page.items:
        if row.company_id not in days:
            days[row.company_id] = protection_days(uow, row.company_id)
            today[row.company_id] = business_date(uow, row.company_id)
        ownership = ownership_of(row)
        held = model.is_held(ownership, as_of=today[row.company_id],
                             protection_days=days[row.company_id])  # fmt: skip
        entries.append(PoolEntryView(
            customer=customer_view(row, actor if actor.sees_office(row.company_id, row.office_id)
                                   else blind),
            owner_name=users.get(row.owner_id) if row.owner_id else None,
            office_name=offices.get(row.office_id, ""),
            company_name=companies.get(row.company_id, ""),
            protection_ends=model.protection_ends(ownership, protection_days=days[row.company_id]),
            in_pool=not held and row.id not in owing,
            owing=row.id in owing,
        ))  # fmt: skip
    return Page(entries, page.next_cursor)


def list_collisions(uow: UnitOfWork, actor: Principal, *, cursor: str | None = None,
                    limit: int = 50) -> Page[CollisionView]:  # fmt: skip
    """Collisions filed from the actor's scope (attempts made from its offices) or against
    customers the actor holds, newest first."""
    require(actor, "customers.view")
    seen = or_(scope_condition(actor, Collision, owner_column="attempted_by"),
               Collision.holder_id == actor.user_id)  # fmt: skip
    stmt = select(Collision).where(seen)
    rows = uow.session.scalars(paginate(stmt, Collision.id, cursor=cursor, limit=limit,
                                        newest_first=True)).all()  # fmt: skip
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    users = _names(uow, User, [i for r in page.items for i in (r.attempted_by, r.holder_id)],
                   "display_name")  # fmt: skip
    customers = _names(uow, Customer, (r.customer_id for r in page.items), "name")
    items = [CollisionView(id=r.id, customer_id=r.customer_id, attempted_by=r.attempted_by,
                           office_id=r.office_id, holder_id=r.holder_id,
                           holder_office_id=r.holder_office_id,
                           holder_company_id=r.holder_company_id, channel=r.channel,
                           occurred_at=r.occurred_at,
                           customer_name=customers.get(r.customer_id, ""),
                           attempted_by_name=users.get(r.attempted_by or 0),
                           holder_name=users.get(r.holder_id or 0))
             for r in page.items]  # fmt: skip
    return Page(items, page.next_cursor)

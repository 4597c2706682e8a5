"""The shared pool (客户池): claim a customer whose protection lapsed, release, transfer, and the
collision records. Every claim, release and transfer is a named command, hence audited."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.customers import model
from microlend.customers.records import (
    business_date,
    customer_view,
    holder_view,
    ownership_of,
    protection_days,
)
from microlend.customers.tables import Collision, Customer, OwnershipEvent, PoolSetting
from microlend.customers.views import CollisionView, CustomerView, HolderView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Company


def _pool_companies(uow: UnitOfWork, actor: Principal) -> list[int]:
    """The companies whose pool the actor may claim from: its own, and the group's companies
    that share their pool."""
    group_id = select(Company.group_id).where(Company.id == actor.company_id).scalar_subquery()
    shared = select(PoolSetting.company_id).where(PoolSetting.shared_in_group.is_(True))
    rows = uow.session.scalars(
        select(Company.id).where(Company.group_id == group_id, Company.id.in_(shared))
    ).all()
    return sorted({actor.company_id, *rows})


def _record(uow: UnitOfWork, row: Customer, event: str, previous: int | None, actor: Principal,
            now: datetime) -> None:  # fmt: skip
    uow.session.add(OwnershipEvent(company_id=row.company_id, customer_id=row.id, event=event,
                                   from_owner_id=previous, to_owner_id=row.owner_id,
                                   by_user_id=actor.user_id, occurred_at=now))  # fmt: skip


def _as_of(uow: UnitOfWork, payload: Payload, company_id: int) -> date:
    given = payload.get("as_of")
    return date.fromisoformat(given) if given else business_date(uow, company_id)


@command("customers.claim", entity_type="customer", summary=lambda p: f"claim {p['id']}")
def _claim(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = uow.session.scalars(select(Customer).where(
        Customer.id == payload["id"], Customer.company_id.in_(_pool_companies(uow, actor))
    ).with_for_update()).one_or_none()  # fmt: skip
    if row is None:
        raise NotFound(f"customer {payload['id']} not found", code="customer_not_found")
    as_of = _as_of(uow, payload, row.company_id)
    days = protection_days(uow, row.company_id)
    if model.is_held(ownership_of(row), as_of=as_of, protection_days=days):
        holder = holder_view(uow, row, as_of=as_of)
        ends = str(holder.protection_ends)
        raise Conflict(f"held by {holder.owner_name} until {ends}", code="customer_held",
                       extra={"protection_ends": ends})  # fmt: skip
    previous = row.owner_id
    row.company_id, row.office_id, row.owner_id = actor.company_id, actor.office_id, actor.user_id
    row.held_since = row.last_activity_on = as_of
    row.updated_at = now
    _record(uow, row, "claim", previous, actor, now)
    return Done(entity_id=row.id, value=customer_view(row, actor),
                change={"owner_id": actor.user_id, "previous_owner_id": previous})  # fmt: skip


def claim_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int, now: datetime,
                   as_of: date | None = None) -> CustomerView | Pending:  # fmt: skip
    """Take a customer from the pool: it has no owner, or its protection period lapsed on
    ``as_of`` (the company's business date unless given)."""
    payload = {"id": customer_id, "as_of": as_of.isoformat() if as_of else None}
    return value_or_pending(run_command(uow, actor, "customers.claim", payload, now=now),
                            CustomerView)  # fmt: skip


@command("customers.release", entity_type="customer", open_to_all=True,
         summary=lambda p: f"release {p['id']}")  # fmt: skip
def _release(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"], for_update=True)
    if row.owner_id != actor.user_id and not actor.can("customers.transfer"):
        raise Forbidden("only the owner or a manager releases a customer", code="not_owner")
    previous, row.owner_id, row.updated_at = row.owner_id, None, now
    _record(uow, row, "release", previous, actor, now)
    return Done(entity_id=row.id, value=customer_view(row, actor), change={"previous": previous})


def release_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int,
                     now: datetime) -> CustomerView | Pending:  # fmt: skip
    """Give a customer back to the pool (its owner, or whoever may transfer)."""
    outcome = run_command(uow, actor, "customers.release", {"id": customer_id}, now=now)
    return value_or_pending(outcome, CustomerView)


@command("customers.transfer", entity_type="customer",
         summary=lambda p: f"transfer {p['id']} to user {p['to_user_id']}")  # fmt: skip
def _transfer(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"], for_update=True)
    try:
        target = get_scoped(uow.session, actor, User, payload["to_user_id"], owner_column="id")
    except NotFound as missing:
        raise NotFound(missing.detail, code="user_not_found", field="to_user_id") from None
    if not target.active:
        raise ValidationFailed("that user is disabled", field="to_user_id")
    previous = row.owner_id
    row.company_id, row.office_id, row.owner_id = target.company_id, target.office_id, target.id
    row.held_since = row.last_activity_on = business_date(uow, target.company_id)
    row.updated_at = now
    _record(uow, row, "transfer", previous, actor, now)
    return Done(entity_id=row.id, value=customer_view(row, actor),
                change={"from": previous, "to": target.id})  # fmt: skip


def transfer_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int, to_user_id: int,
                      now: datetime) -> CustomerView | Pending:  # fmt: skip
    """Hand a customer to another officer (maker-checker may require a checker's approval)."""
    payload = {"id": customer_id, "to_user_id": to_user_id}
    return value_or_pending(run_command(uow, actor, "customers.transfer", payload, now=now),
                            CustomerView)  # fmt: skip


@command("customers.pool.configure", entity_type="company",
         summary=lambda p: f"pool: {p['protection_days']} days")  # fmt: skip
def _configure(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    days = model.checked_protection_days(int(payload["protection_days"]))
    setting = uow.session.get(PoolSetting, actor.company_id)
    if setting is None:
        setting = PoolSetting(company_id=actor.company_id)
        uow.session.add(setting)
    setting.protection_days, setting.shared_in_group = days, bool(payload["shared_in_group"])
    uow.session.flush()
    return Done(entity_id=actor.company_id, value=None, change=dict(payload))


def configure_pool(uow: UnitOfWork, actor: Principal, *, protection_days: int,
                   shared_in_group: bool, now: datetime) -> Done | Pending:  # fmt: skip
    payload = {"protection_days": protection_days, "shared_in_group": shared_in_group}
    return run_command(uow, actor, "customers.pool.configure", payload, now=now)


def holder_of(uow: UnitOfWork, actor: Principal, *, customer_id: int,
              as_of: date | None = None) -> HolderView:  # fmt: skip
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    return holder_view(uow, row, as_of=as_of or business_date(uow, row.company_id))


def list_collisions(uow: UnitOfWork, actor: Principal, *, cursor: str | None = None,
                    limit: int = 50) -> Page[CollisionView]:  # fmt: skip
    """Collisions filed by the actor's scope (attempts made from its offices)."""
    require(actor, "customers.view")
    stmt = apply_scope(select(Collision), actor, Collision, owner_column="attempted_by")
    rows = uow.session.scalars(paginate(stmt, Collision.id, cursor=cursor, limit=limit,
                                        newest_first=True)).all()  # fmt: skip
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    items = [CollisionView(id=r.id, customer_id=r.customer_id, attempted_by=r.attempted_by,
                           office_id=r.office_id, holder_id=r.holder_id,
                           holder_office_id=r.holder_office_id,
                           holder_company_id=r.holder_company_id, channel=r.channel,
                           occurred_at=r.occurred_at) for r in page.items]  # fmt: skip
    return Page(items, page.next_cursor)

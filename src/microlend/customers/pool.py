"""The shared pool (客户池): claim a customer whose protection lapsed, release one, the pool's
settings (protection period; whether the group's companies share one pool), the pool lists (mine,
my office, the shared pool) and the collision records. Every claim, release and setting is a
named command, hence audited. Transfers between officers are requests approved by another user
(``transfers``).

Sharing: a company's pool is shared with the group's other sharing companies when its own setting
says so, or, without one, when the group's setting says so. The default is not shared: the
companies of a group are separate legal entities, and handing personal data from one to another
is a deliberate choice. A customer is unique per group whatever the setting.

A customer who owes on business on the book (a loan of theirs not paid off or written off:
``extensions.owing_elsewhere``) is held by the office where it is booked, whatever the
protection period: the shared pool lists them to no officer of another office, a claim from one
is refused as held by that office (``customer_held``, without saying why: whether someone
borrows is credit data), and their officer does not release them (``customer_owing``: a
transfer hands them on). Whoever takes such a customer over (a claim within that office, an
approved transfer) takes their loans over too (``extensions.hand_over``: the loans' officer,
管户).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from microlend.customers import extensions, model
from microlend.customers.records import (
    business_date,
    customer_view,
    group_of_company,
    holder_view,
    ownership_of,
    protection_days,
)
from microlend.customers.tables import Customer, OwnershipEvent, PoolSetting
from microlend.customers.tables_pool import PoolGroupSetting
from microlend.customers.views import CustomerView, HolderView, PoolSettingsView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, NotFound
from microlend.kernel.principal import DataScope, Principal, require
from microlend.orgs.tables import Company, Office

SHARED_BY_DEFAULT = False


def group_shares(uow: UnitOfWork, group_id: int) -> bool:
    setting = uow.session.get(PoolGroupSetting, group_id)
    return setting.shared if setting else SHARED_BY_DEFAULT


def sharing_companies(uow: UnitOfWork, group_id: int) -> list[int]:
    """The group's companies whose pool is shared (own setting, else the group's)."""
    rows = uow.session.execute(
        select(Company.id, PoolSetting.shared_in_group)
        .outerjoin(PoolSetting, PoolSetting.company_id == Company.id)
        .where(Company.group_id == group_id)
    ).all()
    default = group_shares(uow, group_id)
    return sorted(cid for cid, own in rows if (default if own is None else own))


def pool_companies(uow: UnitOfWork, company_id: int) -> list[int]:
    """The companies whose lapsed customers a user of ``company_id`` may claim: its own, and,
    when it shares its pool, every sharing company of the group."""
    shared = sharing_companies(uow, group_of_company(uow, company_id))
    return sorted({company_id, *shared}) if company_id in shared else [company_id]


def record_event(uow: UnitOfWork, row: Customer, event: str, previous: int | None, actor: Principal,
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
        Customer.id == payload["id"],
        Customer.company_id.in_(pool_companies(uow, actor.company_id)),
    ).with_for_update()).one_or_none()  # fmt: skip
    if row is None:
        raise NotFound(
            "customer %(id)s not found", code="customer_not_found", params={"id": payload["id"]}
        )
    as_of = _as_of(uow, payload, row.company_id)
    days = protection_days(uow, row.company_id)
    if model.is_held(ownership_of(row), as_of=as_of, protection_days=days):
        holder = holder_view(uow, row, as_of=as_of)
        ends = str(holder.protection_ends)
        raise Conflict("held by %(owner_name)s until %(ends)s", code="customer_held",
                       extra={"protection_ends": ends},
                       params={"owner_name": holder.owner_name, "ends": ends})  # fmt: skip
    if extensions.owes_elsewhere(uow, row.id, actor.office_id):  # not said why: credit data
        office = uow.session.get(Office, row.office_id)
        raise Conflict("held by %(office_name)s", code="customer_held",
                       params={"office_name": office.name if office else ""})  # fmt: skip
    previous = row.owner_id
    row.company_id, row.office_id, row.owner_id = actor.company_id, actor.office_id, actor.user_id
    row.held_since = row.last_activity_on = as_of
    row.updated_at = now
    record_event(uow, row, "claim", previous, actor, now)
    loans: list[int] = []
    if actor.user_id is not None:  # the claimant takes over the customer's loans on the book
        loans = extensions.hand_over(uow, row.id, to_user_id=actor.user_id, now=now)
    return Done(entity_id=row.id, value=customer_view(row, actor),
                change={"owner_id": actor.user_id, "previous_owner_id": previous,
                        "loans": loans})  # fmt: skip


def claim_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int, now: datetime,
                   as_of: date | None = None) -> CustomerView | Pending:  # fmt: skip
    """Take a customer from the pool: it has no owner, or its protection period lapsed on
    ``as_of`` (the company's business date unless given); it is in the actor's company or in a
    company whose pool the actor's company shares."""
    payload = {"id": customer_id, "as_of": as_of.isoformat() if as_of else None}
    return value_or_pending(run_command(uow, actor, "customers.claim", payload, now=now),
                            CustomerView)  # fmt: skip


@command("customers.release", entity_type="customer", open_to_all=True,
         summary=lambda p: f"release {p['id']}")  # fmt: skip
def _release(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"], for_update=True)
    if row.owner_id != actor.user_id and not actor.can("customers.transfer"):
        raise Forbidden("only the owner or a manager releases a customer", code="not_owner")
    if row.owner_id is None:
        raise Conflict("this customer is in the pool already", code="customer_in_pool")
    if extensions.owes_elsewhere(uow, row.id, None):
        raise Conflict("owes on a loan on the book: transfer the customer instead",
                       code="customer_owing")  # fmt: skip
    previous, row.owner_id, row.updated_at = row.owner_id, None, now
    record_event(uow, row, "release", previous, actor, now)
    return Done(entity_id=row.id, value=customer_view(row, actor), change={"previous": previous})


def release_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int,
                     now: datetime) -> CustomerView | Pending:  # fmt: skip
    """Give a customer back to the pool (its owner, or whoever may transfer)."""
    outcome = run_command(uow, actor, "customers.release", {"id": customer_id}, now=now)
    return value_or_pending(outcome, CustomerView)


@command("customers.pool.configure", entity_type="company",
         summary=lambda p: f"pool: {p['protection_days']} days")  # fmt: skip
def _configure(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    days = model.checked_protection_days(int(payload["protection_days"]))
    setting = uow.session.get(PoolSetting, actor.company_id)
    if setting is None:
        setting = PoolSetting(company_id=actor.company_id)
        uow.session.add(setting)
    shared = payload["shared_in_group"]
    setting.protection_days, setting.shared_in_group = (
        days,
        None if shared is None else bool(shared),
    )
    uow.session.flush()
    return Done(entity_id=actor.company_id, value=None, change=dict(payload))


def configure_pool(uow: UnitOfWork, actor: Principal, *, protection_days: int,
                   shared_in_group: bool | None, now: datetime) -> Done | Pending:  # fmt: skip
    """The actor's company: its protection period, and whether its pool is shared with the
    group (``None``: as the group's setting says)."""
    payload = {"protection_days": protection_days, "shared_in_group": shared_in_group}
    return run_command(uow, actor, "customers.pool.configure", payload, now=now)


@command("customers.pool.configure_group", permission="customers.pool.configure",
         entity_type="group", summary=lambda p: f"group pool shared: {p['shared']}")  # fmt: skip
def _configure_group(uow: UnitOfWork, actor: Principal, payload: Payload, *,
                     now: datetime) -> Done:  # fmt: skip
    if actor.scope is not DataScope.GROUP:
        raise Forbidden("the group's setting needs a user whose data scope is the whole group",
                        code="group_scope_required")  # fmt: skip
    group_id = group_of_company(uow, actor.company_id)
    setting = uow.session.get(PoolGroupSetting, group_id)
    if setting is None:
        setting = PoolGroupSetting(group_id=group_id, shared=False, updated_at=now)
        uow.session.add(setting)
    setting.shared, setting.updated_by, setting.updated_at = (bool(payload["shared"]),
                                                              actor.user_id, now)  # fmt: skip
    uow.session.flush()
    return Done(entity_id=group_id, value=None, change={"shared": setting.shared})


def configure_group_pool(uow: UnitOfWork, actor: Principal, *, shared: bool,
                         now: datetime) -> Done | Pending:  # fmt: skip
    """Whether the group's companies share one pool unless a company says otherwise (a user
    with the group data scope and ``customers.pool.configure``)."""
    return run_command(uow, actor, "customers.pool.configure_group", {"shared": shared}, now=now)


def pool_settings(uow: UnitOfWork, actor: Principal) -> PoolSettingsView:
    """The actor's company's pool settings and what they mean (for who reads customers or
    configures the pool)."""
    if not actor.can("customers.pool.configure"):
        require(actor, "customers.view")
    group_id = group_of_company(uow, actor.company_id)
    own = uow.session.get(PoolSetting, actor.company_id)
    sharing = sharing_companies(uow, group_id)
    names = dict(uow.session.execute(select(Company.id, Company.name)
                                     .where(Company.id.in_(sharing))).all())  # fmt: skip
    return PoolSettingsView(
        protection_days=protection_days(uow, actor.company_id),
        group_shared=group_shares(uow, group_id),
        company_shared=own.shared_in_group if own else None,
        shared=actor.company_id in sharing,
        sharing_companies=tuple(names[cid] for cid in sharing),
    )


def holder_of(uow: UnitOfWork, actor: Principal, *, customer_id: int,
              as_of: date | None = None) -> HolderView:  # fmt: skip
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    return holder_view(uow, row, as_of=as_of or business_date(uow, row.company_id))


def in_pool_condition(uow: UnitOfWork, company_ids: list[int]) -> ColumnElement[bool]:
    """Customers of ``company_ids`` with no owner or whose protection lapsed (each company on
    its own business date and protection period)."""
    lapsed = []
    for company_id in company_ids:
        cutoff = business_date(uow, company_id) - timedelta(days=protection_days(uow, company_id))
        free = or_(Customer.owner_id.is_(None), Customer.last_activity_on < cutoff)
        lapsed.append(and_(Customer.company_id == company_id, free))
    return or_(*lapsed) if lapsed else false()


def pool_query(uow: UnitOfWork, actor: Principal, view: str) -> Select[Any]:
    """The customers of a pool list: ``mine``, ``office`` (held in the actor's office) or
    ``shared`` (claimable by the actor)."""
    stmt = select(Customer)
    if view == "mine":
        return stmt.where(Customer.owner_id == actor.user_id)
    if view == "office":
        return apply_scope(stmt, actor, Customer).where(
            Customer.company_id == actor.company_id,
            Customer.office_id == actor.office_id,
            Customer.owner_id.is_not(None),
        )
    claimable = in_pool_condition(uow, pool_companies(uow, actor.company_id))
    return stmt.where(claimable, ~extensions.owing_elsewhere(actor.office_id))

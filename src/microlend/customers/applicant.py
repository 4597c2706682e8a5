"""The applicant check origination runs when an application is taken (申请时核查).

``check_applicant`` looks the customer's identity up on the group's blacklist and watch list and
checks ownership (归属): when another officer holds the customer (protection period not lapsed),
it files a collision record (channel ``apply``) and names the holder. When the actor is the
holder, the application counts as activity and restarts the protection period.

It writes (a collision record, the owner's last activity) inside the caller's unit of work, so it
runs as part of the caller's command (e.g. ``origination.apply``), which is permission-checked
and audited; the collision record is kept even when that command then fails (as registration's).
It checks no permission of its own beyond ``customers.view`` and reads the customer through the
actor's data scope (``NotFound`` outside it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from microlend.customers.records import business_date, holder_view, listed
from microlend.customers.tables import Collision, Customer
from microlend.customers.views import ApplicantCheck, HolderView
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require


def holder_text(holder: HolderView) -> str:
    """``王五 (Branch A, Company X) since 2026-01-05``: who holds a customer, in one line."""
    since = holder.held_since.isoformat() if holder.held_since else "?"
    return f"{holder.owner_name or '-'} ({holder.office_name}, {holder.company_name}) since {since}"


def _file_collision(uow: UnitOfWork, actor: Principal, row: Customer, *, now: datetime) -> int:
    """File the collision record now (its id is reported), and keep it even when the caller's
    command then fails (it usually refuses the application): a durable write puts it back after
    a rollback, and does nothing when the row is there at commit."""
    fields = {"company_id": actor.company_id, "office_id": actor.office_id,
              "attempted_by": actor.user_id, "customer_id": row.id, "holder_id": row.owner_id,
              "holder_office_id": row.office_id, "holder_company_id": row.company_id,
              "channel": "apply", "occurred_at": now}  # fmt: skip
    collision = Collision(**fields)
    uow.session.add(collision)
    uow.session.flush()
    collision_id = collision.id

    def keep(session: Session) -> None:
        if session.get(Collision, collision_id) is None:
            session.add(Collision(id=collision_id, **fields))

    uow.durable(keep)
    return collision_id


def check_applicant(
    uow: UnitOfWork, actor: Principal, *, customer_id: int, now: datetime
) -> ApplicantCheck:
    """Blacklist, watch list and ownership of an applicant, as of the company's business date."""
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    entries = listed(uow.session, group_id=row.group_id, id_kind=row.id_kind,
                     id_number=row.id_number)  # fmt: skip
    reasons = tuple(f"{entry.list_kind}: {entry.reason} ({entry.source})" for entry in entries)
    today = business_date(uow, row.company_id)
    holder = holder_view(uow, row, as_of=today)
    held_by_other, collision_id = None, None
    if holder.held and row.owner_id != actor.user_id:
        held_by_other = holder_text(holder)
        collision_id = _file_collision(uow, actor, row, now=now)
    elif holder.held:
        row.last_activity_on = today
        uow.session.flush()
    return ApplicantCheck(
        blacklisted=any(entry.list_kind == "black" for entry in entries),
        watchlisted=any(entry.list_kind == "watch" for entry in entries),
        list_reasons=reasons,
        held_by_other=held_by_other,
        collision_id=collision_id,
    )

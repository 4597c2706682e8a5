"""Transfers of customers between officers (移交), with approval: the owner (or a manager)
requests, another user holding ``customers.transfer`` approves or rejects (四眼: never the one
who asked). Approval moves the customer to the new officer's office and company and restarts its
protection period. Request and decision are named commands, hence audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.customers import extensions
from microlend.customers.pool import record_event
from microlend.customers.records import business_date, group_of_company
from microlend.customers.tables import Customer
from microlend.customers.tables_pool import TransferRequest
from microlend.customers.views import TransferRequestView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Company, Office

STATUSES = ("pending", "approved", "rejected")


def transfer_view(uow: UnitOfWork, row: TransferRequest) -> TransferRequestView:
    ids = {row.from_owner_id, row.to_user_id, row.requested_by} - {None}
    names = dict(uow.session.execute(select(User.id, User.display_name)
                                     .where(User.id.in_(ids))).all())  # fmt: skip
    customer = uow.session.get(Customer, row.customer_id)
    return TransferRequestView(
        id=row.id, customer_id=row.customer_id, customer_name=customer.name if customer else "",
        from_owner_id=row.from_owner_id, from_owner_name=names.get(row.from_owner_id or 0),
        to_user_id=row.to_user_id, to_user_name=names.get(row.to_user_id, ""),
        requested_by=row.requested_by, requested_by_name=names.get(row.requested_by, ""),
        reason=row.reason, status=row.status, decided_by=row.decided_by, opinion=row.opinion,
        requested_at=row.requested_at, decided_at=row.decided_at,
    )  # fmt: skip


def _target(uow: UnitOfWork, customer: Customer, to_user_id: int) -> User:
    target = uow.session.get(User, to_user_id)
    if target is None or group_of_company(uow, target.company_id) != customer.group_id:
        raise NotFound(
            "user %(to_user_id)s not found",
            code="user_not_found",
            field="to_user_id",
            params={"to_user_id": to_user_id},
        )
    if not target.active:
        raise ValidationFailed("that user is disabled", field="to_user_id")
    if target.id == customer.owner_id:
        raise ValidationFailed("that officer holds the customer already", field="to_user_id")
    if extensions.owes_elsewhere(uow, customer.id, target.office_id):
        raise ValidationFailed(
            "the customer owes on a loan booked at another office: hand them to an officer there",
            field="to_user_id",
        )
    return target


@command("customers.transfer.request", entity_type="customer", open_to_all=True,
         summary=lambda p: f"transfer {p['id']} to user {p['to_user_id']}?")  # fmt: skip
def _request(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    if row.owner_id != actor.user_id and not actor.can("customers.transfer"):
        raise Forbidden("only the owner or a manager asks to transfer a customer",
                        code="not_owner")  # fmt: skip
    target = _target(uow, row, int(payload["to_user_id"]))
    reason = (payload.get("reason") or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed("give the reason (up to 500 characters)", field="reason")
    open_request = select(TransferRequest.id).where(
        TransferRequest.customer_id == row.id, TransferRequest.status == "pending"
    )
    if uow.session.scalars(open_request).first() is not None:
        raise Conflict("a transfer of this customer is waiting for approval already",
                       code="transfer_pending")  # fmt: skip
    request = TransferRequest(company_id=row.company_id, office_id=row.office_id,
                              customer_id=row.id, from_owner_id=row.owner_id,
                              to_user_id=target.id, requested_by=actor.user_id or 0,
                              reason=reason, status="pending", requested_at=now)  # fmt: skip
    uow.session.add(request)
    uow.session.flush()
    return Done(entity_id=row.id, value=transfer_view(uow, request),
                change={"request": request.id, "to": target.id})  # fmt: skip


def request_transfer(uow: UnitOfWork, actor: Principal, *, customer_id: int, to_user_id: int,
                     reason: str, now: datetime) -> TransferRequestView | Pending:  # fmt: skip
    """Ask to hand a customer to another officer of the group; another user decides."""
    payload = {"id": customer_id, "to_user_id": to_user_id, "reason": reason}
    return value_or_pending(run_command(uow, actor, "customers.transfer.request", payload,
                                        now=now), TransferRequestView)  # fmt: skip


@command("customers.transfer", entity_type="customer_transfer", checkable=False,
         summary=lambda p: f"decide transfer {p['id']}: {p['approve']}")  # fmt: skip
def _decide(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    request = get_scoped(uow.session, actor, TransferRequest, payload["id"], owner_column="-")
    if request.status != "pending":
        raise Conflict(
            "this request is %(status)s already",
            code="transfer_decided",
            params={"status": request.status},
        )
    if request.requested_by == actor.user_id:
        raise Forbidden("no one approves their own request", code="own_request")
    row = get_scoped(uow.session, actor, Customer, request.customer_id, for_update=True)
    opinion = (payload.get("opinion") or "").strip()[:500] or None
    request.decided_by, request.decided_at, request.opinion = actor.user_id, now, opinion
    if not payload["approve"]:
        request.status = "rejected"
        uow.session.flush()
        return Done(entity_id=request.id, value=transfer_view(uow, request),
                    change={"status": "rejected"})  # fmt: skip
    if row.owner_id != request.from_owner_id:
        raise Conflict("the customer changed hands since the request", code="transfer_stale")
    target = _target(uow, row, request.to_user_id)
    previous = row.owner_id
    row.company_id, row.office_id, row.owner_id = target.company_id, target.office_id, target.id
    row.held_since = row.last_activity_on = business_date(uow, target.company_id)
    row.updated_at = now
    record_event(uow, row, "transfer", previous, actor, now)
    loans = extensions.hand_over(uow, row.id, to_user_id=target.id, now=now)
    request.status = "approved"
    uow.session.flush()
    return Done(entity_id=request.id, value=transfer_view(uow, request),
                change={"status": "approved", "from": previous, "to": target.id,
                        "loans": loans})  # fmt: skip


def decide_transfer(uow: UnitOfWork, actor: Principal, *, request_id: int, approve: bool,
                    opinion: str = "", now: datetime) -> TransferRequestView:  # fmt: skip
    """Approve (the customer moves) or reject a pending transfer request."""
    payload = {"id": request_id, "approve": approve, "opinion": opinion}
    outcome = run_command(uow, actor, "customers.transfer", payload, now=now)
    assert not isinstance(outcome, Pending)  # the decision is the check: never held for one
    return outcome.value  # type: ignore[no-any-return]


def list_transfers(
    uow: UnitOfWork, actor: Principal, *, status: str | None = "pending",
    cursor: str | None = None, limit: int = 50,
) -> Page[TransferRequestView]:  # fmt: skip
    """Transfer requests of the customers in the actor's scope, newest first."""
    require(actor, "customers.view")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(
            "one of %(statuses)s", field="status", params={"statuses": ", ".join(STATUSES)}
        )
    stmt = apply_scope(select(TransferRequest), actor, TransferRequest, owner_column="-")
    if status:
        stmt = stmt.where(TransferRequest.status == status)
    rows = uow.session.scalars(paginate(stmt, TransferRequest.id, cursor=cursor, limit=limit,
                                        newest_first=True)).all()  # fmt: skip
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    return Page([transfer_view(uow, row) for row in page.items], page.next_cursor)


def transfer_candidates(uow: UnitOfWork, actor: Principal) -> list[tuple[int, str]]:
    """The active users of the actor's group a customer may be handed to: (id, "name (office)")."""
    require(actor, "customers.view")
    group_id = group_of_company(uow, actor.company_id)
    rows = uow.session.execute(
        select(User.id, User.display_name, Office.name)
        .join(Office, Office.id == User.office_id)
        .join(Company, Company.id == User.company_id)
        .where(Company.group_id == group_id, User.active.is_(True))
        .order_by(Office.name, User.display_name)
        .limit(500)
    ).all()
    return [(user_id, f"{name} ({office})") for user_id, name, office in rows]

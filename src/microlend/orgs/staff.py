"""Staff: the employees of a company, each at an office (phones are personal data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, ValidationFailed
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal, require
from microlend.orgs import model
from microlend.orgs.model import StaffView
from microlend.orgs.tables import Office, Staff


def staff_view(row: Staff, actor: Principal) -> StaffView:
    return StaffView(
        id=row.id,
        company_id=row.company_id,
        office_id=row.office_id,
        employee_no=row.employee_no,
        name=row.name,
        position=row.position,
        phone=shown(row.phone, PiiKind.PHONE, may_view=actor.can("pii.view")),
        active=row.active,
    )


@command("orgs.staff.create", entity_type="staff", summary=lambda p: f"staff {p['name']}")
def _create_staff(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    office = get_scoped(uow.session, actor, Office, payload["office_id"], office_column="id")
    number = model.checked_code(payload["employee_no"], field_name="employee_no")
    taken = select(Staff.id).where(
        Staff.company_id == office.company_id, Staff.employee_no == number
    )
    if uow.session.scalars(taken).first() is not None:
        raise Conflict(
            "employee no. %(number)s is taken",
            code="duplicate_code",
            field="employee_no",
            params={"number": number},
        )
    row = Staff(
        company_id=office.company_id,
        office_id=office.id,
        employee_no=number,
        name=model.checked_name(payload["name"], max_length=100),
        position=(payload.get("position") or "").strip()[:100],
        phone=(payload.get("phone") or None),
        active=True,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    return Done(entity_id=row.id, value=staff_view(row, actor), change={"id": row.id})


def create_staff(
    uow: UnitOfWork,
    actor: Principal,
    *,
    office_id: int,
    employee_no: str,
    name: str,
    position: str = "",
    phone: str | None = None,
    now: datetime,
) -> StaffView | Pending:
    payload = {
        "office_id": office_id,
        "employee_no": employee_no,
        "name": name,
        "position": position,
        "phone": phone,
    }
    if phone is not None and not phone.strip():
        raise ValidationFailed("phone is empty", field="phone")
    outcome = run_command(uow, actor, "orgs.staff.create", payload, now=now)
    return value_or_pending(outcome, StaffView)


def list_staff(
    uow: UnitOfWork,
    actor: Principal,
    *,
    cursor: str | None = None,
    limit: int = 50,
    q: str | None = None,
) -> Page[StaffView]:
    require(actor, "orgs.staff.view")
    stmt = apply_scope(select(Staff), actor, Staff)
    if q:
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(or_(Staff.name.ilike(pattern), Staff.employee_no.ilike(pattern)))
    rows = uow.session.scalars(paginate(stmt, Staff.id, cursor=cursor, limit=limit)).all()
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    return Page([staff_view(row, actor) for row in page.items], page.next_cursor)

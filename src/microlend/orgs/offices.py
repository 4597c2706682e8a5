"""The office tree: opening, renaming, reading offices; the subtree queries scopes are built on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound
from microlend.kernel.principal import Principal, require
from microlend.orgs import model
from microlend.orgs.model import OfficeNode, OfficeView
from microlend.orgs.tables import Company, Office


def office_view(row: Office) -> OfficeView:
    return OfficeView(
        id=row.id,
        company_id=row.company_id,
        parent_id=row.parent_id,
        code=row.code,
        name=row.name,
        path=row.path,
        depth=row.depth,
        active=row.active,
    )


# --- queries the auth context uses to build a principal ------------------------------------------


def office_subtree_ids(uow: UnitOfWork, *, office_id: int) -> frozenset[int]:
    """The office and every office below it."""
    office = uow.session.get(Office, office_id)
    if office is None:
        raise NotFound(
            "office %(office_id)s not found",
            code="office_not_found",
            params={"office_id": office_id},
        )
    ids = uow.session.scalars(
        select(Office.id).where(
            Office.company_id == office.company_id, Office.path.startswith(office.path)
        )
    ).all()
    return frozenset(ids)


def group_company_ids(uow: UnitOfWork, *, company_id: int) -> frozenset[int]:
    """Every company of the group ``company_id`` belongs to."""
    group_id = select(Company.group_id).where(Company.id == company_id).scalar_subquery()
    return frozenset(uow.session.scalars(select(Company.id).where(Company.group_id == group_id)))


_HEAD = Office.__table__.alias("head")
_MEMBER = Company.__table__.alias("member")
_GROUP_AND_HEAD_OFFICE = (  # built once: building its aliases took longer than running it
    select(_MEMBER.c.id, _HEAD.c.id)
    .select_from(Company)
    .join(_MEMBER, _MEMBER.c.group_id == Company.group_id)
    .outerjoin(_HEAD, (_HEAD.c.company_id == Company.id) & _HEAD.c.parent_id.is_(None))
    .where(Company.id == bindparam("company_id"))
)


def group_and_head_office(
    uow: UnitOfWork, *, company_id: int
) -> tuple[frozenset[int], int | None] | None:
    """Every company of the group ``company_id`` belongs to, and its head office, in one
    statement (a close of business builds its operator a few times a night); ``None`` if there
    is no such company."""
    rows = uow.session.execute(_GROUP_AND_HEAD_OFFICE, {"company_id": company_id}).all()
    if not rows:
        return None
    return frozenset(member for member, _head in rows), rows[0][1]


def find_office(uow: UnitOfWork, *, office_id: int) -> OfficeView:
    row = uow.session.get(Office, office_id)
    if row is None:
        raise NotFound(
            "office %(office_id)s not found",
            code="office_not_found",
            field="office_id",
            params={"office_id": office_id},
        )
    return office_view(row)


def insert_office(
    uow: UnitOfWork,
    *,
    company_id: int,
    parent: Office | None,
    code: str,
    name: str,
    now: datetime,
) -> Office:
    code, name = model.checked_code(code), model.checked_name(name)
    taken = select(Office.id).where(Office.company_id == company_id, Office.code == code)
    if uow.session.scalars(taken).first() is not None:
        raise Conflict(
            "office code %(code)s is taken",
            code="duplicate_code",
            field="code",
            params={"code": code},
        )
    office = Office(
        company_id=company_id,
        parent_id=parent.id if parent else None,
        code=code,
        name=name,
        path="/",
        depth=parent.depth + 1 if parent else 0,
        active=True,
        created_at=now,
    )
    uow.session.add(office)
    uow.session.flush()
    office.path = model.child_path(parent.path if parent else None, office.id)
    uow.session.flush()
    return office


@command(
    "orgs.office.create",
    entity_type="office",
    summary=lambda p: f"office {p['code']} {p['name']} under office {p['parent_id']}",
)
def _create_office(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    try:
        parent = get_scoped(uow.session, actor, Office, payload["parent_id"], office_column="id")
    except NotFound as missing:
        raise NotFound(
            missing.template, code=missing.code, field="parent_id", params=missing.params
        ) from None
    office = insert_office(
        uow,
        company_id=parent.company_id,
        parent=parent,
        code=payload["code"],
        name=payload["name"],
        now=now,
    )
    view = office_view(office)
    return Done(entity_id=office.id, value=view, change={"id": office.id, "path": office.path})


def create_office(
    uow: UnitOfWork, actor: Principal, *, parent_id: int, code: str, name: str, now: datetime
) -> OfficeView | Pending:
    """A new office under ``parent_id`` (which the actor must see)."""
    payload = {"parent_id": parent_id, "code": code, "name": name}
    outcome = run_command(uow, actor, "orgs.office.create", payload, now=now)
    return value_or_pending(outcome, OfficeView)


@command("orgs.office.update", entity_type="office", summary=lambda p: f"rename office {p['id']}")
def _rename_office(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    office = get_scoped(uow.session, actor, Office, payload["id"], office_column="id")
    office.name = model.checked_name(payload["name"])
    uow.session.flush()
    return Done(entity_id=office.id, value=office_view(office), change=dict(payload))


def rename_office(
    uow: UnitOfWork, actor: Principal, *, office_id: int, name: str, now: datetime
) -> OfficeView | Pending:
    payload = {"id": office_id, "name": name}
    outcome = run_command(uow, actor, "orgs.office.update", payload, now=now)
    return value_or_pending(outcome, OfficeView)


def get_office(uow: UnitOfWork, actor: Principal, *, office_id: int) -> OfficeView:
    require(actor, "orgs.office.view")
    return office_view(get_scoped(uow.session, actor, Office, office_id, office_column="id"))


def _office_query(actor: Principal, q: str | None) -> Any:
    stmt = apply_scope(select(Office), actor, Office, office_column="id")
    if q:
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(or_(Office.code.ilike(pattern), Office.name.ilike(pattern)))
    return stmt


def list_offices(
    uow: UnitOfWork,
    actor: Principal,
    *,
    cursor: str | None = None,
    limit: int = 50,
    q: str | None = None,
) -> Page[OfficeView]:
    """Offices the actor may see, by id, filtered by code or name containing ``q``."""
    require(actor, "orgs.office.view")
    stmt = paginate(_office_query(actor, q), Office.id, cursor=cursor, limit=limit)
    rows = uow.session.scalars(stmt).all()
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    return Page([office_view(row) for row in page.items], page.next_cursor)


def office_tree(uow: UnitOfWork, actor: Principal) -> list[OfficeNode]:
    """The visible part of the office tree(s), roots first."""
    require(actor, "orgs.office.view")
    rows = uow.session.scalars(_office_query(actor, None).order_by(Office.path)).all()
    return model.build_tree(office_view(row) for row in rows)

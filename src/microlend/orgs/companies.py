"""Companies (tenants): founding the first one, adding more to the group, reading them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from microlend.db.audit import Actor, append_audit
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal
from microlend.orgs import model
from microlend.orgs.model import CompanyView
from microlend.orgs.offices import insert_office
from microlend.orgs.tables import Company, Group, Office

SYSTEM = Actor(user_id=None, username="system", company_id=None, address=None)


def company_view(row: Company, head_office_id: int | None = None) -> CompanyView:
    return CompanyView(
        id=row.id,
        group_id=row.group_id,
        code=row.code,
        name=row.name,
        currency=row.currency,
        timezone=row.timezone,
        business_date=row.business_date,
        head_office_id=head_office_id,
    )


def _new_company(
    uow: UnitOfWork,
    *,
    group_id: int,
    code: str,
    name: str,
    head_office_name: str,
    business_date: date,
    now: datetime,
) -> tuple[Company, Office]:
    code, name = model.checked_code(code), model.checked_name(name)
    if uow.session.scalars(select(Company.id).where(Company.code == code)).first():
        raise Conflict(
            "a company with code %(code)s exists",
            code="duplicate_code",
            field="code",
            params={"code": code},
        )
    company = Company(
        group_id=group_id,
        code=code,
        name=name,
        currency=model.DEFAULT_CURRENCY,
        timezone=model.DEFAULT_TIMEZONE,
        business_date=business_date,
        created_at=now,
    )
    uow.session.add(company)
    uow.session.flush()
    head = insert_office(
        uow, company_id=company.id, parent=None, code="HQ", name=head_office_name, now=now
    )
    return company, head


def found_company(
    uow: UnitOfWork,
    *,
    company_code: str,
    company_name: str,
    business_date: date,
    now: datetime,
    head_office_name: str = "Head office",
    group_code: str = "GROUP",
    group_name: str | None = None,
) -> CompanyView:
    """Bootstrap (``microlend init``): the group if new, a company and its head office."""
    group = uow.session.scalars(select(Group).where(Group.code == group_code)).one_or_none()
    if group is None:
        group = Group(code=model.checked_code(group_code), name=group_name or company_name)
        group.created_at = now
        uow.session.add(group)
        uow.session.flush()
    company, head = _new_company(
        uow,
        group_id=group.id,
        code=company_code,
        name=company_name,
        head_office_name=head_office_name,
        business_date=business_date,
        now=now,
    )
    payload = {"company_code": company_code, "company_name": company_name}
    append_audit(
        uow.session,
        actor=SYSTEM,
        command="orgs.company.found",
        outcome="ok",
        input_digest=digest(payload),
        change_digest=digest({**payload, "company_id": company.id, "head_office_id": head.id}),
        entity_type="company",
        entity_id=company.id,
        now=now,
    )
    return company_view(company, head.id)


@command(
    "orgs.company.create",
    entity_type="company",
    summary=lambda p: f"company {p['code']} {p['name']}",
)
def _create_company(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    own = uow.session.get(Company, actor.company_id)
    if own is None:
        raise NotFound("the actor's company is gone", code="company_not_found")
    company, head = _new_company(
        uow,
        group_id=own.group_id,
        code=payload["code"],
        name=payload["name"],
        head_office_name=payload["head_office_name"],
        business_date=date.fromisoformat(payload["business_date"]),
        now=now,
    )
    view = company_view(company, head.id)
    return Done(entity_id=company.id, value=view, change={"company_id": company.id, **payload})


def create_company(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    name: str,
    business_date: date,
    now: datetime,
    head_office_name: str = "Head office",
) -> CompanyView | Pending:
    """A further company in the actor's group (with its head office)."""
    payload = {
        "code": code,
        "name": name,
        "business_date": business_date.isoformat(),
        "head_office_name": head_office_name,
    }
    outcome = run_command(uow, actor, "orgs.company.create", payload, now=now)
    return value_or_pending(outcome, CompanyView)


def list_companies(uow: UnitOfWork, actor: Principal) -> list[CompanyView]:
    rows = uow.session.scalars(
        select(Company).where(Company.id.in_(sorted(actor.company_ids))).order_by(Company.id)
    ).all()
    return [company_view(row) for row in rows]


def get_company(uow: UnitOfWork, actor: Principal, *, company_id: int) -> CompanyView:
    row = uow.session.get(Company, company_id)
    if row is None or not actor.sees_company(company_id):
        raise NotFound(
            "company %(company_id)s not found",
            code="company_not_found",
            params={"company_id": company_id},
        )
    return company_view(row)


def list_companies_by_id(uow: UnitOfWork, *, company_ids: list[int]) -> list[CompanyView]:
    """Companies with their head office (for the edge and for building principals)."""
    rows = uow.session.execute(
        select(Company, Office.id)
        .outerjoin(Office, (Office.company_id == Company.id) & Office.parent_id.is_(None))
        .where(Company.id.in_(company_ids))
        .order_by(Company.id)
    ).all()
    return [company_view(company, head_id) for company, head_id in rows]


def company_by_code(uow: UnitOfWork, *, code: str) -> CompanyView:
    company_id = uow.session.scalars(select(Company.id).where(Company.code == code)).first()
    if company_id is None:
        raise NotFound(
            "no company with code %(code)s",
            code="company_not_found",
            field="company",
            params={"code": code},
        )
    return list_companies_by_id(uow, company_ids=[company_id])[0]


def first_company(uow: UnitOfWork) -> CompanyView | None:
    company_id = uow.session.scalars(select(Company.id).order_by(Company.id)).first()
    return None if company_id is None else list_companies_by_id(uow, company_ids=[company_id])[0]

"""Row-level helpers shared by the customer services: money in minor units, views, lookups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from microlend.auth.tables import User
from microlend.customers import extensions, model
from microlend.customers.tables import Customer, ListEntry, PoolSetting
from microlend.customers.views import CustomerView, HolderView
from microlend.db.uow import UnitOfWork
from microlend.kernel.money import Money, minor_units_of
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal
from microlend.orgs.tables import Company, Office


def to_minor(amount: str | Decimal | None, *, field: str, currency: str = "CNY") -> int | None:
    """A decimal string or Decimal as integer minor units (exact to the fen), or ``None``."""
    if amount is None or amount == "":
        return None
    return minor_units_of(amount, currency, field=field)


def from_minor(units: int | None, currency: str = "CNY") -> Decimal | None:
    return None if units is None else Money.from_minor(units, currency).amount


def may_view_pii(actor: Principal) -> bool:
    return actor.can("pii.view")


def customer_view(row: Customer, actor: Principal) -> CustomerView:
    pii = may_view_pii(actor)
    return CustomerView(
        id=row.id,
        kind=row.kind,
        company_id=row.company_id,
        office_id=row.office_id,
        owner_id=row.owner_id,
        id_kind=row.id_kind,
        id_number=shown(row.id_number, PiiKind.ID_NUMBER, may_view=pii) or "",
        name=row.name,
        phone=shown(row.phone, PiiKind.PHONE, may_view=pii),
        address=row.address,
        birth_date=row.birth_date,
        sex=row.sex,
        marital_status=row.marital_status,
        education=row.education,
        employer=row.employer,
        monthly_income=from_minor(row.monthly_income_minor, row.currency),
        legal_representative=row.legal_representative,
        registered_capital=from_minor(row.registered_capital_minor, row.currency),
        industry_code=row.industry_code,
        region_code=row.region_code,
        founded_on=row.founded_on,
        employees=row.employees,
        currency=row.currency,
        created_at=row.created_at,
    )


def protection_days(uow: UnitOfWork, company_id: int) -> int:
    setting = uow.session.get(PoolSetting, company_id)
    return setting.protection_days if setting else model.DEFAULT_PROTECTION_DAYS


def ownership_of(row: Customer) -> model.Ownership:
    return model.Ownership(row.owner_id, row.held_since, row.last_activity_on)


def holder_view(uow: UnitOfWork, row: Customer, *, as_of: date) -> HolderView:
    days = protection_days(uow, row.company_id)
    owner = uow.session.get(User, row.owner_id) if row.owner_id is not None else None
    office = uow.session.get(Office, row.office_id)
    company = uow.session.get(Company, row.company_id)
    ownership = ownership_of(row)
    owing = extensions.owes_elsewhere(uow, row.id, None)
    held = model.is_held(ownership, as_of=as_of, protection_days=days)
    return HolderView(
        owner_id=row.owner_id,
        owner_name=owner.display_name if owner else None,
        office_id=row.office_id,
        office_name=office.name if office else "",
        company_id=row.company_id,
        company_name=company.name if company else "",
        held_since=row.held_since,
        last_activity_on=row.last_activity_on,
        protection_ends=model.protection_ends(ownership, protection_days=days),
        held=held or (owing and row.owner_id is not None),
        owing=owing,
    )


def group_of_company(uow: UnitOfWork, company_id: int) -> int:
    group_id = uow.session.scalars(select(Company.group_id).where(Company.id == company_id)).one()
    return int(group_id)


def business_date(uow: UnitOfWork, company_id: int) -> date:
    """The company's business date: the day ownership and protection periods count in."""
    return uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()


def listed(session: Session, *, group_id: int, id_kind: str, id_number: str) -> list[ListEntry]:
    """The active blacklist and watch-list entries of an identity in a group."""
    stmt = select(ListEntry).where(
        ListEntry.group_id == group_id,
        ListEntry.id_kind == id_kind,
        ListEntry.id_number == id_number,
        ListEntry.active.is_(True),
    )
    return list(session.scalars(stmt.order_by(ListEntry.id)))

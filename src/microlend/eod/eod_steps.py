"""The close of business's own steps: reconciliation (80) and advancing the business date (90)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update

from microlend.db.eod import ADVANCE_DATE, RECONCILIATION, Counts, Step
from microlend.db.uow import UnitOfWork
from microlend.eod.reconciliation import reconcile
from microlend.orgs.tables import Company


def advance_business_date(
    uow: UnitOfWork, company_id: int, business_date: date, *, now: datetime
) -> Counts:
    """The company's business date becomes the next day (only from the date being closed)."""
    moved = uow.session.execute(
        update(Company)
        .where(Company.id == company_id, Company.business_date == business_date)
        .values(business_date=business_date + timedelta(days=1))
    )
    return {"days_advanced": moved.rowcount}  # type: ignore[attr-defined]


STEPS = [
    Step.company("eod.reconcile", RECONCILIATION, run=reconcile),
    Step.company("eod.advance_date", ADVANCE_DATE, run=advance_business_date),
]

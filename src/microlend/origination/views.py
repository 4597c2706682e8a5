"""What the origination queries return: frozen views with amounts as ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ApplicationView:
    id: int
    number: str
    status: str
    company_id: int
    office_id: int
    owner_id: int
    owner_name: str
    customer_id: int
    customer_name: str
    customer_kind: str
    product_version_id: int
    product_name: str
    currency: str
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    method: str
    purpose: str
    approved_amount: Decimal | None
    approved_term_count: int | None
    approved_annual_rate: Decimal | None
    created_at: datetime
    updated_at: datetime
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartyView:
    id: int
    role: str
    customer_id: int
    customer_name: str
    relation: str


@dataclass(frozen=True)
class CollateralView:
    id: int
    kind: str
    description: str
    currency: str
    value: Decimal
    appraisal_value: Decimal | None
    appraiser: str | None
    appraised_on: date | None
    loan_to_value: Decimal | None  # requested amount / appraisal value


@dataclass(frozen=True)
class EventView:
    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_name: str
    note: str
    reasons: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True)
class AttachmentView:
    id: int
    section: str
    kind: str
    caption: str
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_at: datetime


@dataclass(frozen=True)
class ReportView:
    id: int
    application_id: int
    author_id: int
    author_name: str
    template: str
    status: str
    sections: dict[str, dict[str, Any]]
    recommendation: str | None
    suggested_amount: Decimal | None
    suggested_term_count: int | None
    suggested_annual_rate: Decimal | None
    opinion: str
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True)
class ContractView:
    id: int
    application_id: int
    number: str
    currency: str
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    method: str
    apr: Decimal
    disbursement_date: date
    first_due_date: date
    disclosure: dict[str, Any]
    pdf_hash: str
    created_at: datetime


@dataclass(frozen=True)
class ApplicationDetail:
    """One application with everything hung from it: the application page and API."""

    application: ApplicationView
    parties: tuple[PartyView, ...]
    collateral: tuple[CollateralView, ...]
    events: tuple[EventView, ...]
    reports: tuple[ReportView, ...]
    contract: ContractView | None
    warnings: tuple[str, ...] = field(default_factory=tuple)

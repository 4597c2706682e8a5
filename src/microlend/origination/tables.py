"""Loan applications: the row every part of origination hangs from.

``status`` follows the state machine of ``origination.model`` (draft, submitted, investigating,
under_review, approved, conditionally_approved, rejected, withdrawn, contracted, disbursed).
``amount_minor`` / ``term_count`` / ``annual_rate`` are what is asked for; the approved values may
be lower (conditions) and are kept beside them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, CurrencyCode, DecimalText, Id, IdType, id_column


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))  # the loan officer
    number: Mapped[str] = mapped_column(String(30))
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    product_version_id: Mapped[int] = mapped_column(IdType, ForeignKey("product_versions.id"))
    status: Mapped[str] = mapped_column(String(30))
    currency: Mapped[CurrencyCode]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    term_count: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[Decimal] = mapped_column(DecimalText)
    method: Mapped[str] = mapped_column(String(30))
    purpose: Mapped[str] = mapped_column(Text)
    approved_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    approved_term_count: Mapped[int | None] = mapped_column(Integer)
    approved_annual_rate: Mapped[Decimal | None] = mapped_column(DecimalText)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_applications_company_office_status", "company_id", "office_id", "status"),
        Index("ix_applications_owner_id", "owner_id"),
    )


class ApplicationParty(Base):
    """A co-borrower or a guarantor of an application: a customer of the group."""

    __tablename__ = "application_parties"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # co_borrower | guarantor
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    relation: Mapped[str] = mapped_column(String(50))  # to the applicant: spouse, partner, ...
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("application_id", "customer_id"),)


class Collateral(Base):
    """A pledge or mortgage offered for an application, with its appraisal when there is one."""

    __tablename__ = "application_collateral"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # real_estate | vehicle | equipment | ...
    description: Mapped[str] = mapped_column(Text)
    currency: Mapped[CurrencyCode]
    value_minor: Mapped[int] = mapped_column(BigInteger)  # declared by the borrower
    appraisal_value_minor: Mapped[int | None] = mapped_column(BigInteger)
    appraiser: Mapped[str | None] = mapped_column(String(200))
    appraised_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class InvestigationReport(Base):
    """A pre-loan investigation report (贷前调查) of an application, by one officer.

    ``sections`` holds the answers per section of the product's template (see
    ``origination.investigation_templates``). A report returned for more information stays as it
    was; the next round is a new report, so every investigator stays on record.
    """

    __tablename__ = "investigation_reports"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"), index=True)
    template: Mapped[str] = mapped_column(String(20))  # individual | enterprise
    status: Mapped[str] = mapped_column(String(20))  # draft | completed
    sections: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation: Mapped[str | None] = mapped_column(String(10))  # approve | decline
    suggested_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    suggested_term_count: Mapped[int | None] = mapped_column(Integer)
    suggested_annual_rate: Mapped[Decimal | None] = mapped_column(DecimalText)
    opinion: Mapped[str] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InvestigationAttachment(Base):
    """A photo or document of an investigation report, kept in the document store by hash."""

    __tablename__ = "investigation_attachments"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    report_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("investigation_reports.id"), index=True
    )
    section: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # photo | document
    caption: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class Contract(Base):
    """The loan contract of an approved application: its number is gapless per company and year
    (``HT2026000123``); ``disclosure`` keeps the quote it was written with (schedule, APR, fees);
    ``pdf_hash`` names the rendered PDF in the document store."""

    __tablename__ = "contracts"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), unique=True)
    number: Mapped[str] = mapped_column(String(30))
    currency: Mapped[CurrencyCode]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    term_count: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[Decimal] = mapped_column(DecimalText)
    method: Mapped[str] = mapped_column(String(30))
    apr: Mapped[Decimal] = mapped_column(DecimalText)
    disbursement_date: Mapped[date] = mapped_column(Date)
    first_due_date: Mapped[date] = mapped_column(Date)
    disclosure: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "number"),)


class NumberCounter(Base):
    """The last number given per company, kind (``application`` | ``contract``) and year; a
    command locks its row to take the next one, so numbers have no gaps."""

    __tablename__ = "origination_counters"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class ApplicationEvent(Base):
    """The status timeline of an application: every transition, by whom, when, with a note."""

    __tablename__ = "application_events"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    occurred_at: Mapped[datetime]

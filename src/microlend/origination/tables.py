"""Loan applications: the row every part of origination hangs from.

``status`` follows the state machine of ``origination.model`` (draft, submitted, investigating,
under_review, approved, conditionally_approved, rejected, withdrawn, contracted, disbursed).
``amount_minor`` / ``term_count`` / ``annual_rate`` are what is asked for; the approved values may
be lower (conditions) and are kept beside them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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

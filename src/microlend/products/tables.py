"""Loan products and their versions.

A product is a name and a code; its terms live in versions. A version is immutable once created
(its ``terms`` document is validated by ``products.schemas``); changing a product creates the next
version, and an application (then its loan) keeps the version it was approved with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, CurrencyCode, Id, IdType, id_column


class Product(Base):
    __tablename__ = "products"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    customer_kind: Mapped[str] = mapped_column(String(20))  # individual | enterprise | any
    currency: Mapped[CurrencyCode]
    status: Mapped[str] = mapped_column(String(20))  # active | retired
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "code"),)


class ProductVersion(Base):
    __tablename__ = "product_versions"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), index=True)
    product_id: Mapped[int] = mapped_column(IdType, ForeignKey("products.id"))
    version: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))  # None: seeded
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("product_id", "version"),)

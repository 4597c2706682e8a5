"""Groups, companies (tenants), the office tree and staff."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[Id] = id_column()
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Company(Base):
    """A tenant: its own ledger, currency, time zone and business date."""

    __tablename__ = "companies"

    id: Mapped[Id] = id_column()
    group_id: Mapped[int] = mapped_column(IdType, ForeignKey("groups.id"), index=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    business_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class Office(Base):
    """A node of a company's office tree. ``path`` is the materialized path of ids from the root,
    e.g. ``/1/4/9/``: the subtree of office 4 is every office whose path starts with ``/1/4/``."""

    __tablename__ = "offices"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(1000))
    depth: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        Index("ix_offices_company_path", "company_id", "path"),
        Index("ix_offices_parent_id", "parent_id"),
    )


class Staff(Base):
    """An employee of a company, working at an office."""

    __tablename__ = "staff"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"), index=True)
    employee_no: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "employee_no"),)

"""Customers, their credit file, related-party links, blacklist, pool and collision records.

A customer is unique per group by identity: ``(group_id, id_kind, id_number)``. Search indexes:
``name_key``, ``name_pinyin``, ``name_initials`` (btree, prefix by range), ``id_number``,
``phone``; on PostgreSQL a pg_trgm GIN index
on ``name_key`` answers "contains". Money is BIGINT minor units beside a currency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, CurrencyCode, Id, IdType, id_column


def _customer_fk() -> Mapped[int]:
    return mapped_column(IdType, ForeignKey("customers.id"), index=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[Id] = id_column()
    group_id: Mapped[int] = mapped_column(IdType, ForeignKey("groups.id"))
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    owner_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # individual | enterprise
    id_kind: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    name_pinyin: Mapped[str] = mapped_column(String(200))  # 张三 -> zhangsan (pinyin_keys)
    name_initials: Mapped[str] = mapped_column(String(100))  # 张三 -> zs
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    currency: Mapped[CurrencyCode]
    # individuals
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    marital_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(30))
    employer: Mapped[str | None] = mapped_column(String(200))
    monthly_income_minor: Mapped[int | None] = mapped_column(BigInteger)
    # enterprises
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    registered_capital_minor: Mapped[int | None] = mapped_column(BigInteger)
    industry_code: Mapped[str | None] = mapped_column(String(5))  # GB/T 4754
    region_code: Mapped[str | None] = mapped_column(String(6))  # GB/T 2260
    founded_on: Mapped[date | None] = mapped_column(Date)
    employees: Mapped[int | None] = mapped_column(Integer)
    # ownership (归属)
    held_since: Mapped[date | None] = mapped_column(Date)
    last_activity_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("group_id", "id_kind", "id_number"),
        Index("ix_customers_id_number", "id_number"),
        Index("ix_customers_phone", "phone"),
        Index(
            "ix_customers_name_key", "name_key", postgresql_ops={"name_key": "varchar_pattern_ops"}
        ),
        Index(
            "ix_customers_name_pinyin",
            "name_pinyin",
            postgresql_ops={"name_pinyin": "varchar_pattern_ops"},
        ),
        Index(
            "ix_customers_name_initials",
            "name_initials",
            postgresql_ops={"name_initials": "varchar_pattern_ops"},
        ),
        Index("ix_customers_company_office", "company_id", "office_id"),
        Index("ix_customers_owner_id", "owner_id"),
        Index(
            "ix_customers_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
            sqlite_where=text("0"),  # PostgreSQL only: on SQLite an empty partial index
        ),
    )


class NameGram(Base):
    """Every two-character piece of a customer's name key: "name contains" looks its pieces up
    here (a Chinese name is two or three characters, too short for trigram indexes)."""

    __tablename__ = "customer_name_grams"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("customers.id"), primary_key=True, index=True
    )


class CustomerContact(Base):
    """A further phone, e-mail or address of a customer."""

    __tablename__ = "customer_contacts"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    kind: Mapped[str] = mapped_column(String(20))  # phone | email | address
    value: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_customer_contacts_value", "value"),)


class CustomerBankAccount(Base):
    __tablename__ = "customer_bank_accounts"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    bank_name: Mapped[str] = mapped_column(String(100))
    account_no: Mapped[str] = mapped_column(String(40))
    account_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class CustomerConsent(Base):
    """Consent to data use or to a credit report inquiry, with its period."""

    __tablename__ = "customer_consents"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    purpose: Mapped[str] = mapped_column(String(30))  # data_use | credit_inquiry
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class FinancialStatement(Base):
    """An enterprise's statement or an individual's income and expense, for one period."""

    __tablename__ = "customer_financials"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    period: Mapped[str] = mapped_column(String(7))  # 2024 or 2024-12
    currency: Mapped[CurrencyCode]
    revenue_minor: Mapped[int | None] = mapped_column(BigInteger)
    net_profit_minor: Mapped[int | None] = mapped_column(BigInteger)
    total_assets_minor: Mapped[int | None] = mapped_column(BigInteger)
    total_liabilities_minor: Mapped[int | None] = mapped_column(BigInteger)
    current_assets_minor: Mapped[int | None] = mapped_column(BigInteger)
    current_liabilities_minor: Mapped[int | None] = mapped_column(BigInteger)
    operating_cash_flow_minor: Mapped[int | None] = mapped_column(BigInteger)
    monthly_income_minor: Mapped[int | None] = mapped_column(BigInteger)
    monthly_expense_minor: Mapped[int | None] = mapped_column(BigInteger)
    monthly_debt_payments_minor: Mapped[int | None] = mapped_column(BigInteger)
    recorded_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("customer_id", "period"),)


class CustomerLink(Base):
    """A typed related-party link from one customer to another, with a share where it has one."""

    __tablename__ = "customer_links"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    from_customer_id: Mapped[int] = _customer_fk()
    to_customer_id: Mapped[int] = _customer_fk()
    relation: Mapped[str] = mapped_column(String(30))
    share_percent: Mapped[Decimal | None]
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("from_customer_id", "to_customer_id", "relation"),)


class CustomerDocument(Base):
    """An attachment, stored once by its SHA-256 under the document directory."""

    __tablename__ = "customer_documents"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    doc_type: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class CustomerNote(Base):
    __tablename__ = "customer_notes"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ListEntry(Base):
    """A blacklist or watch-list entry for an identity, across the group."""

    __tablename__ = "customer_list_entries"

    id: Mapped[Id] = id_column()
    group_id: Mapped[int] = mapped_column(IdType, ForeignKey("groups.id"))
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    list_kind: Mapped[str] = mapped_column(String(10))  # black | watch
    id_kind: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_customer_list_entries_identity", "group_id", "id_kind", "id_number"),
    )


class Collision(Base):
    """An attempt to register a customer someone else holds (撞单)."""

    __tablename__ = "customer_collisions"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    attempted_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    customer_id: Mapped[int] = _customer_fk()
    holder_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    holder_office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    holder_company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    channel: Mapped[str] = mapped_column(String(20))  # register | apply
    occurred_at: Mapped[datetime]


class OwnershipEvent(Base):
    """The history of who held a customer: register, claim, release, transfer."""

    __tablename__ = "customer_ownership_events"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_id: Mapped[int] = _customer_fk()
    event: Mapped[str] = mapped_column(String(20))
    from_owner_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    to_owner_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    by_user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    occurred_at: Mapped[datetime]


class PoolSetting(Base):
    """Per company: the protection period of ownership, and whether its pool is shared with the
    group's other sharing companies (``None``: as the group's setting says)."""

    __tablename__ = "customer_pool_settings"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    protection_days: Mapped[int] = mapped_column(Integer)
    shared_in_group: Mapped[bool | None] = mapped_column(Boolean)

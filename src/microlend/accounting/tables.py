"""The ledger's tables: chart of accounts, posting rules, periods (with the voucher counter),
vouchers and their lines. Vouchers and lines are append-only (database triggers refuse UPDATE and
DELETE); on PostgreSQL a deferred constraint trigger checks at commit that each voucher balances.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, IdType, id_column


class LedgerAccount(Base):
    """An account of a company's chart (科目); ``parent_id`` makes the tree."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    normal_side: Mapped[str] = mapped_column(String(1))
    parent_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "code"),)


class PostingRule(Base):
    """For (event type, product code or '' for all, amount role): the debit and credit account."""

    __tablename__ = "posting_rules"

    id: Mapped[int] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    event_type: Mapped[str] = mapped_column(String(50))
    product_code: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(40))
    debit_account_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))

    __table_args__ = (UniqueConstraint("company_id", "event_type", "product_code", "role"),)


class LedgerBooksVersion(Base):
    """Per company: a count of the changes to its chart and posting rules (PostgreSQL's
    triggers on ``ledger_accounts`` and ``posting_rules`` move it, migration 0028). A voucher
    drafted from rules read at one count is written only while the books are at that count
    (``voucher_statement``)."""

    __tablename__ = "ledger_books_versions"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class LedgerPeriod(Base):
    """A month of a company's books: open or closed, and its voucher counter. Posting locks this
    row, so numbers are gapless and a close waits for the postings in flight."""

    __tablename__ = "ledger_periods"

    id: Mapped[int] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10))
    last_number: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("company_id", "period"),)


class LedgerPeriodBalance(Base):
    """The debit-positive balance of an account, per office and currency, at the end of a closed
    month: every line dated up to its last day. Written when the month closes and removed when it
    reopens (``accounting.period_balances``); no line can be dated in a closed month or before
    one, so a balance here never changes, and a report adds it to the lines after it instead of
    summing every line since the first."""

    __tablename__ = "ledger_period_balances"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("ledger_accounts.id"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger)


class Voucher(Base):
    """A journal entry (凭证). ``kind`` is the event type, or manual / reversal / year_end_close."""

    __tablename__ = "vouchers"

    id: Mapped[int] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    number: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    business_date: Mapped[date] = mapped_column(Date)
    entered_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(String(300))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("vouchers.id"), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(IdType)

    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        UniqueConstraint("company_id", "idempotency_key"),
        Index("ix_vouchers_company_date", "company_id", "business_date"),
    )


class VoucherLine(Base):
    """A line of a voucher: one account, one side, a signed amount in minor units (negative is a
    red-ink reversal). Company, office and date are repeated here for scoping and reports."""

    __tablename__ = "voucher_lines"

    id: Mapped[int] = id_column()
    voucher_id: Mapped[int] = mapped_column(IdType, ForeignKey("vouchers.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    business_date: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))
    side: Mapped[str] = mapped_column(String(1))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    product_code: Mapped[str | None] = mapped_column(String(30))
    loan_id: Mapped[int | None] = mapped_column(IdType)
    customer_id: Mapped[int | None] = mapped_column(IdType)
    memo: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("side IN ('D', 'C')", name="side"),
        CheckConstraint("amount_minor <> 0", name="amount"),
        UniqueConstraint("voucher_id", "line_no"),
        Index("ix_voucher_lines_company_account_date", "company_id", "account_id", "business_date"),
        Index("ix_voucher_lines_loan_id", "loan_id"),
    )


class LedgerSetting(Base):
    """Per company: how its books take the daily accruals (``per_loan`` or ``summary``)."""

    __tablename__ = "ledger_settings"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    accrual_vouchers: Mapped[str] = mapped_column(String(10))


class VoucherAttachment(Base):
    """A file attached to a manual voucher (an invoice, a receipt), kept once by its SHA-256 in
    the document store. Attachments are added, never changed."""

    __tablename__ = "voucher_attachments"

    id: Mapped[int] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    voucher_id: Mapped[int] = mapped_column(IdType, ForeignKey("vouchers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime]

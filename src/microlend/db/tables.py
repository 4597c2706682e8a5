"""Platform tables every context's commands go through: the audit chain, maker-checker
configuration and pending commands, and the API's idempotency keys.

They sit in ``db`` (beneath every context) because commands of all contexts — including ``orgs``,
which ranks below ``auth`` — are audited and may need a checker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column

HASH_LENGTH = 64  # sha256, hex


class AuditRecord(Base):
    """One command, as it happened. Append-only; ``hash`` chains it to its predecessor."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime]
    company_id: Mapped[int | None] = mapped_column(IdType)
    user_id: Mapped[int | None] = mapped_column(IdType)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(100))
    command: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str | None] = mapped_column(String(100))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(100))
    input_digest: Mapped[str] = mapped_column(String(HASH_LENGTH))
    change_digest: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))

    __table_args__ = (
        Index("ix_audit_log_company_seq", "company_id", "seq"),
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
    )


class AuditChainHead(Base):
    """The chain's last link (one row): the lock appenders queue on, and the anchor that makes
    the removal of the newest records detectable."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(IdType)
    last_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class MakerCheckerRule(Base):
    """Per company and command: does the command need a second person's approval?"""

    __tablename__ = "maker_checker_rules"

    id: Mapped[Id] = id_column()
    company_id: Mapped[Id]
    command: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("company_id", "command"),)


class PendingCommand(Base):
    """A command waiting for its checker."""

    __tablename__ = "pending_commands"

    id: Mapped[Id] = id_column()
    company_id: Mapped[Id]
    office_id: Mapped[Id]
    command: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300))
    maker_id: Mapped[int | None] = mapped_column(IdType)
    maker_username: Mapped[str] = mapped_column(String(100))
    maker_snapshot: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    checker_id: Mapped[int | None] = mapped_column(IdType)
    checker_username: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    entity_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_pending_commands_company_status", "company_id", "status"),)


class IdempotencyKey(Base):
    """The first response to an ``Idempotency-Key``, with the fingerprint of its request."""

    __tablename__ = "idempotency_keys"

    id: Mapped[Id] = id_column()
    company_id: Mapped[Id]
    user_id: Mapped[int | None] = mapped_column(IdType)
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "key"),)

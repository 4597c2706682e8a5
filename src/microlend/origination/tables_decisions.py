"""Tables of the automated decision: rule sets and scorecards (versioned, append-only), limit
settings (one row per company) and decision records (one per evaluation; the latest is current).

A decision record keeps everything needed to evaluate it again: ``inputs`` (the facts, the
exposures, the pricing and the limit settings as they were), the rule-set and scorecard rows it
used, and what came out (outcome, hits, points, limit checks).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, DecimalText, Id, IdType, id_column


class RuleSet(Base):
    """One version of a company's policy rules; the highest version is the one in force."""

    __tablename__ = "decision_rule_sets"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("company_id", "version"),)


class Scorecard(Base):
    """One version of a company's scorecard for a customer kind; ``status`` active | retired
    (one active per company and kind). ``source``: default (seeded) | deployed."""

    __tablename__ = "decision_scorecards"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    customer_kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "customer_kind", "version"),
        Index("ix_decision_scorecards_company_kind_status", "company_id", "customer_kind",
              "status"),
    )  # fmt: skip


class LimitSetting(Base):
    """A company's limit settings (``limits_model.LimitSettings`` as a document)."""

    __tablename__ = "decision_limit_settings"

    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"), primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class DecisionRecord(Base):
    """One automated decision of an application."""

    __tablename__ = "decision_records"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))  # the application's
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    rule_set_id: Mapped[int] = mapped_column(IdType, ForeignKey("decision_rule_sets.id"))
    scorecard_id: Mapped[int] = mapped_column(IdType, ForeignKey("decision_scorecards.id"))
    outcome: Mapped[str] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(2))
    suggested_rate: Mapped[Decimal] = mapped_column(DecimalText)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    limit_checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    decided_at: Mapped[datetime]

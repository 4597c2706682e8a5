"""Approval chains (versioned configuration) and the approvals of applications.

A chain version is never edited: saving a chain makes the next version and supersedes the last,
so an approval under way keeps the steps it started with (its own copy in
``application_approval_steps``). An application gets one approval per time it goes under review
(``round``); every approver's decision or committee vote is a row of
``application_approval_decisions``, unique per approval and user: no one acts twice in one chain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column


class ApprovalChain(Base):
    __tablename__ = "approval_chains"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    code: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    product_code: Mapped[str | None] = mapped_column(String(30))
    office_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("offices.id"))
    min_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    max_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))  # active | superseded | retired
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "code", "version"),
        Index("ix_approval_chains_company_status", "company_id", "status"),
    )


class ApprovalChainStep(Base):
    __tablename__ = "approval_chain_steps"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    chain_id: Mapped[int] = mapped_column(IdType, ForeignKey("approval_chains.id"))
    position: Mapped[int] = mapped_column(Integer)
    level_name: Mapped[str] = mapped_column(String(100))
    role_code: Mapped[str] = mapped_column(String(50))
    location: Mapped[str] = mapped_column(String(20))
    final_up_to_minor: Mapped[int | None] = mapped_column(BigInteger)
    risk_review: Mapped[bool] = mapped_column(Boolean)
    quorum: Mapped[int] = mapped_column(Integer)
    committee_size: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[Any]] = mapped_column(JSON)  # user ids
    veto: Mapped[bool] = mapped_column(Boolean)
    sla_hours: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("chain_id", "position"),)


class ApplicationApproval(Base):
    """One pass of an application through a chain (a return ends it; the next review starts
    round + 1)."""

    __tablename__ = "application_approvals"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"))
    chain_id: Mapped[int] = mapped_column(IdType, ForeignKey("approval_chains.id"))
    round: Mapped[int] = mapped_column(Integer)
    referred: Mapped[bool] = mapped_column(Boolean)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # in_progress | approved | conditionally_approved | rejected | returned | cancelled
    status: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("application_id", "round"),
        Index("ix_application_approvals_company_status", "company_id", "status"),
    )


class ApprovalStep(Base):
    """A step of one approval, copied from the chain, placed at an office (``None``: group)."""

    __tablename__ = "application_approval_steps"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    approval_id: Mapped[int] = mapped_column(IdType, ForeignKey("application_approvals.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"))
    position: Mapped[int] = mapped_column(Integer)
    level_name: Mapped[str] = mapped_column(String(100))
    role_code: Mapped[str] = mapped_column(String(50))
    location: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("offices.id"))
    risk_review: Mapped[bool] = mapped_column(Boolean)
    quorum: Mapped[int] = mapped_column(Integer)
    committee_size: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[Any]] = mapped_column(JSON)
    veto: Mapped[bool] = mapped_column(Boolean)
    sla_hours: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # waiting | pending | approved | rejected ...
    activated_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("approval_id", "position"),
        Index("ix_application_approval_steps_pending", "status", "role_code"),
    )


class ApprovalDecision(Base):
    """An approver's decision at a step, or a committee member's vote."""

    __tablename__ = "application_approval_decisions"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    application_id: Mapped[int] = mapped_column(IdType, ForeignKey("applications.id"), index=True)
    approval_id: Mapped[int] = mapped_column(IdType, ForeignKey("application_approvals.id"))
    step_id: Mapped[int] = mapped_column(IdType, ForeignKey("application_approval_steps.id"))
    actor_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    opinion: Mapped[str] = mapped_column(Text)
    conditions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("approval_id", "actor_id"),)

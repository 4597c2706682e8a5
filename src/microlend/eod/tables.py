"""Close-of-business progress: one run per company and business date, its partitions per step."""

from __future__ import annotations

from datetime import date, datetime
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

from microlend.db.base import Base, Id, IdType, id_column


class EodRun(Base):
    """The close of business of one company for one business date.

    ``status``: running, done or failed. ``current_step`` is the step whose partitions workers may
    claim (the barrier: the next step's partitions exist only once this one's are all done).
    ``summary`` holds, once done, the counts and seconds per step; ``error`` why it stopped.
    """

    __tablename__ = "eod_runs"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    business_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    current_step: Mapped[str | None] = mapped_column(String(60))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("company_id", "business_date"),
        Index("ix_eod_runs_status", "status"),
    )


class EodPartition(Base):
    """One piece of a step's work: the ids ``id_low`` .. ``id_high`` (a company step has one).

    ``status``: pending, claimed, done or failed. ``claimed_by`` is ``host:pid:worker``; a claim
    whose lease ran out, or whose process is gone, is taken over. ``counts`` are the step's result.
    """

    __tablename__ = "eod_partitions"

    id: Mapped[Id] = id_column()
    run_id: Mapped[int] = mapped_column(IdType, ForeignKey("eod_runs.id"))
    step_code: Mapped[str] = mapped_column(String(60))
    partition_no: Mapped[int] = mapped_column(Integer)
    id_low: Mapped[int] = mapped_column(BigInteger)
    id_high: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("run_id", "step_code", "partition_no"),
        Index("ix_eod_partitions_run_step_status", "run_id", "step_code", "status"),
    )

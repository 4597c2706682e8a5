"""The loan account engine's state after a loan's last event (``loans.book_state``), so that a
command replays only what comes after it instead of the loan's whole history.

``sequence`` is the loan's ``last_sequence`` the state covers: a loan whose last sequence moved
on without it (an event written by another path) is replayed from its events, and the state is
written again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, IdType


class LoanEngineState(Base):
    __tablename__ = "loan_engine_states"

    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]

"""The group's pool-sharing setting and the transfer requests of customers between officers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column


class PoolGroupSetting(Base):
    """Whether the group's companies share one customer pool unless a company says otherwise."""

    __tablename__ = "customer_pool_group_settings"

    group_id: Mapped[int] = mapped_column(IdType, ForeignKey("groups.id"), primary_key=True)
    shared: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class TransferRequest(Base):
    """A request to hand a customer to another officer; another user approves or rejects it."""

    __tablename__ = "customer_transfer_requests"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    customer_id: Mapped[int] = mapped_column(IdType, ForeignKey("customers.id"), index=True)
    from_owner_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    requested_by: Mapped[int] = mapped_column(IdType, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10))  # pending | approved | rejected
    decided_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    opinion: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_customer_transfer_requests_status", "company_id", "status"),)

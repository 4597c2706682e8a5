"""The audit records a test's requests appended: note the newest sequence first, then read what
came after it."""

from __future__ import annotations

from sqlalchemy import func, select

from microlend.db.tables import AuditRecord
from tests.seed import World


def last_seq(world: World) -> int:
    with world.make_uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.max(AuditRecord.seq))) or 0)


def records_after(world: World, seq: int) -> list[AuditRecord]:
    with world.make_uow(read_only=True) as uow:
        query = select(AuditRecord).where(AuditRecord.seq > seq).order_by(AuditRecord.seq)
        return list(uow.session.scalars(query))

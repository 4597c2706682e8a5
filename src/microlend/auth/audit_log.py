"""Reading and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select

from microlend.db.audit import ChainProblem, verify_chain
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.tables import AuditRecord
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import DataScope, Principal, require


@dataclass(frozen=True)
class AuditEntryView:
    seq: int
    recorded_at: datetime
    company_id: int | None
    user_id: int | None
    username: str
    address: str | None
    command: str
    entity_type: str | None
    entity_id: str | None
    outcome: str
    error_code: str | None
    input_digest: str
    change_digest: str | None
    hash: str


def list_audit(
    uow: UnitOfWork,
    actor: Principal,
    *,
    cursor: str | None = None,
    limit: int = 50,
    command: str | None = None,
    username: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    outcome: str | None = None,
) -> Page[AuditEntryView]:
    """Audit records of the actor's companies, newest first (records without a company — such as
    sign-ins with unknown usernames — only for group-wide auditors)."""
    require(actor, "audit.read")
    visible: ColumnElement[bool] = AuditRecord.company_id.in_(sorted(actor.company_ids))
    if actor.scope is DataScope.GROUP:
        visible = or_(visible, AuditRecord.company_id.is_(None))
    stmt = select(AuditRecord).where(visible)
    filters = {
        AuditRecord.command: command,
        AuditRecord.username: username,
        AuditRecord.entity_type: entity_type,
        AuditRecord.entity_id: entity_id,
        AuditRecord.outcome: outcome,
    }
    for column, value in filters.items():
        if value:
            stmt = stmt.where(column == value)
    stmt = paginate(stmt, AuditRecord.seq, cursor=cursor, limit=limit, newest_first=True)
    page = page_of(uow.session.scalars(stmt).all(), limit=limit, id_of=lambda row: row.seq)
    return Page([_view(row) for row in page.items], page.next_cursor)


def _view(row: AuditRecord) -> AuditEntryView:
    return AuditEntryView(
        seq=row.seq,
        recorded_at=row.recorded_at,
        company_id=row.company_id,
        user_id=row.user_id,
        username=row.username,
        address=row.address,
        command=row.command,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        outcome=row.outcome,
        error_code=row.error_code,
        input_digest=row.input_digest,
        change_digest=row.change_digest,
        hash=row.hash,
    )


def verify_audit(uow: UnitOfWork, actor: Principal) -> list[ChainProblem]:
    """Walk the whole chain; every changed, removed or reordered record is reported."""
    require(actor, "audit.verify")
    return verify_chain(uow.session)


def audit_record_count(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0)

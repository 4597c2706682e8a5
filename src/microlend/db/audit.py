"""The audit chain: append a record, verify the whole chain.

Each record's ``hash`` is the SHA-256 of its content and of its predecessor's hash
(``prev_hash``); ``audit_chain_head`` holds the newest link. Appending locks the head row (on
SQLite the ``BEGIN IMMEDIATE`` write lock already serializes writers), so the chain stays a line.
Verification walks the records by sequence and names each one that was changed, removed or
reordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microlend.db.base import as_utc
from microlend.db.tables import AuditChainHead, AuditRecord
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal

GENESIS_HASH = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who an audit record names (a principal, or a would-be user at a failed login)."""

    user_id: int | None
    username: str
    company_id: int | None
    address: str | None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.username, principal.company_id, principal.address)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # changed | removed | reordered
    message: str


def record_hash(record: AuditRecord) -> str:
    content: dict[str, Any] = {
        "recorded_at": as_utc(record.recorded_at).isoformat(),
        "company_id": record.company_id,
        "user_id": record.user_id,
        "username": record.username,
        "address": record.address,
        "command": record.command,
        "entity_type": record.entity_type,
        "entity_id": record.entity_id,
        "outcome": record.outcome,
        "error_code": record.error_code,
        "input_digest": record.input_digest,
        "change_digest": record.change_digest,
        "prev_hash": record.prev_hash,
    }
    return digest(content)


def _locked_head(session: Session) -> AuditChainHead:
    head = session.scalars(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChainHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    return head


def append_audit(
    session: Session,
    *,
    actor: Actor,
    command: str,
    outcome: str,
    input_digest: str,
    now: datetime,
    entity_type: str | None = None,
    entity_id: object = None,
    change_digest: str | None = None,
    error_code: str | None = None,
) -> AuditRecord:
    """Append one record to the chain (in ``session``'s transaction)."""
    head = _locked_head(session)
    record = AuditRecord(
        seq=head.last_seq + 1,
        recorded_at=as_utc(now),
        company_id=actor.company_id,
        user_id=actor.user_id,
        username=actor.username,
        address=actor.address,
        command=command,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        outcome=outcome,
        error_code=error_code,
        input_digest=input_digest,
        change_digest=change_digest,
        prev_hash=head.last_hash,
    )
    record.hash = record_hash(record)
    head.last_seq, head.last_hash = record.seq, record.hash
    session.add(record)
    session.flush()
    return record


def verify_chain(session: Session, *, batch: int = 1000) -> list[ChainProblem]:
    """Every break in the chain; an empty list means it is intact."""
    problems: list[ChainProblem] = []
    broken_links: list[tuple[int, str]] = []
    expected_seq, previous_hash = 1, GENESIS_HASH
    rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq)).yield_per(batch)
    for record in rows:
        gap = record.seq > expected_seq
        if gap:
            problems.append(_removed(expected_seq, record.seq - 1))
        if record_hash(record) != record.hash:
            problems.append(ChainProblem(record.seq, "changed", f"record {record.seq} changed"))
        elif record.prev_hash != previous_hash and not gap:
            broken_links.append((record.seq, record.prev_hash))
        expected_seq, previous_hash = record.seq + 1, record.hash
    problems += _diagnose_links(session, broken_links)
    head = session.get(AuditChainHead, HEAD_ID)
    if head is not None and head.last_seq >= expected_seq:
        problems.append(_removed(expected_seq, head.last_seq))
    elif head is not None and head.last_seq == expected_seq - 1 and head.last_hash != previous_hash:
        problems.append(
            ChainProblem(head.last_seq, "changed", "the newest record differs from the chain head")
        )
    return sorted(problems, key=lambda problem: problem.seq)


def _removed(first: int, last: int) -> ChainProblem:
    span = f"record {first}" if first == last else f"records {first}..{last}"
    return ChainProblem(first, "removed", f"{span} removed")


def _diagnose_links(session: Session, links: list[tuple[int, str]]) -> list[ChainProblem]:
    """A record whose predecessor hash points elsewhere: reordered if that record still exists."""
    if not links:
        return []
    wanted = sorted({prev for _, prev in links})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(AuditRecord.hash, AuditRecord.seq).where(
                AuditRecord.hash.in_(wanted[start : start + 500])
            )
        )
        found.update((record_hash, seq) for record_hash, seq in rows)
    problems = []
    for seq, prev in links:
        if prev in found:
            message = f"record {seq} out of order: its predecessor is record {found[prev]}"
            problems.append(ChainProblem(seq, "reordered", message))
        elif prev != GENESIS_HASH:
            problems.append(ChainProblem(seq, "removed", f"the record before {seq} was removed"))
        else:
            message = f"record {seq} claims to be the first record"
            problems.append(ChainProblem(seq, "reordered", message))
    return problems

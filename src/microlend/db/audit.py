"""The audit chain: append a record, verify the whole chain.

Each record's ``hash`` is the SHA-256 of its content and of its predecessor's hash
(``prev_hash``); ``audit_chain_head`` holds the newest link. Appending locks the head row (on
SQLite the ``BEGIN IMMEDIATE`` write lock already serializes writers), so the chain stays a line.
The head is read once per transaction, which then carries it on in memory: a batch of commands
appends its records with one read of the head and one write of it. Verification walks the
records by sequence and names each one that was changed, removed or reordered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from microlend.db.base import as_utc
from microlend.db.bulk import Writes, table_of
from microlend.db.tables import AuditChainHead, AuditRecord
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal

GENESIS_HASH = "0" * 64
HEAD_ID = 1
HEAD_KEY = "db.audit.head"
_LOG = table_of(AuditRecord)
_HEAD = table_of(AuditChainHead)
_READ_HEAD = (
    select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == bindparam("head_id"))
HASHED = (
    "recorded_at",
    "company_id",
    "user_id",
    "username",
    "address",
    "command",
    "entity_type",
    "entity_id",
    "outcome",
    "error_code",
    "input_digest",
    "change_digest",
    "prev_hash",
)


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


def content_hash(values: Mapping[str, Any]) -> str:
    """The hash of a record's content (``HASHED``, its predecessor's hash included)."""
    content = {name: values[name] for name in HASHED}
    content["recorded_at"] = as_utc(values["recorded_at"]).isoformat()
    return digest(content)


def record_hash(record: AuditRecord) -> str:
    return content_hash({name: getattr(record, name) for name in HASHED})


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    """The head is known for the transaction; a savepoint's end may undo what it saw (the
    inner transactions of a flush leave it be)."""
    if transaction.nested or transaction.parent is None:
        session.info.pop(HEAD_KEY, None)


def _locked_head(session: Session) -> list[Any]:
    """[last seq, last hash], the head row locked for the rest of the transaction."""
    held: list[Any] | None = session.info.get(HEAD_KEY)
    if held is not None:
        return held
    found = session.execute(_READ_HEAD).one_or_none()
    head = [0, GENESIS_HASH]
    if found is None:
        session.execute(insert(_HEAD).values(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH))
    else:
        head = [int(found[0]), str(found[1])]
    session.info[HEAD_KEY] = head
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
    staged: Writes | None = None,
) -> dict[str, Any]:
    """Append one record to the chain in ``session``'s transaction: written now, or with
    ``staged`` when those writes are flushed (which must happen before a savepoint begins or
    ends). Returns the record's values."""
    head = _locked_head(session)
    values: dict[str, Any] = {
        "seq": head[0] + 1,
        "recorded_at": as_utc(now),
        "company_id": actor.company_id,
        "user_id": actor.user_id,
        "username": actor.username,
        "address": actor.address,
        "command": command,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "outcome": outcome,
        "error_code": error_code,
        "input_digest": input_digest,
        "change_digest": change_digest,
        "prev_hash": head[1],
    }
    values["hash"] = content_hash(values)
    head[0], head[1] = values["seq"], values["hash"]
    moved = {"id": HEAD_ID, "last_seq": head[0], "last_hash": head[1]}
    if staged is not None:
        staged.insert(_LOG, [values])
        staged.keep(_HEAD, moved)
    else:
        session.execute(insert(_LOG), [values])
        session.execute(_MOVE_HEAD, {"head_id": HEAD_ID, "last_seq": head[0], "last_hash": head[1]})
    return values


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

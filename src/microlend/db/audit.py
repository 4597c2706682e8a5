"""The audit chain: append a record, verify the whole chain.

Each record's ``hash`` is the SHA-256 of its content and of its predecessor's hash
(``prev_hash``); ``audit_chain_head`` holds the newest link. Appending locks the head row, so the
chain stays a line:

* on PostgreSQL the database links the record: the statement that writes it (with the rest of
  the command's rows, ``db.bulk``) locks the head, hashes the record's canonical JSON around the
  head's hash with ``sha256()``, inserts it and moves the head. The head is locked from the
  command's last statement to its commit, and read as it is once the lock is held (never a
  snapshot's older head);
* on SQLite (whose ``BEGIN IMMEDIATE`` write lock already serializes writers) the head is read
  once per transaction, which then carries it on in memory: a batch of commands appends its
  records with one read of the head and one write of it.

Verification walks the records by sequence and names each one that was changed, removed or
reordered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from microlend.db.base import as_utc
from microlend.db.bulk import Writes, table_of
from microlend.db.tables import AuditChainHead, AuditRecord
from microlend.kernel.fingerprint import canonical_json, digest
from microlend.kernel.principal import Principal

GENESIS_HASH = "0" * 64
HEAD_ID = 1
HEAD_KEY = "db.audit.head"
_LOG = table_of(AuditRecord)
_HEAD = table_of(AuditChainHead)
_READ_HEAD = (
    select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)
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


def _content(values: Mapping[str, Any]) -> dict[str, Any]:
    content = {name: values[name] for name in HASHED}
    content["recorded_at"] = as_utc(values["recorded_at"]).isoformat()
    return content


def content_hash(values: Mapping[str, Any]) -> str:
    """The hash of a record's content (``HASHED``, its predecessor's hash included)."""
    return digest(_content(values))


_NO_PREV = '"prev_hash":""'


def around_prev_hash(values: Mapping[str, Any]) -> tuple[str, str]:
    """The canonical JSON of a record's content (``prev_hash`` aside) as the text before and
    after its predecessor's hash: ``content_hash`` is the SHA-256 of ``before + prev + after``.
    (A hex hash needs no escaping, and inside a JSON string a quote is escaped, so the key
    ``"prev_hash":""`` occurs once.)"""
    text = canonical_json(_content({**values, "prev_hash": ""}))
    cut = text.index(_NO_PREV) + len(_NO_PREV) - 1
    return text[:cut], text[cut:]


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


_COLUMNS = [name for name in HASHED if name != "prev_hash"]
_LISTED = ", ".join(_COLUMNS)
# The parts of the statement that links records on PostgreSQL (``db.bulk.Writes.statement``):
# {rows} is the records (their columns, and the canonical JSON around the predecessor's hash as
# ``before`` and ``after``), in order. The head, locked, is read as it is now (a row lock that
# waited returns the row as the transaction it waited for left it); each record is hashed after
# the one before; the head moves to the last. A missing head row makes ``seq`` NULL: an error.
# The records are one jsonb array, read once, and the chain takes the next by its place in it
# (a step of the recursion that read them as a set instead read them all again: a batch of
# 200 records read 40,000).
_LINK = (
    f"SELECT last_seq, last_hash FROM {_HEAD.name} WHERE id = {HEAD_ID} FOR UPDATE",
    f"INSERT INTO {_LOG.name} (seq, prev_hash, hash, {_LISTED}) "
    "SELECT head.last_seq + link.n, link.prev_hash, link.hash, "
    + ", ".join(f"r.{name}" for name in _COLUMNS)
    + " FROM (WITH RECURSIVE listed AS MATERIALIZED (SELECT CAST({rows} AS jsonb) AS records), "
    "chain (n, prev_hash, hash, doc) AS ("
    "SELECT 0, CAST(NULL AS text), CAST((SELECT last_hash FROM {0}) AS text), "
    "CAST(NULL AS jsonb) "
    "UNION ALL SELECT chain.n + 1, chain.hash, "
    "encode(sha256(convert_to((record.doc ->> 'before') || chain.hash "
    "|| (record.doc ->> 'after'), 'UTF8')), 'hex'), record.doc "
    "FROM chain CROSS JOIN LATERAL (SELECT records -> chain.n AS doc FROM listed) AS record "
    "WHERE record.doc IS NOT NULL) "
    "SELECT n, prev_hash, hash, doc FROM chain WHERE n > 0) AS link "
    "LEFT JOIN {0} AS head ON true "
    f"CROSS JOIN LATERAL jsonb_populate_record(NULL::{_LOG.name}, link.doc) AS r "
    "RETURNING seq, hash",
    f"UPDATE {_HEAD.name} SET last_seq = newest.seq, last_hash = newest.hash "
    "FROM (SELECT seq, hash FROM {1} ORDER BY seq DESC LIMIT 1) AS newest "
    f"WHERE {_HEAD.name}.id = {HEAD_ID}",
)


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
) -> None:
    """Append one record to the chain in ``session``'s transaction: written now, or with
    ``staged`` when those writes are flushed (which must happen before a savepoint begins or
    ends)."""
    values: dict[str, Any] = {
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
    }
    writes = staged if staged is not None else Writes()
    if session.get_bind().dialect.name == "postgresql":
        before, after = around_prev_hash(values)
        writes.statement(_LOG, [{**values, "before": before, "after": after}], _LINK)
    else:
        _link_here(session, writes, values)
    if staged is None:
        writes.flush(session)


def _link_here(session: Session, writes: Writes, values: dict[str, Any]) -> None:
    """Link the record after the head read (once per transaction) and carried in memory."""
    head = _locked_head(session)
    values["seq"], values["prev_hash"] = head[0] + 1, head[1]
    values["hash"] = content_hash(values)
    head[0], head[1] = values["seq"], values["hash"]
    writes.insert(_LOG, [values])
    writes.keep(_HEAD, {"id": HEAD_ID, "last_seq": head[0], "last_hash": head[1]})


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

"""A batch of repayments in one transaction (a bank file, 批量代扣回盘), set-based.

Each line is still a ``loans.repay`` command as ``repay`` runs it: permission and office scope,
the engine's allocation on its loan, its voucher, its audit record, and a repeated channel +
external reference replays the first line or event instead of paying twice (another payload
under it is a ``Conflict``). But the batch reads and writes in bulk: the loans of the file are
locked together (in id order) with their engine state, the references looked up together, each
line applied by the engine from its loan's stored book, and the events, postings, vouchers and
their lines, installments, loan rows, engine states and audit records written with one
statement (on PostgreSQL) for every ``SEND_EVERY`` lines: each part is sent to the server and
written while the next part is applied (``UnitOfWork.send_staged``), all in the one transaction.

All or nothing: one refused line refuses the whole file (nothing is written, the unit of work
can only roll back), the error names the line in its ``__notes__``, and the refusal is audited.
When the company has maker-checker on for ``loans.repay``, each line waits for its checker as
``repay`` would make it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from microlend.db.audit import Actor, append_audit
from microlend.db.bulk import Writes, allocate_ids
from microlend.db.commands import Pending, audit_refusal, needs_checker
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork, sent_earlier
from microlend.kernel.errors import Conflict, DomainError, NotFound, ValidationFailed
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import (
    Locked,
    engine_post,
    event_values,
    lock_loans,
    next_engine_id,
    record_event,
    require_serviceable,
)
from microlend.loans.account_store import EVENTS, LedgerQueue
from microlend.loans.batch_file import COLUMNS as COLUMNS
from microlend.loans.batch_file import named, rows_of
from microlend.loans.batch_replays import Replays, existing
from microlend.loans.engine import Repayment
from microlend.loans.repayments import (
    CHANNELS,
    REPAY,
    amount_of,
    fresh_outcome,
    outcome,
    repay,
    value_date_of,
)
from microlend.loans.views import EventOutcome

# The lines applied between two writes: each part of the file is sent to be written while the
# next part is applied (``UnitOfWork.send_staged``); 25 to 50 lines made a 200-line file fastest
SEND_EVERY = 25


@dataclass
class Line:
    """One line of the file, as the ``loans.repay`` payload ``repay`` would build."""

    number: int
    loan_id: int
    payload: dict[str, Any]

    @property
    def channel(self) -> str:
        return str(self.payload["channel"])

    @property
    def reference(self) -> str | None:
        reference: str | None = self.payload["external_reference"]
        return reference

    @property
    def request(self) -> dict[str, Any]:
        return {k: v for k, v in self.payload.items() if k != "request_key"}


def repay_batch(
    uow: UnitOfWork,
    actor: Principal,
    items: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    send_every: int = SEND_EVERY,
) -> list[EventOutcome | Pending]:
    """Post every repayment of ``items`` (``loan_id`` or ``loan_number``, ``amount``, optional
    ``value_date``, ``channel``, ``external_reference``) in the caller's transaction, sending
    the rows of every ``send_every`` lines to be written while the next are applied."""
    rows = list(items)
    if needs_checker(uow, company_id=actor.company_id, name=REPAY):
        return _one_by_one(uow, actor, rows, now=now)
    current: Line | None = None
    done: list[EventOutcome | Pending] = []
    try:
        require(actor, REPAY)
        lines = _lines(uow, actor, rows)
        locked = lock_loans(uow, actor, {ln.loan_id for ln in lines}, now=now)
        with uow.session.no_autoflush:  # the loans' changes are written with the rest
            poster = _Poster(uow, actor, locked, lines, now)
            for current in lines:
                done.append(poster.post(current))
                if len(done) % send_every == 0:
                    current = None  # what the server refuses is not this line's doing
                    poster.send()
            current = None
            poster.finish()
        uow.flush_staged()
    except DomainError as error:
        uow.staged.discard()
        uow.rollback_only = True
        # a refusal of the parts sent earlier (a closed period...) is the file's, not this line's
        refused = None if sent_earlier(error) else current
        failed = refused.payload if refused is not None else {}
        audit_refusal(uow, Actor.of(actor), REPAY, digest(failed), error, now=now)
        if refused is not None:
            named(error, refused.number)
        raise
    return done


class _Poster:
    """The lines applied one after another, their rows staged, their vouchers queued."""

    def __init__(
        self,
        uow: UnitOfWork,
        actor: Principal,
        locked: dict[int, Locked],
        lines: list[Line],
        now: datetime,
    ) -> None:
        self.uow, self.actor, self.locked, self.now = uow, actor, locked, now
        self.audited = Actor.of(actor)  # who each line's audit record names
        self.queue = LedgerQueue(uow, actor, now)
        # The lines' audit records go with the file's last part: the statement that links them
        # locks the audit chain's head (every command's) until the commit, so not from the first
        self.audits = Writes()
        pairs = [(ln.channel, ln.reference) for ln in lines if ln.reference]
        self.existing = existing(uow, actor.company_id, pairs)
        self.replays = Replays(uow, self.existing.values())
        self.made: dict[tuple[str, str], tuple[Line, EventOutcome]] = {}
        self.posted: set[int] = set()  # the loans a line of this file changed
        self.ids = iter(allocate_ids(uow.session, EVENTS, len(lines)))

    def post(self, line: Line) -> EventOutcome:
        held = self.locked[line.loan_id]
        loan = held.loan
        request = line.request
        replayed = self._replayed(line, loan, request)
        if replayed is not None:
            return replayed
        require_serviceable(loan)
        amount = amount_of(line.payload["amount"], loan.currency)
        day = value_date_of(line.payload["value_date"], held.day)
        seq, eid = next_engine_id(loan)
        reference = line.reference or ""
        event = Repayment(eid, day, seq, amount, channel=line.channel, reference=reference)
        applied = engine_post(self.uow, loan, event, day=held.day)
        loan.last_sequence += 1
        values = event_values(
            self.actor,
            loan,
            kind="repayment",
            value_date=day,
            amount=amount,
            detail={},
            channel=line.channel,
            reference=line.reference,
            reverses_event_id=None,
            request_key=None,
            payload=request,
            now=self.now,
            day=held.day,
        )
        row, synced = record_event(
            self.uow,
            self.actor,
            loan,
            applied,
            values,
            now=self.now,
            day=held.day,
            queue=self.queue,
            event_id=next(self.ids),
        )
        self.posted.add(loan.id)
        done = fresh_outcome(loan, row, applied, synced)
        change = {"event": row["id"], "amount": str(amount), "kind": "repayment"}
        self._audit(line, loan.id, change)
        if line.reference:
            self.made[(line.channel, line.reference)] = (line, done)
        return done

    def _replayed(
        self, line: Line, loan: tables.Loan, request: dict[str, Any]
    ) -> EventOutcome | None:
        """The outcome of an earlier line or event with this reference (the same request)."""
        if not line.reference:
            return None
        key = (line.channel, line.reference)
        if key in self.made:
            first, done = self.made[key]
            if first.request != request:
                raise Conflict(
                    "the external reference was used for another request",
                    code="request_reused",
                    extra={"first_line": first.number},
                )
            self._audit(line, loan.id, {"replayed_event": done.event.id})
            return EventOutcome(done.loan, done.event, done.posting, True)
        found = self.existing.get(key)
        if found is None:
            return None
        if found.request_digest != digest(request) or found.loan_id != loan.id:
            raise Conflict(
                "the external reference was used for another request",
                code="request_reused",
                extra={"event_id": found.id},
            )
        self._audit(line, loan.id, {"replayed_event": found.id})
        if loan.id not in self.posted:
            return self.replays.outcome(loan, found)
        # an earlier line on the loan may have reposted it (back-dated): read it as stored
        self.uow.flush_staged()
        return outcome(self.uow, loan, found, replayed=True)

    def _audit(self, line: Line, loan_id: int, change: dict[str, Any]) -> None:
        append_audit(
            self.uow.session,
            actor=self.audited,
            command=REPAY,
            outcome="ok",
            input_digest=digest(line.payload),
            change_digest=digest(change),
            entity_type="loan",
            entity_id=loan_id,
            now=self.now,
            staged=self.audits,
        )

    def send(self) -> None:
        """Send the lines applied so far to be written while the next ones are applied."""
        self.queue.post()
        self.uow.send_staged()

    def finish(self) -> None:
        self.queue.post()
        self.uow.staged.take(self.audits)


def _lines(uow: UnitOfWork, actor: Principal, rows: list[Mapping[str, Any]]) -> list[Line]:
    """The payloads of the rows, their loans found by number (scoped) in one query."""
    numbers = {
        str(item.get("loan_number") or "").strip() for item in rows if not item.get("loan_id")
    }
    ids = {int(item["loan_id"]) for item in rows if item.get("loan_id")}
    by_number: dict[str, int] = {}
    if numbers:
        stmt: Any = select(tables.Loan.id, tables.Loan.number)
        found = uow.session.execute(
            apply_scope(stmt, actor, tables.Loan).where(
                tables.Loan.company_id == actor.company_id, tables.Loan.number.in_(sorted(numbers))
            )
        )
        by_number = {number: loan_id for loan_id, number in found}
    visible = _visible(uow, actor, ids)
    lines = []
    for number, item in enumerate(rows, start=1):
        try:
            lines.append(line_of(number, item, by_number, visible))
        except DomainError as error:
            named(error, number)
            raise
    return lines


def _visible(uow: UnitOfWork, actor: Principal, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    stmt = apply_scope(select(tables.Loan.id), actor, tables.Loan)
    return set(uow.session.scalars(stmt.where(tables.Loan.id.in_(sorted(ids)))))


def line_of(
    number: int, item: Mapping[str, Any], by_number: dict[str, int], visible: set[int]
) -> Line:
    """Item ``number`` as the ``loans.repay`` payload of its line: its loan found by number in
    ``by_number`` or by id among the ``visible`` ones, the value date read, the channel known."""
    if item.get("loan_id"):
        loan_id = int(item["loan_id"])
        if loan_id not in visible:
            raise NotFound(
                "line %(number)s: no loan %(loan_id)s",
                field="loan_id",
                params={"number": number, "loan_id": loan_id},
            )
    else:
        loan_number = str(item.get("loan_number") or "").strip()
        if loan_number not in by_number:
            raise NotFound(
                "line %(number)s: no loan %(loan_number)s",
                field="loan_number",
                params={"number": number, "loan_number": repr(loan_number)},
            )
        loan_id = by_number[loan_number]
    raw_day = str(item.get("value_date") or "").strip()
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        raise ValidationFailed(
            "line %(number)s: not a date", field="value_date", params={"number": number}
        ) from None
    channel = str(item.get("channel") or "bank")
    if channel not in CHANNELS:
        raise ValidationFailed(
            "line %(number)s: one of %(channels)s",
            field="channel",
            params={"number": number, "channels": ", ".join(CHANNELS)},
        )
    reference = str(item.get("external_reference") or "").strip() or None
    payload = {  # as ``repay`` builds it, so that a line and an API call are the same request
        "loan_id": loan_id,
        "amount": str(item.get("amount") or ""),
        "kind": "repayment",
        "value_date": day.isoformat() if day else None,
        "channel": channel,
        "external_reference": reference,
        "request_key": None,
    }
    return Line(number, loan_id, payload)


def _one_by_one(
    uow: UnitOfWork, actor: Principal, rows: list[Mapping[str, Any]], *, now: datetime
) -> list[EventOutcome | Pending]:
    """With maker-checker on, each line is a command of its own, stored for its checker."""
    lines = _lines(uow, actor, rows)
    done: list[EventOutcome | Pending] = []
    for line in lines:
        p = line.payload
        day = date.fromisoformat(p["value_date"]) if p["value_date"] else None
        try:
            done.append(
                repay(
                    uow,
                    actor,
                    loan_id=line.loan_id,
                    amount=p["amount"],
                    value_date=day,
                    channel=p["channel"],
                    external_reference=p["external_reference"],
                    now=now,
                )
            )
        except DomainError as error:
            named(error, line.number)
            raise
    return done


def read_repayments(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with the header ``COLUMNS`` (``value_date`` and the rest
    may be empty; ``batch_file.rows_of``)."""
    return rows_of(path.read_text(encoding="utf-8-sig"))

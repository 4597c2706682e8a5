"""The loan account inside a command: lock the loan, apply the new event with the engine, append
it, bring the stored postings and their vouchers in line, refresh the installments, the position
snapshot and the engine's state. All in the caller's transaction.

The engine's book after the loan's last event is stored (``loan_engine_states``, see
``book_state``): an event dated on or after that event's value date (the usual case: a repayment
today, or a bank file of yesterday's) is applied to the stored book (``engine.resume``), and only
the postings dated after it (the event's own, credit applied on later due dates) can differ from
storage. A back-dated event, a reversal, or a loan without a usable state replays the whole
history, and every stored posting is compared.

A back-dated event or a reversal changes the postings of later events: every stored posting
that differs from the replay's has its vouchers reversed (red ink, dated the business date)
and the new posting's vouchers posted under the next version's key
(``loan:{id}:{posting}:v{n}``), so the ledger ends as if everything had been posted in order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Text,
    any_,
    bindparam,
    cast,
    event,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, SessionTransaction, defer
from sqlalchemy.orm.attributes import set_committed_value

from microlend.db import driver
from microlend.db.bulk import allocate_ids, next_id
from microlend.db.commands import CHECKER_RULE, checker_params, checker_read
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import DataScope, Principal
from microlend.loans import book_state, tables
from microlend.loans.account_store import (
    EVENTS,
    Applied,
    Installments,
    LedgerQueue,
    StoredPosting,
    installments_column,
    installments_of,
    stage_event,
    store_state,
    stored_installments,
    take_back_booked,
)
from microlend.loans.account_store import refresh as refresh  # for the modules using it here
from microlend.loans.account_store import sync as sync
from microlend.loans.close_inline import close_missed_days
from microlend.loans.contract_document import contract_of, read_document
from microlend.loans.engine import (
    LoanBook,
    LoanContract,
    LoanEvent,
    Reversal,
    advance,
    check_posting,
    position_of,
    replay,
    resume,
)
from microlend.loans.engine.replay import effective_events
from microlend.loans.records import engine_events, engine_id, minor
from microlend.loans.tables_close import LoanCloseState
from microlend.loans.tables_state import LoanEngineState
from microlend.orgs.tables import Company

SERVICEABLE = frozenset({"active", "overdue", "rescheduled"})
LOCKED_KEY = "loans.locked"
EVENTS_TABLE = tables.LoanEvent.__tablename__


@dataclass
class Locked:
    """What the lock read with the loan: the business date and the stored engine state."""

    loan: tables.Loan
    day: date
    state: dict[str, Any] | None  # usable: it covers the loan's last sequence
    event_id: int | None = None  # an id allocated with the lock for the loan's next event
    installments: Installments | None = None  # as stored (None: not read)


@event.listens_for(Session, "after_transaction_end")
def _forget_locked(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested or transaction.parent is None:
        session.info.pop(LOCKED_KEY, None)


def business_date(uow: UnitOfWork, company_id: int) -> date:
    return uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()


def _related(postgres: bool) -> tuple[Any, ...]:
    """What is read with a loan: its business date, engine state (sequence and state),
    close-of-business date and (PostgreSQL) stored installments."""
    day = select(Company.business_date).where(Company.id == tables.Loan.company_id)
    stored = installments_column() if postgres else literal(None, Integer)
    return (
        day.scalar_subquery(),
        LoanEngineState.sequence,
        LoanEngineState.state,
        LoanCloseState.accrued_through,
        stored,
    )


def _joined(stmt: Any) -> Any:
    return stmt.outerjoin(LoanEngineState, LoanEngineState.loan_id == tables.Loan.id).outerjoin(
        LoanCloseState, LoanCloseState.loan_id == tables.Loan.id
    )


def _ids_condition(postgres: bool, one: bool = False) -> Any:
    """``loans.id`` in the ``loan_ids`` parameter: ``= ANY(array)`` on PostgreSQL, so that the
    statement's text is the same whatever the number of loans (nothing to expand per call).
    ``one`` (PostgreSQL): ``loans.id`` is the ``loan_id`` parameter. The server plans a prepared
    ``= ANY($1)`` for an array of ten, costlier than the one of a single repayment, so it would
    plan that statement again on every call (or keep a plan scanning the company's loans); for
    ``= $1`` its cached plan reads the primary key."""
    if postgres and one:
        return tables.Loan.id == bindparam("loan_id", type_=BigInteger)
    if postgres:
        return tables.Loan.id == any_(bindparam("loan_ids", type_=ARRAY(BigInteger)))
    return tables.Loan.id.in_(bindparam("loan_ids", expanding=True))


def _lock_statement(postgres: bool, one: bool = False) -> Any:
    """The loans locked in id order with what is read with them; on PostgreSQL also an id for
    the next event, and the loan row's ``xmin`` as locked and as the statement's snapshot saw
    it: they differ when the lock waited for a transaction that changed the loan, and then
    what was read with it is read again (it is the snapshot's, the loan row the newest). And
    the maker-checker rule of the command that asks for it with its lock (``CHECKER_RULE``).
    The contract document comes as text (``contract_document.read_document``: decoded once per
    content, not once per lock)."""
    extra: tuple[Any, ...] = (literal(None, Integer), literal(None, String), literal(None, String))
    if postgres:
        extra = (
            next_id(EVENTS_TABLE),
            literal_column("loans.xmin::text"),
            literal_column("(SELECT seen.xmin::text FROM loans AS seen WHERE seen.id = loans.id)"),
        )
    extra += (CHECKER_RULE, cast(tables.Loan.contract, Text))
    if postgres:  # the loan's columns, run on the driver (``db.driver``)
        loan = select(*(column for _, column in _LOAN_COLUMNS)).select_from(tables.Loan)
    else:
        loan = select(tables.Loan).options(defer(tables.Loan.contract))
    stmt = (
        _joined(loan.add_columns(*extra, *_related(postgres)))
        .where(_ids_condition(postgres, one))
        .order_by(tables.Loan.id)
        .with_for_update(of=tables.Loan)
    )
    return stmt if postgres else stmt.execution_options(populate_existing=True)


# The loan's attributes and columns as the PostgreSQL lock reads them (the contract as text)
_LOAN_COLUMNS = [
    (attribute.key, attribute.columns[0])
    for attribute in tables.Loan.__mapper__.column_attrs
    if attribute.key != "contract"
]
_LOAN_KEYS = [key for key, _ in _LOAN_COLUMNS]
_REREAD = _joined(select(tables.Loan.id, *_related(True))).where(_ids_condition(True))
_LOCK, _LOCK_PG, _LOCK_PG_ONE = (
    _lock_statement(False),
    _lock_statement(True),
    _lock_statement(True, True),
)
_SCOPED: dict[tuple[Any, ...], Any] = {}


def _scoped_lock(postgres: bool, actor: Principal, one: bool) -> Any:
    """The lock statement restricted to ``actor``'s scope, built once per scope (the same
    statement object is executed again, so SQLAlchemy does not walk it again). The key is what
    ``db.scope.scope_condition`` reads of a principal."""
    own = actor.scope is DataScope.OWN
    key = (postgres, one, actor.scope, actor.company_ids, actor.office_ids, own and actor.user_id)
    found = _SCOPED.get(key)
    if found is None:
        if len(_SCOPED) >= 1024:
            _SCOPED.clear()
        base = (_LOCK_PG_ONE if one else _LOCK_PG) if postgres else _LOCK
        scoped = apply_scope(base, actor, tables.Loan)
        found = _SCOPED[key] = driver.Prepared.of(scoped) if postgres else scoped
    return found


def _locked_rows(uow: UnitOfWork, stmt: Any, params: dict[str, Any]) -> list[Any]:
    """The lock's rows, each with the loan first (persistent in the session, as loaded)."""
    if not isinstance(stmt, driver.Prepared):
        return list(uow.session.execute(stmt, params).all())
    width, session = len(_LOAN_KEYS), uow.session
    return [
        (driver.persistent(session, tables.Loan, _LOAN_KEYS, row[:width]), *row[width:])
        for row in driver.rows(session, stmt, params)
    ]


def lock_loans(
    uow: UnitOfWork, actor: Principal, loan_ids: Collection[int], *, now: datetime
) -> dict[int, Locked]:
    """The loans (scoped; one out of scope is not found), locked for the rest of the transaction
    in id order (``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), with
    their business date and engine state, in one query. Each loan's missed close-of-business days
    are closed first (``close_inline``), stamped with the command's ``now``. The command that
    asks for its maker-checker rule with the lock gets it first (``checker_read``: it may stop
    the command, which is then to wait for a checker)."""
    postgres = uow.dialect == "postgresql"
    ids = sorted(set(loan_ids))
    one = postgres and len(ids) == 1
    stmt = _scoped_lock(postgres, actor, one)
    found: dict[int, Locked] = {}
    behind: list[tables.Loan] = []
    params = {**({"loan_id": ids[0]} if one else {"loan_ids": ids}), **checker_params(uow)}
    locked = _locked_rows(uow, stmt, params)
    checker_read(uow, locked[0][4] if locked else None, read=bool(locked))
    waited = [row[0].id for row in locked if row[2] != row[3]]
    again: dict[int, Any] = {}
    if waited:  # what was read with them is the snapshot's: read it again, under the lock
        again = {row[0]: row[1:] for row in uow.session.execute(_REREAD, {"loan_ids": waited})}
    for loan, event_id, _locked_xmin, _seen_xmin, _rule, contract, *related in locked:
        set_committed_value(loan, "contract", read_document(contract))
        today, sequence, state, closed, rows = again.get(loan.id, related)
        usable = sequence == loan.last_sequence and book_state.readable(state)
        found[loan.id] = Locked(loan, today, state if usable else None, event_id)
        if postgres:
            found[loan.id].installments = installments_of(rows)
        if _may_be_behind(loan, today, closed):
            behind.append(loan)
    missing = sorted(set(loan_ids) - set(found))
    if missing:  # as get_scoped: out of scope is not found
        raise NotFound(
            "loans %(missing)s not found", code="loans_not_found", params={"missing": missing[0]}
        )
    if not postgres:
        stored_rows = stored_installments(uow, sorted(found))
        for loan_id, held in found.items():
            held.installments = stored_rows.get(loan_id, {})
    # held before the missed days are closed: a close step that brings the loan's book forward
    # (the credit step, ``bring_to``) goes on from the lock's reading and leaves its own
    uow.session.info.setdefault(LOCKED_KEY, {}).update(found)
    for loan in behind:
        if close_missed_days(uow, loan, now=now):
            found[loan.id].installments = None  # closing them changed the installments
    return found


def _may_be_behind(loan: tables.Loan, today: date, closed_through: date | None) -> bool:
    """Could the loan have missed close-of-business days? ``close_inline.missed_dates`` decides;
    this is its first test (closed through yesterday, or disbursed today), read with the lock,
    so a loan that is up to date costs no query of its own."""
    start = closed_through + timedelta(days=1) if closed_through else loan.disbursement_date
    return start <= today - timedelta(days=1)


def locked_loan(uow: UnitOfWork, actor: Principal, loan_id: int, *, now: datetime) -> tables.Loan:
    """The loan (scoped), locked for the rest of the transaction (see ``lock_loans``), its missed
    close-of-business days closed first."""
    return lock_loans(uow, actor, [loan_id], now=now)[loan_id].loan


def _held(uow: UnitOfWork, loan: tables.Loan) -> Locked:
    """The lock's reading of ``loan`` (read now if the loan was locked some other way)."""
    held: Locked | None = uow.session.info.get(LOCKED_KEY, {}).get(loan.id)
    if held is not None and held.loan is loan:
        return held
    found = uow.session.execute(
        select(LoanEngineState.sequence, LoanEngineState.state).where(
            LoanEngineState.loan_id == loan.id
        )
    ).one_or_none()
    state = None
    if found is not None and found[0] == loan.last_sequence and book_state.readable(found[1]):
        state = found[1]
    held = Locked(loan, business_date(uow, loan.company_id), state)
    uow.session.info.setdefault(LOCKED_KEY, {})[loan.id] = held
    return held


def command_day(uow: UnitOfWork, loan: tables.Loan) -> date:
    """The business date of the command that locked ``loan`` (read with the lock)."""
    return _held(uow, loan).day


def event_rows(uow: UnitOfWork, loan_id: int) -> list[tables.LoanEvent]:
    stmt = select(tables.LoanEvent).where(tables.LoanEvent.loan_id == loan_id)
    return list(uow.session.scalars(stmt.order_by(tables.LoanEvent.sequence)).all())


def history(uow: UnitOfWork, loan: tables.Loan) -> tuple[LoanContract, list[LoanEvent]]:
    return contract_of(loan.contract), engine_events(event_rows(uow, loan.id), loan.currency)


def require_serviceable(loan: tables.Loan) -> None:
    refusal = unserviceable(loan.number, loan.status)
    if refusal is not None:
        raise refusal


def unserviceable(number: str, status: str) -> RuleViolation | None:
    """Why loan ``number`` of ``status`` takes no command (None: it does)."""
    if status in SERVICEABLE:
        return None
    return RuleViolation(
        "loan %(number)s is %(status)s",
        code="loan_not_serviceable",
        extra={"current_status": status},
        params={"number": number, "status": status},
    )


def existing_request(
    uow: UnitOfWork,
    loan: tables.Loan,
    *,
    request_key: str | None,
    channel: str,
    reference: str | None,
    payload: dict[str, Any],
) -> tables.LoanEvent | None:
    """The event a replayed request already made (same key, or same channel and external
    reference, with the same payload); another payload under either is a ``Conflict``."""
    found: list[tables.LoanEvent] = []
    if request_key:
        found += uow.session.scalars(
            select(tables.LoanEvent).where(
                tables.LoanEvent.company_id == loan.company_id,
                tables.LoanEvent.request_key == request_key,
            )
        ).all()
    if reference:
        found += uow.session.scalars(
            select(tables.LoanEvent).where(
                tables.LoanEvent.company_id == loan.company_id,
                tables.LoanEvent.channel == channel,
                tables.LoanEvent.external_reference == reference,
            )
        ).all()
    wanted = digest(payload) if found else None  # most requests are new: nothing to compare
    for row in found:
        if row.request_digest != wanted or row.loan_id != loan.id:
            what = "idempotency key" if row.request_key == request_key else "external reference"
            raise Conflict(
                "the %(what)s was used for another request",
                code="request_reused",
                extra={"event_id": row.id},
                params={"what": what},
            )
    return found[0] if found else None


def append_event(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    *,
    kind: str,
    value_date: date,
    amount: Decimal = Decimal(0),
    detail: dict[str, Any] | None = None,
    channel: str = "",
    reference: str | None = None,
    reverses_event_id: int | None = None,
    request_key: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
    day: date | None = None,
) -> tables.LoanEvent:
    """Append an event the engine does not replay (written at once, as an ORM row)."""
    loan.last_sequence += 1
    row = tables.LoanEvent(
        **event_values(
            actor,
            loan,
            kind=kind,
            value_date=value_date,
            amount=amount,
            detail=detail,
            channel=channel,
            reference=reference,
            reverses_event_id=reverses_event_id,
            request_key=request_key,
            payload=payload,
            now=now,
            day=day or business_date(uow, loan.company_id),
        )
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def event_values(
    actor: Principal,
    loan: tables.Loan,
    *,
    kind: str,
    value_date: date,
    amount: Decimal,
    detail: dict[str, Any] | None,
    channel: str,
    reference: str | None,
    reverses_event_id: int | None,
    request_key: str | None,
    payload: dict[str, Any] | None,
    now: datetime,
    day: date,
) -> dict[str, Any]:
    """The columns of the loan's next event (``loan.last_sequence`` already moved on to it)."""
    return {
        "company_id": loan.company_id,
        "loan_id": loan.id,
        "sequence": loan.last_sequence,
        "kind": kind,
        "value_date": value_date,
        "business_date": day,
        "amount_minor": minor(amount, loan.currency),
        "detail": detail or {},
        "channel": channel,
        "external_reference": reference or None,
        "reverses_event_id": reverses_event_id,
        "request_key": request_key or None,
        "request_digest": digest(payload or {}),
        "created_by": actor.user_id,
        "created_at": now,
    }


def engine_post(
    uow: UnitOfWork, loan: tables.Loan, event: LoanEvent, *, day: date | None = None
) -> Applied:
    """Check ``event`` with the engine as of the business date (``day``, when the caller has
    read it already) and apply it: to the stored book when it comes after every event,
    replaying the history otherwise."""
    held = _held(uow, loan)
    today = day or held.day
    contract = contract_of(loan.contract)
    state = held.state
    if (
        state is not None
        and not isinstance(event, Reversal)
        and event.value_date >= date.fromisoformat(state["today"])
    ):
        book = book_state.load(contract, state)
        own = resume(book, event, today)
        return _applied(book, own, today, _stored_after(state))
    if event.value_date > today:
        raise ValidationFailed("is after the business date", field="value_date")
    book = _replayed(uow, loan, event)
    mine = next((p for p in book.postings if p.event_id == event.event_id), None)
    check_posting(event, mine)
    return _applied(book, mine, today, None)


def engine_to(uow: UnitOfWork, loan: tables.Loan, day: date) -> Applied | None:
    """The loan's book brought to ``day`` with no new event (close of business applying the
    credit balance on a due date): from the stored book, or its history replayed. None when
    the stored book is past ``day`` already (an event dated later: nothing to bring)."""
    state = _held(uow, loan).state
    if state is None:
        book, stored = _replayed(uow, loan, None), None
    elif date.fromisoformat(state["today"]) > day:
        return None
    else:
        book, stored = book_state.load(contract_of(loan.contract), state), _stored_after(state)
    return _applied(book, None, day, stored) if book.today <= day else None


def _stored_after(state: dict[str, Any]) -> dict[str, StoredPosting]:
    """What storage holds of the postings dated after the stored book's day."""
    return {pid: StoredPosting.of(pid, raw) for pid, raw in state.get("after", {}).items()}


def _replayed(uow: UnitOfWork, loan: tables.Loan, event: LoanEvent | None) -> LoanBook:
    """The loan's stored history (and ``event``) replayed to its last value date."""
    uow.flush_staged()  # the history is read from the database: what was staged goes first
    events = engine_events(event_rows(uow, loan.id), loan.currency)
    if event is not None:
        events.append(event)
    contract = contract_of(loan.contract)
    last = max(
        (e.value_date for e in effective_events(events)), default=contract.terms.disbursement_date
    )
    return replay(contract, events, last)


def _applied(
    book: LoanBook, own: Any, today: date, stored: dict[str, StoredPosting] | None
) -> Applied:
    state = book_state.dump(book)
    advance(book, today)
    return Applied(book, own, state, {p.event_id: p for p in book.postings}, stored)


def next_engine_id(loan: tables.Loan) -> tuple[int, str]:
    return loan.last_sequence + 1, engine_id(loan.last_sequence + 1)


def record_event(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    applied: Applied,
    values: dict[str, Any],
    *,
    now: datetime,
    day: date,
    queue: LedgerQueue | None = None,
    event_id: int | None = None,
) -> tuple[dict[str, Any], dict[str, StoredPosting]]:
    """Stage the event (``event_values``, an id allocated for it), bring postings and vouchers
    in line with ``applied`` (new vouchers to ``queue``, or posted now), refresh the loan and
    store the engine's state: the event's row, and what is stored of the postings the event made
    or changed. ``event_id``: allocated by the caller (default: with the lock, or now)."""
    held: Locked | None = uow.session.info.get(LOCKED_KEY, {}).get(loan.id)
    if event_id is None and held is not None:
        event_id, held.event_id = held.event_id, None
    if event_id is None:
        event_id = allocate_ids(uow.session, EVENTS, 1)[0]
    row = {"id": event_id, **values}
    stage_event(uow, row)
    synced = _store(uow, actor, loan, applied, held, now=now, day=day, queue=queue)
    return row, synced


def bring_to(
    uow: UnitOfWork, actor: Principal, loan: tables.Loan, day: date, *, now: datetime
) -> None:
    """``loan`` (locked) brought to business date ``day`` with no event (``engine_to``), as a
    command on that date would leave it: what the engine did on the way (credit applied on a
    due date) posted, receivables booked beyond the engine's taken back, the installments, the
    snapshot and the stored book refreshed."""
    applied = engine_to(uow, loan, day)
    if applied is not None:
        booked = f"loan:{loan.id}:close:{day.isoformat()}:booked"  # no event of its own
        _store(uow, actor, loan, applied, _held(uow, loan), now=now, day=day, booked_key=booked)


def _store(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    applied: Applied,
    held: Locked | None,
    *,
    now: datetime,
    day: date,
    queue: LedgerQueue | None = None,
    booked_key: str | None = None,
) -> dict[str, StoredPosting]:
    """Bring postings and vouchers in line with ``applied`` (new vouchers to ``queue``, or
    posted now), take back receivables booked beyond it (under ``booked_key``, by default the
    event's), refresh the loan and store the engine's state; what is stored of the postings
    ``applied`` made or changed."""
    synced = sync(uow, actor, loan, applied, now=now, day=day, queue=queue)
    here = position_of(applied.book)
    take_back_booked(uow, actor, loan, here, now=now, day=day, queue=queue, key=booked_key)
    stored = held.installments if held is not None else None
    written = refresh(uow, loan, applied.book, now=now, staged=uow.staged, stored=stored, here=here)
    # a usable state was read under the lock, or staged by an earlier command on the loan
    known = True if held is not None and held.state is not None else None
    store_state(uow, loan, applied.state, synced, now=now, existed=known)
    if held is not None:  # a later command of the transaction on this loan goes on from here
        held.state, held.installments = applied.state, written
    return synced

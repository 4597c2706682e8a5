"""The stored side of a loan command, staged to be written in one go (``uow.staged``): the
event, the postings and their vouchers brought in line with the engine, the installments, the
position snapshot on the loan row and the engine's state.

The loan row stays an ORM object: its changed columns are staged as one update and marked
written (``set_committed_value``), so the session holds what the database will hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, select, update

from microlend.accounting import service as ledger
from microlend.db.bulk import Writes, table_of
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.close_state import penalty_rate
from microlend.loans.engine import (
    Amounts,
    InstallmentPosition,
    LoanBook,
    Position,
    Posting,
    position_of,
)
from microlend.loans.engine.position import NO_AMOUNTS
from microlend.loans.ledger_roles import (
    BOOKED_EXCESS,
    ensure_loan_rules,
    give_back,
    ledger_entries,
    summary_word,
    take_back_excess,
)
from microlend.loans.records import (
    NOT_REPLAYED,
    Kept,
    fresh_minor,
    lines_document,
    minor,
    minor_units,
    row_signature_text,
    signature_text,
)
from microlend.loans.tables_certificates import REOPENED, LoanPayoffCertificate
from microlend.loans.tables_close import LoanCloseState
from microlend.loans.tables_state import LoanEngineState

EVENTS = table_of(tables.LoanEvent)
POSTINGS = table_of(tables.LoanPosting)
INSTALLMENTS = table_of(tables.LoanInstallment)
LOANS = table_of(tables.Loan)
STATES = table_of(LoanEngineState)
CLOSE_STATES = table_of(LoanCloseState)
POSTING_KEY = ("loan_id", "posting_id")
CREDIT_POSTING = "credit@"  # the engine's credit application on a due date: credit@{date}
INSTALLMENT_KEY = ("loan_id", "n")
INSTALLMENT_COLUMNS = (
    "due_date",
    "accrual_start",
    "principal_due_minor",
    "interest_due_minor",
    "fee_due_minor",
    "penalty_due_minor",
    "principal_paid_minor",
    "interest_paid_minor",
    "fee_paid_minor",
    "penalty_paid_minor",
    "waived_minor",
    "principal_settled_minor",
    "interest_settled_minor",
    "fee_settled_minor",
    "penalty_settled_minor",
    "outstanding_minor",
    "status",
    "days_past_due",
)
Installments = dict[int, tuple[Any, ...]]  # n -> the values of INSTALLMENT_COLUMNS


@dataclass(frozen=True)
class StoredPosting:
    """What a stored posting does (``signature_text``), its version and vouchers."""

    posting_id: str
    value_date: date
    signature: str
    version: int
    vouchers: dict[str, dict[str, str]]

    @classmethod
    def of(cls, posting_id: str, raw: list[Any]) -> StoredPosting:
        """From the engine state's ``after`` entry: [value date, signature, version, vouchers]."""
        return cls(posting_id, date.fromisoformat(raw[0]), raw[1], int(raw[2]), raw[3])

    def entry(self) -> list[Any]:
        return [self.value_date.isoformat(), self.signature, self.version, self.vouchers]


@dataclass
class Applied:
    """A new event applied by the engine."""

    book: LoanBook  # advanced to the business date
    own: Posting | None  # the event's posting (None for a reversal)
    state: dict[str, Any] | None  # the engine's state after the event (None: not storable)
    fresh: dict[str, Posting]  # postings that may differ from storage
    stored: dict[str, StoredPosting] | None  # what storage holds of them; None: read it all


@dataclass
class LedgerQueue:
    """Loan vouchers waiting to be posted together, staged with the command's other rows
    (``ledger.post_staged``: on PostgreSQL numbered by the statement that writes them)."""

    uow: UnitOfWork
    actor: Principal
    now: datetime
    events: list[ledger.LedgerEvent] = field(default_factory=list)

    def post(self) -> None:
        events, self.events = self.events, []
        if events:
            ledger.post_staged(self.uow, self.actor, events=events, now=self.now)


def stage_event(uow: UnitOfWork, row: dict[str, Any]) -> None:
    uow.staged.insert(EVENTS, [row])


def _stored_postings(uow: UnitOfWork, loan: tables.Loan) -> dict[str, StoredPosting]:
    rows = uow.session.scalars(
        select(tables.LoanPosting).where(
            tables.LoanPosting.loan_id == loan.id, tables.LoanPosting.kind.not_in(NOT_REPLAYED)
        )
    ).all()
    return {
        row.posting_id: StoredPosting(
            row.posting_id,
            row.value_date,
            row_signature_text(row, loan.currency),
            row.version,
            row.vouchers,
        )
        for row in rows
    }


def sync(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    applied: Applied,
    *,
    now: datetime,
    day: date,
    queue: LedgerQueue | None = None,
) -> dict[str, StoredPosting]:
    """Bring the stored postings and vouchers in line with ``applied``: what differs has its
    vouchers reversed and is posted again, in value-date order (the new vouchers go to
    ``queue``, or are posted before returning). Returns what is stored now of the fresh
    postings."""
    own_queue = queue is None
    queue = queue or LedgerQueue(uow, actor, now)
    stored = applied.stored if applied.stored is not None else _stored_postings(uow, loan)
    fresh, cur = applied.fresh, loan.currency
    signatures = {pid: signature_text(p, cur) for pid, p in fresh.items()}

    def order(pid: str) -> tuple[date, int, str]:
        if pid in fresh:
            return fresh[pid].value_date, fresh[pid].sequence, pid
        return stored[pid].value_date, 0, pid

    changed = [
        pid
        for pid in sorted(set(stored) | set(fresh), key=order)
        if pid not in stored or pid not in fresh or stored[pid].signature != signatures[pid]
    ]
    if any(stored.get(pid) and stored[pid].vouchers for pid in changed):
        queue.post()  # a voucher to reverse may be waiting in the queue
    for pid in changed:  # reverse what no longer holds
        old = stored.get(pid)
        for key, roles in (old.vouchers if old else {}).items():
            ledger.reverse_event(
                uow,
                actor,
                company_id=loan.company_id,
                idempotency_key=key,
                business_date=day,
                reason=f"{loan.number} 重算",
                now=now,
            )
            give_back(loan, roles)
    for pid in (p for p in changed if p not in fresh):
        uow.staged.drop(POSTINGS, {"loan_id": loan.id, "posting_id": pid}, key=POSTING_KEY)
    now_stored = {pid: old for pid, old in stored.items() if pid in fresh and pid not in changed}
    if loan.off_balance_interest_minor and changed:  # its vouchers may take interest off memo
        ensure_loan_rules(uow, company_id=loan.company_id, now=now)
    for pid in (p for p in changed if p in fresh):  # post what holds now
        posting, old = fresh[pid], stored.get(pid)
        version = old.version + 1 if old else _first_version(uow, loan, pid)
        prefix = f"loan:{loan.id}:{pid}:v{version}"
        vouchers = _vouchers(loan, posting, prefix, day, queue.events)
        row = posting_row(loan, posting, version, vouchers, now)
        uow.staged.keep(POSTINGS, row, key=POSTING_KEY, existed=old is not None)
        now_stored[pid] = StoredPosting(pid, posting.value_date, signatures[pid], version, vouchers)
    if own_queue:
        queue.post()
    return now_stored


def _first_version(uow: UnitOfWork, loan: tables.Loan, pid: str) -> int:
    """The version of a posting new to storage: 1, unless the engine makes it anew on a date
    (a credit application, ``credit@{date}``) and an earlier one of that date, taken back since
    (a reversal took the credit away), posted vouchers of its own: their keys stay taken."""
    if not pid.startswith(CREDIT_POSTING):
        return 1
    start = 1
    while True:  # a credit application posts one voucher, under its version's key
        keys = {f"loan:{loan.id}:{pid}:v{n}": n for n in range(start, start + 8)}
        used = ledger.keys_used(uow, company_id=loan.company_id, keys=list(keys))
        last = max((keys[key] for key in used), default=start - 1)
        if last < start + 7:
            return last + 1
        start += 8


def take_back_booked(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    here: Position,
    *,
    now: datetime,
    day: date,
    queue: LedgerQueue | None = None,
    key: str | None = None,
) -> None:
    """Receivables close of business booked (``loan.booked_*``) that the engine no longer has
    owed at ``here`` (a back-dated repayment paid the installment before its penalty ran, or
    before the interest accrued on principal it paid) are taken back out of income: one voucher
    (``BOOKED_EXCESS``, key ``key``, by default the command's ``loan:{id}:e{sequence}:booked``)
    to ``queue`` (or posted now)."""
    if loan.status == "written_off":
        return
    owed = here.overdue + here.due_today
    roles = take_back_excess(
        loan,
        {
            "interest": owed.interest + here.accrued_interest,
            "fee": owed.fee,
            "penalty": owed.penalty,
        },
    )
    if not roles:
        return
    ensure_loan_rules(uow, company_id=loan.company_id, now=now)
    target = queue or LedgerQueue(uow, actor, now)
    key = key or f"loan:{loan.id}:e{loan.last_sequence}:booked"
    summary = f"{loan.number} 冲回多计提 {day.isoformat()}"
    target.events.append(loan_event(loan, BOOKED_EXCESS, roles, key, day, summary))
    if queue is None:
        target.post()


def _vouchers(
    loan: tables.Loan,
    posting: Posting,
    prefix: str,
    day: date,
    events: list[ledger.LedgerEvent],
) -> dict[str, dict[str, str]]:
    """The ledger events of ``posting`` (added to ``events``) by key, with their roles."""
    vouchers: dict[str, dict[str, str]] = {}
    for n, (event_type, roles) in enumerate(ledger_entries(loan, posting)):
        key = prefix + (f":{n}" if n else "")
        kept = {role: amount for role, amount in roles.items() if amount != 0}
        if not kept:
            continue
        summary = f"{loan.number} {summary_word(posting.kind)} {posting.value_date.isoformat()}"
        events.append(loan_event(loan, event_type, kept, key, day, summary))
        vouchers[key] = {role: str(amount) for role, amount in kept.items()}
    return vouchers


def loan_event(
    loan: tables.Loan,
    event_type: str,
    amounts: dict[str, Decimal],
    key: str,
    day: date,
    summary: str,
) -> ledger.LedgerEvent:
    """A ledger event of the loan (its office, currency and dimensions)."""
    return ledger.LedgerEvent(
        type=event_type,
        company_id=loan.company_id,
        office_id=loan.office_id,
        business_date=day,
        amounts=amounts,
        idempotency_key=key,
        currency=loan.currency,
        summary=summary,
        dims=ledger.Dims(
            product_code=loan.product_code, loan_id=loan.id, customer_id=loan.customer_id
        ),
    )


def posting_row(
    loan: tables.Loan,
    posting: Posting,
    version: int,
    vouchers: dict[str, dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    cur = loan.currency
    return {
        "company_id": loan.company_id,
        "loan_id": loan.id,
        "posting_id": posting.event_id,
        "kind": str(posting.kind),
        "value_date": posting.value_date,
        "version": version,
        "cash_in_minor": minor(posting.cash_in, cur),
        "cash_out_minor": minor(posting.cash_out, cur),
        "credit_change_minor": fresh_minor(posting.credit_change, cur),
        "lines": lines_document(posting),
        "vouchers": vouchers,
        "updated_at": now,
    }


def store_state(
    uow: UnitOfWork,
    loan: tables.Loan,
    state: dict[str, Any] | None,
    synced: dict[str, StoredPosting],
    *,
    now: datetime,
    existed: bool | None = None,
) -> None:
    """Stage the engine's state after the loan's last event, with the stored postings dated
    after it (None: the book cannot be stored; the old state no longer covers the loan).
    ``existed``: True when the loan's state row is known to be stored (it is then updated, not
    upserted); None when that is not known."""
    if state is None:
        return
    point = date.fromisoformat(state["today"])
    state["after"] = {
        pid: stored.entry() for pid, stored in synced.items() if stored.value_date > point
    }
    row = {
        "loan_id": loan.id,
        "company_id": loan.company_id,
        "sequence": loan.last_sequence,
        "state": state,
        "updated_at": now,
    }
    uow.staged.keep(STATES, row, key=("loan_id",), existed=existed)


def refresh(
    uow: UnitOfWork,
    loan: tables.Loan,
    book: LoanBook,
    *,
    now: datetime,
    staged: Writes | None = None,
    stored: Installments | None = None,
    here: Position | None = None,
) -> Installments:
    """The installments and the position snapshot from the replayed ``book``: staged in
    ``staged``, or written at once. Only the installments that differ from ``stored`` (what the
    database holds, read now if not given) are written (``here``: the book's position, when the
    caller has it). Returns the installments as they are now."""
    writes = staged if staged is not None else Writes()
    here = here or position_of(book)
    cur = loan.currency
    if stored is None:
        stored = stored_installments(uow, [loan.id]).get(loan.id, {})
    now_rows: Installments = {}
    units = minor_units(cur)
    for row in here.installments:
        values = installment_values(row, units)
        now_rows[row.n] = values
        if stored.get(row.n) != values:
            written: dict[str, Any] = {"company_id": loan.company_id, "loan_id": loan.id}
            written.update(zip(INSTALLMENT_COLUMNS, values, strict=True))
            written.update(n=row.n, due_date=row.due_date, accrual_start=row.accrual_start)
            writes.keep(INSTALLMENTS, written, key=INSTALLMENT_KEY, existed=row.n in stored)
    for n in sorted(set(stored) - set(now_rows)):
        writes.drop(INSTALLMENTS, {"loan_id": loan.id, "n": n}, key=INSTALLMENT_KEY)
    owed, fresh = here.overdue + here.due_today, fresh_minor
    restructured = loan.restructured or here.restructured
    columns: dict[str, Any] = {
        "position_as_of": here.as_of,
        "outstanding_principal_minor": fresh(here.outstanding_principal, cur),
        "outstanding_interest_minor": fresh(owed.interest + here.accrued_interest, cur),
        "outstanding_fee_minor": fresh(owed.fee, cur),
        "outstanding_penalty_minor": fresh(owed.penalty, cur),
        "overdue_minor": fresh(here.overdue_amount, cur),
        "days_past_due": here.days_past_due,
        "max_days_past_due": max(loan.max_days_past_due, here.days_past_due),
        "next_due_date": here.next_due_date,
        "next_due_minor": fresh(here.next_due_amount, cur),
        "credit_balance_minor": fresh(here.credit_balance, cur),
        "restructured": restructured,
    }
    in_force = book.terms.annual_rate
    rate = None if in_force == loan.annual_rate else in_force
    if rate != loan.rate_in_force:  # a reschedule changed the rate, or its reversal restored it
        columns["rate_in_force"] = rate
        _reprice_penalty(writes, loan, book)
    if loan.status != "written_off":
        status = columns["status"] = _status(str(here.status), restructured)
        if status != "closed":
            columns["closed_on"] = None
            if loan.status == "closed":
                _void_certificate(uow, loan, here.as_of)
        elif loan.status != "closed" or loan.closed_on is None:
            columns["closed_on"] = here.as_of  # the business day it closed, kept while closed
    columns["row_version"] = loan.row_version + 1
    columns["updated_at"] = now
    stage_loan(writes, loan, columns)
    if staged is None:
        uow.session.flush()
        writes.flush(uow.session)
    return now_rows


def _reprice_penalty(writes: Writes, loan: tables.Loan, book: LoanBook) -> None:
    """Close of business prices the loan's penalty at its close state's daily rate: the rate in
    force's from now (a loan with no close state yet gets it from ``rate_in_force``)."""
    terms = book.terms
    daily = penalty_rate(terms.annual_rate, book.contract.penalty.multiplier, terms.day_count)
    writes.update(CLOSE_STATES, [{"loan_id": loan.id, **daily}], key=("loan_id",))


def _void_certificate(uow: UnitOfWork, loan: tables.Loan, day: date) -> None:
    """A change has reopened the paid-off ``loan``: its payoff certificate in force no longer
    states the truth and is voided (``payoff_certificates``), in the change's transaction."""
    uow.session.execute(
        update(LoanPayoffCertificate)
        .where(LoanPayoffCertificate.loan_id == loan.id, LoanPayoffCertificate.voided_on.is_(None))
        .values(voided_on=day, void_reason=REOPENED)
    )


def installment_values(row: InstallmentPosition, units: Kept[Decimal, int]) -> tuple[Any, ...]:
    """The stored columns (``INSTALLMENT_COLUMNS``) of an installment, ``units`` its currency's
    ``minor_units``. Its amounts are mostly the shared ones of the stored book (converted once,
    then looked up); what is computed of them (outstanding, waived and capitalised) is summed in
    minor units, which is exact: every amount of the engine is rounded to the minor unit."""
    charged, paid, waived, capitalised = row.charged, row.paid, row.waived, row.capitalised
    c_principal, c_interest = units[charged.principal], units[charged.interest]
    c_fee, c_penalty = units[charged.fee], units[charged.penalty]
    p_principal, p_interest = units[paid.principal], units[paid.interest]
    p_fee, p_penalty = units[paid.fee], units[paid.penalty]
    by_part = _settled(waived, capitalised, units)
    settled = sum(by_part)
    return (
        row.due_date.isoformat(),
        row.accrual_start.isoformat(),
        c_principal,
        c_interest,
        c_fee,
        c_penalty,
        p_principal,
        p_interest,
        p_fee,
        p_penalty,
        settled,
        *by_part,
        c_principal
        + c_interest
        + c_fee
        + c_penalty
        - (p_principal + p_interest + p_fee + p_penalty)
        - settled,
        str(row.status),
        row.days_past_due,
    )


def _settled(
    waived: Amounts, capitalised: Amounts, units: Kept[Decimal, int]
) -> tuple[int, int, int, int]:
    """Principal, interest, fee and penalty settled without being paid (waived or capitalised)."""
    if waived is NO_AMOUNTS and capitalised is NO_AMOUNTS:
        return 0, 0, 0, 0
    total = waived + capitalised
    return (
        units[total.principal],
        units[total.interest],
        units[total.fee],
        units[total.penalty],
    )


def stored_installments(uow: UnitOfWork, loan_ids: list[int]) -> dict[int, Installments]:
    """The stored installments of the loans (as ``refresh`` compares them), by loan."""
    if not loan_ids or None in loan_ids:
        return {}
    table = INSTALLMENTS
    columns = (table.c[name] for name in INSTALLMENT_COLUMNS)
    rows = uow.session.execute(
        select(table.c.loan_id, table.c.n, *columns).where(table.c.loan_id.in_(loan_ids))
    )
    found: dict[int, Installments] = {}
    for loan_id, n, day, start, *rest in rows:
        found.setdefault(loan_id, {})[n] = (day.isoformat(), start.isoformat(), *rest)
    return found


def installments_column() -> Any:
    """A correlated column with the loan's stored installments (PostgreSQL: one JSON array of
    ``[n, *INSTALLMENT_COLUMNS]`` per installment), read with the loan's lock."""
    table = INSTALLMENTS
    row = func.json_build_array(table.c.n, *(table.c[name] for name in INSTALLMENT_COLUMNS))
    return (
        select(func.json_agg(row))
        .where(table.c.loan_id == tables.Loan.id)
        .correlate(tables.Loan)
        .scalar_subquery()
    )


def installments_of(raw: list[list[Any]] | None) -> Installments:
    """``installments_column``'s value as ``refresh`` compares it."""
    return {int(row[0]): tuple(row[1:]) for row in raw or ()}


def stage_loan(writes: Writes, loan: tables.Loan, values: dict[str, Any] | None = None) -> None:
    """Stage the loan row's changed columns and ``values`` (columns to set) as one update, and
    mark them written; a loan not yet in the database gets ``values`` set, and is left to the
    session."""
    state = inspect(loan)
    if not state.persistent:
        for key, value in (values or {}).items():
            setattr(loan, key, value)
        return
    row = {key: getattr(loan, key) for key in state.committed_state}
    if values:
        row.update(values)
    if not row:
        return
    writes.keep(LOANS, {"id": loan.id, **row})
    # What a flush does to a row it wrote (every changed column is in ``row``; a loan has no
    # relationships): the values in the instance, committed and no longer modified, so the
    # session's flush skips it. ``values`` go straight to the instance: set through the ORM,
    # they would only be recorded as changes to be forgotten here.
    if values:
        state.dict.update(values)
    state._commit_all(state.dict, state._instance_dict())


def _status(engine_status: str, restructured: bool) -> str:
    if engine_status == "active" and restructured:
        return "rescheduled"
    return engine_status

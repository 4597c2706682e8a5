"""The loan account inside a command: lock the loan, replay its events with the engine, append
the new event, bring the stored postings and their vouchers in line with the replay, refresh
the installments and the position snapshot. All in the caller's transaction.

A back-dated event or a reversal changes the postings of later events: every stored posting
that differs from the replay's has its vouchers reversed (red ink, dated the business date)
and the new posting's vouchers posted under the next version's key
(``loan:{id}:{posting}:v{n}``), so the ledger ends as if everything had been posted in order.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from microlend.accounting import service as ledger
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, RuleViolation
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.contract_document import contract_of
from microlend.loans.engine import LoanBook, LoanContract, LoanEvent, Posting, position_of, post
from microlend.loans.ledger_roles import give_back, ledger_entries
from microlend.loans.records import (
    NOT_REPLAYED,
    engine_events,
    engine_id,
    lines_document,
    minor,
    posting_signature,
    stored_signature,
)
from microlend.orgs.tables import Company

SERVICEABLE = frozenset({"active", "overdue", "rescheduled"})


def business_date(uow: UnitOfWork, company_id: int) -> date:
    return uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()


def locked_loan(uow: UnitOfWork, actor: Principal, loan_id: int) -> tables.Loan:
    """The loan (scoped), locked for the rest of the transaction (``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers)."""
    stmt = apply_scope(select(tables.Loan).where(tables.Loan.id == loan_id), actor, tables.Loan)
    stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = uow.session.execute(stmt).scalars().one_or_none()
    if row is None:  # as get_scoped: out of scope is not found
        raise NotFound(f"loans {loan_id} not found", code="loans_not_found")
    return row


def event_rows(uow: UnitOfWork, loan_id: int) -> list[tables.LoanEvent]:
    stmt = select(tables.LoanEvent).where(tables.LoanEvent.loan_id == loan_id)
    return list(uow.session.scalars(stmt.order_by(tables.LoanEvent.sequence)).all())


def history(uow: UnitOfWork, loan: tables.Loan) -> tuple[LoanContract, list[LoanEvent]]:
    return contract_of(loan.contract), engine_events(event_rows(uow, loan.id), loan.currency)


def require_serviceable(loan: tables.Loan) -> None:
    if loan.status not in SERVICEABLE:
        raise RuleViolation(
            f"loan {loan.number} is {loan.status}",
            code="loan_not_serviceable",
            extra={"current_status": loan.status},
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
    wanted = digest(payload)
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
    for row in found:
        if row.request_digest != wanted or row.loan_id != loan.id:
            what = "idempotency key" if row.request_key == request_key else "external reference"
            raise Conflict(
                f"the {what} was used for another request",
                code="request_reused",
                extra={"event_id": row.id},
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
    loan.last_sequence += 1
    row = tables.LoanEvent(
        company_id=loan.company_id,
        loan_id=loan.id,
        sequence=loan.last_sequence,
        kind=kind,
        value_date=value_date,
        business_date=day or business_date(uow, loan.company_id),
        amount_minor=minor(amount, loan.currency),
        detail=detail or {},
        channel=channel,
        external_reference=reference or None,
        reverses_event_id=reverses_event_id,
        request_key=request_key or None,
        request_digest=digest(payload or {}),
        created_by=actor.user_id,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def engine_post(
    uow: UnitOfWork, loan: tables.Loan, event: LoanEvent, *, day: date | None = None
) -> tuple[LoanContract, LoanBook, Posting | None]:
    """Check ``event`` with the engine on the stored history, as of the business date
    (``day``, when the caller has read it already)."""
    contract, events = history(uow, loan)
    result = post(contract, events, event, day or business_date(uow, loan.company_id))
    return contract, result.after, result.posting


def next_engine_id(loan: tables.Loan) -> tuple[int, str]:
    return loan.last_sequence + 1, engine_id(loan.last_sequence + 1)


def sync(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    book: LoanBook,
    *,
    now: datetime,
    day: date | None = None,
) -> list[str]:
    """Bring the stored postings and vouchers in line with ``book``; the keys posted."""
    day = day or business_date(uow, loan.company_id)
    stored = {
        row.posting_id: row
        for row in uow.session.scalars(
            select(tables.LoanPosting).where(
                tables.LoanPosting.loan_id == loan.id, tables.LoanPosting.kind.not_in(NOT_REPLAYED)
            )
        ).all()
    }
    fresh = {p.event_id: p for p in book.postings}
    changed = [
        pid
        for pid in sorted(set(stored) | set(fresh), key=_order(stored, fresh))
        if pid not in stored
        or pid not in fresh
        or stored_signature(stored[pid]) != posting_signature(fresh[pid], loan.currency)
    ]
    versions: dict[str, int] = {}
    for pid in changed:  # reverse what no longer holds
        old = stored.get(pid)
        if old is None:
            continue
        for key, roles in old.vouchers.items():
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
        versions[pid] = old.version
        uow.session.delete(old)
    uow.session.flush()
    posted: list[str] = []
    for pid in changed:  # post what holds now, in value-date order
        posting = fresh.get(pid)
        if posting is None:
            continue
        version = versions.get(pid, 0) + 1
        vouchers: dict[str, dict[str, str]] = {}
        for n, (event_type, roles) in enumerate(ledger_entries(loan, posting)):
            key = f"loan:{loan.id}:{pid}:v{version}" + (f":{n}" if n else "")
            kept = {role: amount for role, amount in roles.items() if amount != 0}
            if not kept:
                continue
            ledger.post(
                uow,
                actor,
                event=ledger.LedgerEvent(
                    type=event_type,
                    company_id=loan.company_id,
                    office_id=loan.office_id,
                    business_date=day,
                    amounts=kept,
                    idempotency_key=key,
                    currency=loan.currency,
                    summary=f"{loan.number} {posting.kind} {posting.value_date.isoformat()}",
                    dims=ledger.Dims(
                        product_code=loan.product_code,
                        loan_id=loan.id,
                        customer_id=loan.customer_id,
                    ),
                ),
                now=now,
            )
            vouchers[key] = {role: str(amount) for role, amount in kept.items()}
            posted.append(key)
        uow.session.add(
            tables.LoanPosting(
                company_id=loan.company_id,
                loan_id=loan.id,
                posting_id=pid,
                kind=str(posting.kind),
                value_date=posting.value_date,
                version=version,
                cash_in_minor=minor(posting.cash_in, loan.currency),
                cash_out_minor=minor(posting.cash_out, loan.currency),
                credit_change_minor=minor(posting.credit_change, loan.currency),
                lines=lines_document(posting),
                vouchers=vouchers,
                updated_at=now,
            )
        )
    uow.session.flush()
    return posted


def _order(stored: dict[str, tables.LoanPosting], fresh: dict[str, Posting]) -> Any:
    def key(pid: str) -> tuple[date, int, str]:
        if pid in fresh:
            return fresh[pid].value_date, fresh[pid].sequence, pid
        return stored[pid].value_date, 0, pid

    return key


def refresh(uow: UnitOfWork, loan: tables.Loan, book: LoanBook, *, now: datetime) -> None:
    """The installments and the position snapshot from the replayed ``book``."""
    here = position_of(book)
    cur = loan.currency
    uow.session.execute(
        delete(tables.LoanInstallment).where(tables.LoanInstallment.loan_id == loan.id)
    )
    rows = [
        {
            "company_id": loan.company_id,
            "loan_id": loan.id,
            "n": row.n,
            "due_date": row.due_date,
            "principal_due_minor": minor(row.charged.principal, cur),
            "interest_due_minor": minor(row.charged.interest, cur),
            "fee_due_minor": minor(row.charged.fee, cur),
            "penalty_due_minor": minor(row.charged.penalty, cur),
            "principal_paid_minor": minor(row.paid.principal, cur),
            "interest_paid_minor": minor(row.paid.interest, cur),
            "fee_paid_minor": minor(row.paid.fee, cur),
            "penalty_paid_minor": minor(row.paid.penalty, cur),
            "waived_minor": minor(row.waived.total + row.capitalised.total, cur),
            "outstanding_minor": minor(row.outstanding.total, cur),
            "status": str(row.status),
            "days_past_due": row.days_past_due,
        }
        for row in here.installments
    ]
    if rows:  # one executemany, not a round trip per installment
        uow.session.execute(insert(tables.LoanInstallment), rows)
    owed = here.overdue + here.due_today
    loan.position_as_of = here.as_of
    loan.outstanding_principal_minor = minor(here.outstanding_principal, cur)
    loan.outstanding_interest_minor = minor(owed.interest + here.accrued_interest, cur)
    loan.outstanding_fee_minor = minor(owed.fee, cur)
    loan.outstanding_penalty_minor = minor(owed.penalty, cur)
    loan.overdue_minor = minor(here.overdue_amount, cur)
    loan.days_past_due = here.days_past_due
    loan.max_days_past_due = max(loan.max_days_past_due, here.days_past_due)
    loan.next_due_date = here.next_due_date
    loan.next_due_minor = minor(here.next_due_amount, cur)
    loan.credit_balance_minor = minor(here.credit_balance, cur)
    loan.restructured = loan.restructured or here.restructured
    if loan.status != "written_off":
        loan.status = _status(str(here.status), loan.restructured)
        loan.closed_on = here.as_of if loan.status == "closed" else None
    loan.row_version += 1
    loan.updated_at = now
    uow.session.flush()


def _status(engine_status: str, restructured: bool) -> str:
    if engine_status == "active" and restructured:
        return "rescheduled"
    return engine_status

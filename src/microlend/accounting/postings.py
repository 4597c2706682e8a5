"""Use cases that write vouchers: a business event's automatic voucher, a reversal, a manual
voucher (maker-checker capable)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.accounting import books, journal, posting_context, voucher_statement
from microlend.accounting.model import (
    MANUAL,
    REVERSAL,
    Dims,
    LedgerEvent,
    LineDraft,
    Side,
    checked_event_type,
    event_lines,
    reversal_lines,
    summarised,
)
from microlend.accounting.tables import Voucher
from microlend.accounting.views import VoucherView
from microlend.db.bulk import Writes
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from microlend.kernel.money import minor_units_of
from microlend.kernel.principal import Principal

POST_MANUAL = "accounting.voucher.post"
REVERSE = "accounting.voucher.reverse"


def _check_reach(actor: Principal, company_id: int, office_id: int) -> None:
    if not actor.sees_office(company_id, office_id):
        raise NotFound(
            "office %(office_id)s not found",
            code="office_not_found",
            field="office_id",
            params={"office_id": office_id},
        )


def post(uow: UnitOfWork, actor: Principal, *, event: LedgerEvent, now: datetime) -> VoucherView:
    """The voucher of a business event, through the company's posting rules: exactly one per
    idempotency key (a replay returns the first voucher; other amounts are a ``Conflict``).

    Called by the services of other contexts inside their own command (whose permission was
    checked there, e.g. ``loans.disburse``); the actor must reach the event's office."""
    return post_many(uow, actor, events=[event], now=now)[0]


def post_many(
    uow: UnitOfWork,
    actor: Principal,
    *,
    events: list[LedgerEvent],
    now: datetime,
    staged: Writes | None = None,
) -> list[VoucherView]:
    """``post`` for many events at once (one lock of each period, one look-up of the keys, one
    write): each event still gets its own voucher, in order. With ``staged`` the vouchers are
    staged there, to be written with the caller's other rows (``UnitOfWork.flush_staged``)."""
    check_events(actor, events)
    if staged is None:
        uow.flush_staged()  # what is written at once comes after what was staged before it
    prepared = posting_context.prepare(uow, events)
    drafts: list[journal.VoucherDraft] = []
    for event in events:
        event_type = event.type
        rules = event_rules(uow, event, now)
        drafts.append(
            journal.VoucherDraft(
                company_id=event.company_id,
                office_id=event.office_id,
                business_date=event.business_date,
                kind=event_type,
                summary=event.summary or event_type,
                lines=event_lines(event, rules),
                idempotency_key=event.idempotency_key,
            )
        )
    return journal.record_vouchers(
        uow,
        drafts,
        created_by=actor.username,
        created_by_id=actor.user_id,
        now=now,
        staged=staged,
        prepared=prepared,
    )


def keys_used(uow: UnitOfWork, *, company_id: int, keys: list[str]) -> set[str]:
    """Which of ``keys`` a voucher of the company was posted under (or is staged to be): a
    business event's key names one voucher for good, even once reversed."""
    staged = {key for company, key in voucher_statement.pending_keys(uow) if company == company_id}
    found = uow.session.scalars(
        select(Voucher.idempotency_key).where(
            Voucher.company_id == company_id, Voucher.idempotency_key.in_(keys)
        )
    )
    return ({key for key in found if key} | staged) & set(keys)


def check_events(actor: Principal, events: list[LedgerEvent]) -> None:
    """Refuse events the actor does not reach, without a key or of an unknown type."""
    for event in events:
        _check_reach(actor, event.company_id, event.office_id)
        if not event.idempotency_key.strip():
            raise ValidationFailed("an event needs an idempotency key", field="idempotency_key")
        checked_event_type(event.type)


def event_rules(uow: UnitOfWork, event: LedgerEvent, now: datetime) -> dict[str, tuple[str, str]]:
    """The event's posting rules; a company without books gets the default ones first (or sees
    those another transaction seeded meanwhile)."""
    company, product, event_type = event.company_id, event.dims.product_code, event.type
    found = books.rules_for(uow, company_id=company, event_type=event_type, product_code=product)
    if found:
        return found
    books.seed_books(uow, company_id=company, now=now)
    books.forget_chart(uow, company)
    return books.rules_for(uow, company_id=company, event_type=event_type, product_code=product)


def post_summary(
    uow: UnitOfWork,
    actor: Principal,
    *,
    events: list[LedgerEvent],
    idempotency_key: str,
    summary: str,
    now: datetime,
) -> VoucherView:
    """One summarised voucher (汇总凭证) for many events of one type, office, day and product
    (e.g. a day's interest accruals), for companies that book accruals in summary; the per-loan
    detail stays in the sub-ledger. ``idempotency_key`` names the batch
    (``accrual:{office}:{product}:{date}``)."""
    event = summarised(events, idempotency_key=idempotency_key, summary=summary)
    return post(uow, actor, event=event, now=now)


def _reverse(
    uow: UnitOfWork,
    actor: Principal,
    original: Voucher,
    *,
    business_date: date,
    reason: str,
    now: datetime,
) -> VoucherView:
    if original.kind == REVERSAL:
        raise RuleViolation("a reversal is not reversed: post the entry again", code="reversal")
    taken = uow.session.scalar(select(Voucher.number).where(Voucher.reverses_id == original.id))
    if taken is not None:
        raise Conflict(
            "voucher %(number)s is reversed by %(taken)s",
            code="already_reversed",
            params={"number": original.number, "taken": taken},
        )
    if business_date < original.business_date:
        raise ValidationFailed("a reversal is not dated before its voucher", field="business_date")
    draft = journal.VoucherDraft(
        company_id=original.company_id,
        office_id=original.office_id,
        business_date=business_date,
        kind=REVERSAL,
        summary=f"冲销 {original.number} {reason}".strip(),
        lines=reversal_lines(journal.drafts_of(uow, original)),
        idempotency_key=f"reversal:{original.id}",
        reverses_id=original.id,
    )
    return journal.record_voucher(
        uow, draft, created_by=actor.username, created_by_id=actor.user_id, now=now
    )


def reverse_event(
    uow: UnitOfWork,
    actor: Principal,
    *,
    company_id: int,
    idempotency_key: str,
    business_date: date,
    reason: str = "",
    now: datetime,
) -> VoucherView:
    """Reverse the voucher that event ``idempotency_key`` posted (for other contexts' services,
    inside their own command); reversing twice is a ``Conflict``."""
    uow.flush_staged()  # the voucher may be among the rows staged in this transaction
    original = journal.find_by_key(uow, company_id, idempotency_key)
    if original is None or not actor.sees_office(company_id, original.office_id):
        raise NotFound(
            "no voucher for event %(idempotency_key)s",
            code="voucher_not_found",
            params={"idempotency_key": idempotency_key},
        )
    return _reverse(uow, actor, original, business_date=business_date, reason=reason, now=now)


@command(REVERSE, entity_type="voucher", summary=lambda p: f"reverse voucher {p['voucher_id']}")
def _reverse_command(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    original = get_scoped(uow.session, actor, Voucher, int(payload["voucher_id"]))
    view = _reverse(
        uow,
        actor,
        original,
        business_date=date.fromisoformat(payload["business_date"]),
        reason=str(payload.get("reason") or ""),
        now=now,
    )
    return Done(entity_id=view.id, value=view, change={"number": view.number})


def reverse_voucher(
    uow: UnitOfWork,
    actor: Principal,
    *,
    voucher_id: int,
    business_date: date,
    reason: str,
    now: datetime,
) -> VoucherView | Pending:
    """A red-ink reversal of voucher ``voucher_id``, dated ``business_date`` (an open period)."""
    payload = {"voucher_id": voucher_id, "business_date": business_date.isoformat()}
    outcome = run_command(uow, actor, REVERSE, {**payload, "reason": reason}, now=now)
    return value_or_pending(outcome, VoucherView)


def _manual_line(raw: dict[str, Any], office_id: int, index: int) -> LineDraft:
    where = f"lines[{index}]"
    try:
        side = Side(str(raw["side"]).upper()[:1])
        currency = str(raw.get("currency") or "CNY")
        amount = Decimal(str(raw["amount"]))
    except (KeyError, ValueError, ArithmeticError):
        raise ValidationFailed("a line has account_code, side D/C, amount", field=where) from None
    units = minor_units_of(amount, currency, field=f"{where}.amount")
    if units <= 0:
        raise ValidationFailed("a manual line's amount is positive", field=f"{where}.amount")
    code = str(raw.get("account_code", "")).strip()
    memo = str(raw.get("memo") or "")
    return LineDraft(code, side, units, currency, office_id, Dims(), memo)


def _manual_key(key: object) -> str | None:
    """A client's key lives in its own namespace, apart from the events' keys."""
    return f"manual:{key}" if key else None


@command(POST_MANUAL, entity_type="voucher", summary=lambda p: f"manual voucher: {p['summary']}")
def _post_manual(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company, office = actor.company_id, int(payload["office_id"])
    _check_reach(actor, company, office)
    books.seed_books(uow, company_id=company, now=now)
    summary = str(payload["summary"]).strip()
    if not summary:
        raise ValidationFailed("a voucher needs a summary (摘要)", field="summary")
    raw_lines = payload.get("lines") or []
    draft = journal.VoucherDraft(
        company_id=company,
        office_id=office,
        business_date=date.fromisoformat(payload["business_date"]),
        kind=MANUAL,
        summary=summary,
        lines=[_manual_line(raw, office, index) for index, raw in enumerate(raw_lines)],
        idempotency_key=_manual_key(payload.get("idempotency_key")),
    )
    view = journal.record_voucher(
        uow, draft, created_by=actor.username, created_by_id=actor.user_id, now=now
    )
    return Done(entity_id=view.id, value=view, change={"number": view.number})


def post_manual_voucher(
    uow: UnitOfWork,
    actor: Principal,
    *,
    office_id: int,
    business_date: date,
    summary: str,
    lines: list[dict[str, Any]],
    now: datetime,
    idempotency_key: str | None = None,
) -> VoucherView | Pending:
    """A voucher entered by hand (e.g. expenses 费用): lines of account code, side (D/C), amount
    (a decimal string), currency and memo. Waits for a checker when maker-checker is on."""
    payload = {
        "office_id": office_id,
        "business_date": business_date.isoformat(),
        "summary": summary,
        "lines": [{key: str(value) for key, value in line.items()} for line in lines],
        "idempotency_key": idempotency_key,
    }
    outcome = run_command(uow, actor, POST_MANUAL, payload, now=now)
    return value_or_pending(outcome, VoucherView)

"""还款: repayments, prepayments (partial and full payoff) and refunds of the credit balance
(reversals, 冲正: ``reversals``). Each is allocated by the engine on the stored history; a
back-dated one reposts the vouchers of every later posting it changes, in the same transaction.

Idempotent from outside: by ``request_key`` (the API's Idempotency-Key) and by the channel's
external reference; a replay returns the first result, another payload is a ``Conflict``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import select

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.money import minor_units_of
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import (
    business_date,
    command_day,
    engine_post,
    event_values,
    existing_request,
    history,
    locked_loan,
    next_engine_id,
    record_event,
    require_serviceable,
)
from microlend.loans.account_store import Applied
from microlend.loans.calculator.servicing_terms import PrepaymentMode
from microlend.loans.contract_document import product_terms_of
from microlend.loans.engine import (
    LoanEvent,
    PayoffQuote,
    Posting,
    Prepayment,
    Refund,
    Repayment,
    payoff_quote,
    position,
    post,
)
from microlend.loans.prepayment_fees import fee_of_payoff, fee_of_prepayment
from microlend.loans.records import engine_id, money
from microlend.loans.views import (
    EventOutcome,
    event_view,
    fresh_posting_view,
    loan_view,
    posting_view,
)

REPAY = "loans.repay"
VIEW = "loans.view"
CHANNELS = ("bank", "cash", "wechat", "alipay", "deduction", "other")
MONEY_KINDS = ("repayment", "prepayment")


def amount_of(raw: Any, currency: str, name: str = "amount", *, zero: bool = False) -> Decimal:
    """``raw`` as an amount of ``currency``: positive, or (``zero``) not negative."""
    units = minor_units_of(str(raw) if raw is not None else "", currency, field=name)
    if zero and units < 0:
        raise ValidationFailed("must not be negative", field=name)
    if not zero and units <= 0:
        raise ValidationFailed("must be positive", field=name)
    return money(units, currency)


def value_date_of(raw: Any, today: date) -> date:
    if raw in (None, ""):
        return today
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("must be a date (YYYY-MM-DD)", field="value_date") from None
    if day > today:
        raise ValidationFailed("is after the business date", field="value_date")
    return day


def outcome(
    uow: UnitOfWork,
    loan: tables.Loan,
    row: tables.LoanEvent,
    *,
    replayed: bool = False,
    fresh: bool = False,
) -> EventOutcome:
    """The event's outcome; ``fresh``: appended in this command, so nothing reversed it yet."""
    posting = uow.session.scalars(
        select(tables.LoanPosting).where(
            tables.LoanPosting.loan_id == loan.id,
            tables.LoanPosting.posting_id == engine_id(row.sequence),
        )
    ).one_or_none()
    taken = None
    if not fresh:
        taken = uow.session.scalar(
            select(tables.LoanEvent.id).where(tables.LoanEvent.reverses_event_id == row.id)
        )
    reversed_ids = frozenset({row.id}) if taken is not None else frozenset[int]()
    return EventOutcome(
        loan_view(loan),
        event_view(row, loan.currency, reversed_ids),
        posting_view(posting, loan.currency) if posting else None,
        replayed,
    )


def record(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    event: LoanEvent,
    *,
    kind: str,
    amount: Decimal = Decimal(0),
    detail: dict[str, Any] | None = None,
    channel: str = "",
    reference: str | None = None,
    reverses: int | None = None,
    request_key: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
    day: date | None = None,
) -> EventOutcome:
    """Check ``event`` with the engine, append it, repost what changed, refresh the loan
    (``day``: the business date, read once for the whole command)."""
    day = day or command_day(uow, loan)
    with uow.session.no_autoflush:  # the loan's changes are written with the rest, at the end
        applied = engine_post(uow, loan, event, day=day)
        loan.last_sequence += 1
        values = event_values(
            actor,
            loan,
            kind=kind,
            value_date=event.value_date,
            amount=amount,
            detail=detail,
            channel=channel,
            reference=reference,
            reverses_event_id=reverses,
            request_key=request_key,
            payload=payload,
            now=now,
            day=day,
        )
        row, synced = record_event(uow, actor, loan, applied, values, now=now, day=day)
    return fresh_outcome(loan, row, applied, synced)


def fresh_outcome(
    loan: tables.Loan,
    row: dict[str, Any],
    applied: Applied,
    synced: dict[str, Any],
) -> EventOutcome:
    """The outcome of an event recorded in this command (nothing reversed it yet), from the
    rows staged for it (read as the stored rows are)."""
    view = None
    own = applied.own
    if own is not None:
        stored = synced[own.event_id]
        view = fresh_posting_view(own, stored.version, stored.vouchers, loan.currency)
    event = cast(tables.LoanEvent, SimpleNamespace(**row))
    return EventOutcome(loan_view(loan), event_view(event, loan.currency, frozenset()), view)


def money_in(payload: Payload) -> tuple[str, str | None, dict[str, Any]]:
    """The channel (checked), the external reference and the request (the payload without its
    idempotency key, as its digest is kept) of a command that brings money in."""
    channel = str(payload.get("channel") or "bank")
    if channel not in CHANNELS:
        raise ValidationFailed(
            "one of %(channels)s", field="channel", params={"channels": ", ".join(CHANNELS)}
        )
    reference = str(payload.get("external_reference") or "").strip() or None
    return channel, reference, {k: v for k, v in payload.items() if k != "request_key"}


def replayed(
    uow: UnitOfWork,
    loan: tables.Loan,
    payload: Payload,
    channel: str,
    reference: str | None,
    request: dict[str, Any],
) -> Done | None:
    """The outcome of the event this request (same key, or same channel and external reference)
    already made; None for a new request (another request under either is a ``Conflict``)."""
    found = existing_request(
        uow,
        loan,
        request_key=payload.get("request_key"),
        channel=channel,
        reference=reference,
        payload=request,
    )
    if found is None:
        return None
    return Done(
        entity_id=loan.id,
        value=outcome(uow, loan, found, replayed=True),
        change={"replayed_event": found.id},
    )


def _money_command(
    uow: UnitOfWork, actor: Principal, payload: Payload, *, kind: str, now: datetime
) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    channel, reference, request = money_in(payload)
    again = replayed(uow, loan, payload, channel, reference, request)
    if again is not None:
        return again
    require_serviceable(loan)
    # a prepayment of nothing pays out of the credit balance alone
    amount = amount_of(payload.get("amount"), loan.currency, zero=kind == "prepayment")
    today = command_day(uow, loan)
    day = value_date_of(payload.get("value_date"), today)
    seq, eid = next_engine_id(loan)
    detail: dict[str, Any] = {}
    event: LoanEvent
    if kind == "prepayment":
        mode = payload.get("mode") or None
        if mode is not None and mode not in tuple(PrepaymentMode):
            raise ValidationFailed("shorten_term or lower_installment", field="mode")
        fee = _prepayment_fee(uow, loan, payload.get("fee"), amount, day)
        detail = {"mode": mode, "fee": str(fee)}
        event = Prepayment(
            eid,
            day,
            seq,
            amount,
            mode=PrepaymentMode(mode) if mode else None,
            fee=fee,
            channel=channel,
            reference=reference or "",
        )
    else:
        event = Repayment(eid, day, seq, amount, channel=channel, reference=reference or "")
    done = record(
        uow,
        actor,
        loan,
        event,
        kind=kind,
        amount=amount,
        detail=detail,
        channel=channel,
        reference=reference,
        request_key=payload.get("request_key"),
        payload=request,
        now=now,
        day=today,
    )
    return Done(
        entity_id=loan.id,
        value=done,
        change={"event": done.event.id, "amount": str(amount), "kind": kind},
    )


def _prepayment_fee(
    uow: UnitOfWork, loan: tables.Loan, raw: Any, amount: Decimal, day: date
) -> Decimal:
    """The fee asked for, or (none asked for) the product's fee on this prepayment."""
    if raw not in (None, ""):
        try:
            return Decimal(str(raw))
        except ArithmeticError:
            raise ValidationFailed("must be an amount", field="fee") from None
    product = product_terms_of(loan.contract)
    if not product.prepayment_fees:
        return Decimal(0)
    contract, events = history(uow, loan)
    return fee_of_prepayment(product, position(contract, events, day), amount)


@command(
    REPAY,
    entity_type="loan",
    summary=lambda p: f"repay {p['amount']} on loan {p['loan_id']}",
    rule_in_lock=True,
)
def _repay(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    return _money_command(uow, actor, payload, kind=payload.get("kind") or "repayment", now=now)


def repay(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    value_date: date | None = None,
    channel: str = "bank",
    external_reference: str | None = None,
    request_key: str | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """A repayment allocated by the product's order; an overpayment is kept as credit."""
    payload = {
        "loan_id": loan_id,
        "amount": str(amount),
        "kind": "repayment",
        "value_date": value_date.isoformat() if value_date else None,
        "channel": channel,
        "external_reference": external_reference,
        "request_key": request_key,
    }
    return value_or_pending(run_command(uow, actor, REPAY, payload, now=now), EventOutcome)


def prepay(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    value_date: date | None = None,
    mode: str | None = None,
    fee: Decimal | str | None = None,
    channel: str = "bank",
    external_reference: str | None = None,
    request_key: str | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """提前还款: partial (the product's mode unless ``mode``) or, with the payoff quote's
    amount, full. ``fee`` None: the prepayment fee of the loan's product (its contract's
    terms) on what the payment prepays."""
    payload = {
        "loan_id": loan_id,
        "amount": str(amount),
        "kind": "prepayment",
        "value_date": value_date.isoformat() if value_date else None,
        "mode": mode,
        "fee": None if fee is None else str(fee),
        "channel": channel,
        "external_reference": external_reference,
        "request_key": request_key,
    }
    return value_or_pending(run_command(uow, actor, REPAY, payload, now=now), EventOutcome)


@command(
    "loans.refund",
    permission=REPAY,
    entity_type="loan",
    summary=lambda p: f"refund {p['amount']} of loan {p['loan_id']}",
    rule_in_lock=True,
)
def _refund(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    if loan.status == "written_off":
        raise RuleViolation("the loan is written off", code="loan_not_serviceable")
    amount = amount_of(payload.get("amount"), loan.currency)
    seq, eid = next_engine_id(loan)
    event = Refund(eid, business_date(uow, loan.company_id), seq, amount)
    done = record(uow, actor, loan, event, kind="refund", amount=amount, now=now)
    return Done(entity_id=loan.id, value=done, change={"refund": str(amount)})


def refund(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, amount: Decimal | str, now: datetime
) -> EventOutcome | Pending:
    """退款: pay back (part of) the credit balance."""
    payload = {"loan_id": loan_id, "amount": str(amount)}
    return value_or_pending(run_command(uow, actor, "loans.refund", payload, now=now), EventOutcome)


def preview(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    value_date: date | None = None,
    kind: str = "repayment",
) -> Posting | None:
    """The allocation a repayment would get (the engine's ``post`` without saving)."""
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    contract, events = history(uow, loan)
    today = business_date(uow, loan.company_id)
    day = value_date_of(value_date.isoformat() if value_date else None, today)
    value = amount_of(amount, loan.currency)
    seq, eid = next_engine_id(loan)
    event: LoanEvent = (
        Prepayment(eid, day, seq, value)
        if kind == "prepayment"
        else Repayment(eid, day, seq, value)
    )
    return post(contract, events, event, today).posting


def quote_payoff(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    as_of: date | None = None,
    prepayment_fee: Decimal | None = None,
) -> PayoffQuote:
    """提前结清 quote for ``as_of`` (default the business date; not before the last event), with
    ``prepayment_fee`` or (None) the fee of the loan's product on settling that day."""
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    contract, events = history(uow, loan)
    day = as_of or business_date(uow, loan.company_id)
    if day < loan.disbursement_date:
        raise ValidationFailed("is before the disbursement date", field="as_of")
    if prepayment_fee is None:
        product = product_terms_of(loan.contract)
        prepayment_fee = fee_of_payoff(product, position(contract, events, day))
    return payoff_quote(contract, events, day, prepayment_fee)

"""分次放款: a contracted loan paid out in tranches. The first disbursement creates the loan with
the first tranche (``disbursement.disburse(amount=...)``); each later tranche, up to the approved
amount, is the engine's ``Tranche`` event (the amount is spread over the installments not yet
due) with its own disbursement voucher (Dr 130301 / Cr 1002). Same command as the first
(``loans.disburse``): the payload names the loan instead of the application."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from microlend.db.commands import Done, Payload, Pending, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.money import minor_units_of
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.account import (
    business_date,
    existing_request,
    locked_loan,
    next_engine_id,
    require_serviceable,
)
from microlend.loans.engine import Tranche
from microlend.loans.records import TRANCHE, minor, money
from microlend.loans.views import EventOutcome
from microlend.origination.tables import Application

DISBURSE = "loans.disburse"


def first_tranche(raw: Any, approved: Decimal, currency: str) -> Decimal:
    """The amount of the first disbursement: ``raw`` (positive, at most ``approved``) or, when
    not given, the whole approved amount."""
    if raw in (None, ""):
        return approved
    amount = money(minor_units_of(str(raw), currency, field="amount"), currency)
    if amount <= 0:
        raise ValidationFailed("must be positive", field="amount")
    if amount > approved:
        raise ValidationFailed(
            "at most the approved %(approved)s", field="amount", params={"approved": approved}
        )
    return amount


def approved_amount(uow: UnitOfWork, loan: tables.Loan) -> Decimal:
    app = uow.session.get_one(Application, loan.application_id)
    return money(app.approved_amount_minor or app.amount_minor, loan.currency)


def undisbursed(uow: UnitOfWork, loan: tables.Loan) -> Decimal:
    """What later tranches may still pay out (approved amount less the principal paid out)."""
    return approved_amount(uow, loan) - money(loan.principal_minor, loan.currency)


def later_tranche(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    # imported here: repayments holds the shared event recorder and imports nothing of ours
    from microlend.loans.repayments import amount_of, outcome, record, value_date_of

    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    request = {k: v for k, v in payload.items() if k != "request_key"}
    found = existing_request(
        uow,
        loan,
        request_key=payload.get("request_key"),
        channel="tranche",
        reference=None,
        payload=request,
    )
    if found is not None:
        value = outcome(uow, loan, found, replayed=True)
        return Done(entity_id=loan.id, value=value, change={"replayed_event": found.id})
    require_serviceable(loan)
    amount = amount_of(payload.get("amount"), loan.currency)
    left = undisbursed(uow, loan)
    if amount > left:
        raise RuleViolation(
            "only %(left)s of the approved amount is left to disburse",
            code="tranche_over_approved",
            extra={"undisbursed": str(left)},
            params={"left": left},
        )
    day = value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
    seq, eid = next_engine_id(loan)
    loan.principal_minor += minor(amount, loan.currency)  # paid out so far
    done = record(
        uow,
        actor,
        loan,
        Tranche(eid, day, seq, amount=amount),
        kind=TRANCHE,
        amount=amount,
        detail={"paid_out": str(amount), "approved": str(approved_amount(uow, loan))},
        channel=str(payload.get("channel") or "bank"),
        request_key=payload.get("request_key"),
        payload=request,
        now=now,
    )
    return Done(
        entity_id=loan.id,
        value=done,
        change={"event": done.event.id, "tranche": str(amount)},
    )


def disburse_tranche(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    value_date: date | None = None,
    channel: str = "bank",
    request_key: str | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """Pay out a later tranche of ``loan_id`` (at most the approved amount not yet paid out)."""
    payload = {
        "loan_id": loan_id,
        "amount": str(amount),
        "value_date": value_date.isoformat() if value_date else None,
        "channel": channel,
        "request_key": request_key,
    }
    return value_or_pending(run_command(uow, actor, DISBURSE, payload, now=now), EventOutcome)

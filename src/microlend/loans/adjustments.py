"""减免 and 展期/重组: waivers of penalty, fee or interest, and reschedules (extend the term, add
grace, change rate or method, capitalise arrears; the loan is flagged restructured).

Both are maker-checker capable commands (``loans.waive``, ``loans.reschedule``): a company that
switches maker-checker on for them has every request approved by a checker before it posts. The
platform has no per-command default, so the switch is the company's (see docs/loan-servicing.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans.account import business_date, locked_loan, next_engine_id, require_serviceable
from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine import Reschedule, Waiver
from microlend.loans.records import reschedule_fields
from microlend.loans.repayments import amount_of, record, value_date_of
from microlend.loans.views import EventOutcome

WAIVE = "loans.waive"
RESCHEDULE = "loans.reschedule"
WAIVABLE = ("penalty", "fee", "interest")


@command(WAIVE, entity_type="loan", summary=lambda p: f"waive {p['amount']} {p['component']}")
def _waive(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]))
    require_serviceable(loan)
    component = str(payload.get("component"))
    if component not in WAIVABLE:
        raise ValidationFailed("penalty, fee or interest", field="component")
    amount = amount_of(payload.get("amount"), loan.currency)
    day = value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("say why it is waived", field="reason")
    seq, eid = next_engine_id(loan)
    event = Waiver(eid, day, seq, Component(component), amount)
    done = record(
        uow,
        actor,
        loan,
        event,
        kind="waiver",
        amount=amount,
        detail={"component": component, "reason": reason[:500]},
        now=now,
    )
    return Done(entity_id=loan.id, value=done, change={"waived": str(amount), "of": component})


def waive(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    component: str,
    amount: Decimal | str,
    reason: str,
    value_date: date | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    payload = {
        "loan_id": loan_id,
        "component": component,
        "amount": str(amount),
        "reason": reason,
        "value_date": value_date.isoformat() if value_date else None,
    }
    return value_or_pending(run_command(uow, actor, WAIVE, payload, now=now), EventOutcome)


def _reschedule_detail(payload: Payload) -> dict[str, Any]:
    try:
        term = int(payload.get("term") or 0)
    except (TypeError, ValueError):
        term = 0
    if not 1 <= term <= 360:
        raise ValidationFailed("1 to 360 installments", field="term")
    rate = payload.get("annual_rate")
    if rate not in (None, ""):
        try:
            if Decimal(str(rate)) < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            raise ValidationFailed("a non-negative percent", field="annual_rate") from None
    method = payload.get("method") or None
    if method is not None and method not in tuple(RepaymentMethod):
        raise ValidationFailed("a repayment method", field="method")
    detail = {
        "term": term,
        "annual_rate": str(rate) if rate not in (None, "") else None,
        "method": method,
        "first_due_date": payload.get("first_due_date") or None,
        "grace_principal_periods": int(payload.get("grace_principal_periods") or 0),
        "capitalise_arrears": bool(payload.get("capitalise_arrears")),
        "reason": str(payload.get("reason") or "")[:500],
    }
    try:
        reschedule_fields(detail)
    except ValueError:
        raise ValidationFailed("must be a date (YYYY-MM-DD)", field="first_due_date") from None
    return detail


@command(RESCHEDULE, entity_type="loan", summary=lambda p: f"reschedule loan {p['loan_id']}")
def _reschedule(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]))
    require_serviceable(loan)
    detail = _reschedule_detail(payload)
    day = value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
    seq, eid = next_engine_id(loan)
    event = Reschedule(eid, day, seq, **reschedule_fields(detail))
    done = record(uow, actor, loan, event, kind="reschedule", detail=detail, now=now)
    loan.restructured = True
    return Done(entity_id=loan.id, value=done, change={"reschedule": detail})


def reschedule(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    term: int,
    annual_rate: Decimal | str | None = None,
    method: str | None = None,
    first_due_date: date | None = None,
    grace_principal_periods: int = 0,
    capitalise_arrears: bool = False,
    reason: str = "",
    value_date: date | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """展期/重组 from ``value_date``: the principal not yet due over ``term`` new installments."""
    payload = {
        "loan_id": loan_id,
        "term": term,
        "annual_rate": str(annual_rate) if annual_rate is not None else None,
        "method": method,
        "first_due_date": first_due_date.isoformat() if first_due_date else None,
        "grace_principal_periods": grace_principal_periods,
        "capitalise_arrears": capitalise_arrears,
        "reason": reason,
        "value_date": value_date.isoformat() if value_date else None,
    }
    return value_or_pending(run_command(uow, actor, RESCHEDULE, payload, now=now), EventOutcome)

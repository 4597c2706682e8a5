"""减免 and 展期/重组: waivers of penalty, fee or interest, and reschedules (extend the term, add
grace, change rate or method, capitalise arrears; the loan is flagged restructured).

Both wait for a checker by default (``checked_by_default``): a request is stored as pending and
posts only when another user holding ``makerchecker.approve`` and the command's own permission
approves it (never its maker). An administrator may switch that off per company
(``/admin/maker-checker``). ``pending_requests`` lists what waits for one loan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from microlend.db.audit import Actor
from microlend.db.commands import (
    Done,
    Handler,
    Payload,
    Pending,
    audit_refusal,
    command,
    command_spec,
    registered_commands,
    run_command,
    value_or_pending,
)
from microlend.db.makerchecker import PendingView, pending_about
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, RuleViolation, ValidationFailed
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.account import business_date, locked_loan, next_engine_id, require_serviceable
from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.contract_document import product_terms_of
from microlend.loans.engine import Reschedule, Waiver
from microlend.loans.queries import get_loan
from microlend.loans.records import reschedule_fields
from microlend.loans.repayments import amount_of, record, value_date_of
from microlend.loans.views import EventOutcome

WAIVE = "loans.waive"
RESCHEDULE = "loans.reschedule"
WAIVABLE = ("penalty", "fee", "interest")


def loan_request(
    name: str, summary: Callable[[Payload], str], *, permission: str | None = None
) -> Callable[[Handler], Handler]:
    """Register a loan command that waits for a checker unless the company switched that off
    (waivers, reschedules, write-offs, classification adjustments); its permission is its name
    unless given."""
    return command(
        name,
        entity_type="loan",
        permission=permission,
        summary=summary,
        checked_by_default=True,
    )


def submit_request(
    uow: UnitOfWork,
    actor: Principal,
    name: str,
    payload: Payload,
    check: Callable[[tables.Loan], object],
    *,
    now: datetime,
) -> Done | Pending:
    """Run loan command ``name``, or store it for a checker. A maker who may give it has the
    request checked first (``check`` on the loan, which must be open and in their scope, and
    its value date, if it has one, not after the business date), so that a mistake is refused
    now, audited, rather than when a checker approves it."""
    permission = command_spec(name).permission
    if permission is not None and actor.can(permission):
        try:
            loan = get_scoped(uow.session, actor, tables.Loan, int(payload["loan_id"]))
            require_serviceable(loan)
            check(loan)
            value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
        except DomainError as error:
            audit_refusal(uow, Actor.of(actor), name, digest(payload), error, now=now)
            raise
    return run_command(uow, actor, name, payload, now=now)


def _waiver(payload: Payload, currency: str) -> tuple[str, Decimal, str]:
    """The component, amount and reason of a waiver request."""
    component = str(payload.get("component"))
    if component not in WAIVABLE:
        raise ValidationFailed("penalty, fee or interest", field="component")
    amount = amount_of(payload.get("amount"), currency)
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("say why it is waived", field="reason")
    return component, amount, reason


@loan_request(WAIVE, lambda p: f"waive {p['amount']} {p['component']} on loan {p['loan_id']}")
def _waive(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    require_serviceable(loan)
    component, amount, reason = _waiver(payload, loan.currency)
    day = value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
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
    outcome = submit_request(
        uow, actor, WAIVE, payload, lambda loan: _waiver(payload, loan.currency), now=now
    )
    return value_or_pending(outcome, EventOutcome)


def _count(payload: Payload, name: str) -> int:
    try:
        return int(payload.get(name) or 0)
    except (TypeError, ValueError):
        return -1


def _reschedule_detail(payload: Payload, loan: tables.Loan) -> dict[str, Any]:
    """The reschedule asked for, checked: a new rate may be lower than the product's lowest (a
    concession to a borrower in difficulty), never higher than its highest, which keeps the
    loan within the APR cap the product was checked against."""
    term = _count(payload, "term")
    if not 1 <= term <= 360:
        raise ValidationFailed("1 to 360 installments", field="term")
    grace = _count(payload, "grace_principal_periods")
    if not 0 <= grace < term:
        raise ValidationFailed(
            "0 or more, fewer than the installments", field="grace_principal_periods"
        )
    rate = payload.get("annual_rate")
    if rate not in (None, ""):
        try:
            value = Decimal(str(rate))
            if value < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            raise ValidationFailed("a non-negative percent", field="annual_rate") from None
        highest = product_terms_of(loan.contract).max_rate
        if value > highest:
            raise RuleViolation(
                "above the product's highest rate of %(rate)s%%",
                code="rate_above_product",
                field="annual_rate",
                params={"rate": highest},
            )
    method = payload.get("method") or None
    if method is not None and method not in tuple(RepaymentMethod):
        raise ValidationFailed("a repayment method", field="method")
    reason = str(payload.get("reason") or "").strip()
    if not reason:  # a restructuring is explained in its file (classification reads it)
        raise ValidationFailed("say why the loan is rescheduled", field="reason")
    detail = {
        "term": term,
        "annual_rate": str(rate) if rate not in (None, "") else None,
        "method": method,
        "first_due_date": payload.get("first_due_date") or None,
        "grace_principal_periods": grace,
        "capitalise_arrears": bool(payload.get("capitalise_arrears")),
        "reason": reason[:500],
    }
    try:
        reschedule_fields(detail)
    except ValueError:
        raise ValidationFailed("must be a date (YYYY-MM-DD)", field="first_due_date") from None
    return detail


@loan_request(RESCHEDULE, lambda p: f"reschedule loan {p['loan_id']} over {p['term']} installments")
def _reschedule(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    require_serviceable(loan)
    detail = _reschedule_detail(payload, loan)
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
    outcome = submit_request(
        uow, actor, RESCHEDULE, payload, lambda loan: _reschedule_detail(payload, loan), now=now
    )
    return value_or_pending(outcome, EventOutcome)


def pending_requests(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[PendingView]:
    """The loan's requests waiting for a checker: waivers, reschedules and write-offs by default,
    and any other loan command the company has switched maker-checker on for."""
    get_loan(uow, actor, loan_id=loan_id)  # loans.view, in the actor's scope
    names = [name for name in registered_commands() if name.startswith("loans.")]
    return pending_about(uow, actor, commands=names, key="loan_id", value=loan_id)

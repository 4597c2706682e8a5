"""宣布提前到期: the lender calls a loan due when the borrower broke the contract (the funds
misused, payments stopped, a lie found out). On the value date (the business date unless
back-dated) the interest of the current period accrued to it and all the principal not yet due
fall due, and the installments after it are gone (``engine.Acceleration``). Nothing moves in the
ledger then: the interest was accrued night by night, and close of business moves the principal
past due to 130302 and charges penalty on it from the next night, as on any installment.

Like a reschedule it changes the contract's course, so it waits for a checker unless the company
switched that off; the manager asks for it (``loans.accelerate``). It says why. The loan is not
marked restructured; a reschedule afterwards (capitalising the arrears) is how a called loan is
worked out.
"""

from __future__ import annotations

from datetime import date, datetime

from microlend.db.commands import Done, Payload, Pending, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans.account import business_date, locked_loan, next_engine_id, require_serviceable
from microlend.loans.adjustments import loan_request, submit_request
from microlend.loans.engine import Acceleration
from microlend.loans.records import ACCELERATION
from microlend.loans.repayments import record, value_date_of
from microlend.loans.views import EventOutcome

ACCELERATE = "loans.accelerate"


def _reason(payload: Payload) -> str:
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("say why the loan is called due", field="reason")
    return reason[:500]


@loan_request(ACCELERATE, lambda p: f"call loan {p['loan_id']} due")
def _accelerate(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    require_serviceable(loan)
    reason = _reason(payload)
    day = value_date_of(payload.get("value_date"), business_date(uow, loan.company_id))
    seq, eid = next_engine_id(loan)
    done = record(
        uow,
        actor,
        loan,
        Acceleration(eid, day, seq),
        kind=ACCELERATION,
        detail={"reason": reason},
        now=now,
    )
    return Done(entity_id=loan.id, value=done, change={"called_due_on": day.isoformat()})


def accelerate(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    reason: str,
    value_date: date | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """Call the loan due on ``value_date`` (the business date if none), for ``reason``."""
    payload = {
        "loan_id": loan_id,
        "reason": reason,
        "value_date": value_date.isoformat() if value_date else None,
    }
    outcome = submit_request(
        uow, actor, ACCELERATE, payload, lambda _loan: _reason(payload), now=now
    )
    return value_or_pending(outcome, EventOutcome)

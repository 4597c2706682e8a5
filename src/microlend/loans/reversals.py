"""冲正: a loan event taken back. A repayment, prepayment, refund or waiver is taken out of the
engine's history (later postings are replayed and reposted); a recovery after a write-off, which
the engine does not replay, has its voucher reversed and gives back the principal it recovered
and the interest it took off the memorandum (``writeoffs.reverse_recovery``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.account import business_date, locked_loan, next_engine_id
from microlend.loans.engine import Reversal
from microlend.loans.records import RECOVERY, engine_id
from microlend.loans.repayments import MONEY_KINDS, outcome, record
from microlend.loans.views import EventOutcome
from microlend.loans.writeoffs import reverse_recovery

REVERSE = "loans.repayment.reverse"
REVERSIBLE = (*MONEY_KINDS, "refund", "waiver", RECOVERY)


@command(
    REVERSE,
    entity_type="loan",
    summary=lambda p: f"reverse event {p['event_id']}",
    rule_in_lock=True,
)
def _reverse(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    reason = str(payload.get("reason") or "").strip()[:500]
    if not reason:  # before the lock, which may hold the request for a checker
        raise ValidationFailed("say why the transaction is reversed", field="reason")
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    target = uow.session.get(tables.LoanEvent, int(payload["event_id"]))
    if target is None or target.loan_id != loan.id:
        raise ValidationFailed("no such event on this loan", field="event_id")
    if target.kind not in REVERSIBLE:
        raise RuleViolation(
            "a %(kind)s is not reversed here", code="not_reversible", params={"kind": target.kind}
        )
    if uow.session.scalar(
        select(tables.LoanEvent.id).where(tables.LoanEvent.reverses_event_id == target.id)
    ):
        raise Conflict("the event is already reversed", code="already_reversed")
    change = {"reversed": target.id}
    if target.kind == RECOVERY:
        row = reverse_recovery(uow, actor, loan, target, reason=reason, now=now)
        return Done(entity_id=loan.id, value=outcome(uow, loan, row), change=change)
    if loan.status == "written_off":
        raise RuleViolation("the loan is written off", code="loan_not_serviceable")
    today = business_date(uow, loan.company_id)
    seq, eid = next_engine_id(loan)
    event = Reversal(eid, today, seq, target_id=engine_id(target.sequence))
    done = record(
        uow, actor, loan, event, kind="reversal", reverses=target.id, detail={"reason": reason},
        now=now,
    )  # fmt: skip
    return Done(entity_id=loan.id, value=done, change=change)


def reverse(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    event_id: int,
    reason: str,
    now: datetime,
) -> EventOutcome | Pending:
    """冲正, for the ``reason`` given: the event is taken out of the history; later postings are
    replayed and reposted."""
    payload = {"loan_id": loan_id, "event_id": event_id, "reason": reason}
    return value_or_pending(run_command(uow, actor, REVERSE, payload, now=now), EventOutcome)

"""核销 and recovery: a write-off takes the loan's principal off the balance sheet against the
loan loss provision (1304), reverses the booked interest from income and keeps it off balance
(7001/7002, ``loans.off_balance_interest_minor``), and clears booked fees and penalty (as a waiver
voucher). The allowance close of business set for the loan is used up there and then: what it
lacks of the principal is provided (补提, Dr 6702 / Cr 1304), what it holds beyond is released,
so that 1304 equals the allowance of the loans still on the books at once, not after the next
close. Money recovered after that is principal (back to 1304, and released from it at once:
Dr 1304 / Cr 6702) up to what was written off, then interest income, which takes the interest
kept off balance out of the memorandum accounts.

A write-off waits for a checker by default (``checked_by_default``): taking a loan off the balance
sheet is the decision a small-loan company never leaves to one person (核销 goes to the manager
or the committee). A recovery does not: it books money that has arrived at the bank, like a
repayment (permission ``loans.repay``); holding it back would leave received cash unbooked, and
the bank statement is its second pair of eyes. A company may switch either rule."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.account import append_event, business_date, locked_loan, require_serviceable
from microlend.loans.account_store import loan_event
from microlend.loans.adjustments import loan_request, submit_request
from microlend.loans.ledger_roles import OFF_BALANCE, ensure_loan_rules, take_off_balance
from microlend.loans.records import RECOVERY, WRITE_OFF, minor, money
from microlend.loans.repayments import amount_of, money_in, outcome, replayed
from microlend.loans.tables_close import LoanRisk
from microlend.loans.views import EventOutcome

WRITE_OFF_CODE = "loans.writeoff"
RECOVER = "loans.recover"


def _post(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    *,
    type_: str,
    amounts: dict[str, Decimal],
    key: str,
    summary: str,
    now: datetime,
) -> dict[str, str]:
    kept = {role: amount for role, amount in amounts.items() if amount > 0}
    if not kept:
        return {}
    ledger.post(
        uow,
        actor,
        event=loan_event(loan, type_, kept, key, business_date(uow, loan.company_id), summary),
        now=now,
    )
    return {role: str(amount) for role, amount in kept.items()}


def _writable_off(loan: tables.Loan, payload: Payload) -> str:
    """The reason of a write-off of ``loan``, which must owe principal and hold no credit balance
    (the borrower's money, a liability that would stay in 224101 with no way to refund it)."""
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("say why the loan is written off", field="reason")
    if loan.outstanding_principal_minor <= 0:
        raise RuleViolation("no principal is outstanding", code="nothing_to_write_off")
    if loan.credit_balance_minor > 0:
        raise RuleViolation(
            "the loan holds a credit balance of %(amount)s: refund it first",
            code="credit_balance_held",
            params={"amount": str(money(loan.credit_balance_minor, loan.currency))},
        )
    return reason


def _add_posting(
    uow: UnitOfWork,
    loan: tables.Loan,
    row: tables.LoanEvent,
    *,
    cash_in_minor: int,
    vouchers: dict[str, dict[str, str]],
    now: datetime,
) -> None:
    """The posting of a write-off or a recovery: no allocation lines, only its vouchers."""
    uow.session.add(
        tables.LoanPosting(
            company_id=loan.company_id,
            loan_id=loan.id,
            posting_id=f"e{row.sequence}",
            kind=row.kind,
            value_date=row.value_date,
            version=1,
            cash_in_minor=cash_in_minor,
            cash_out_minor=0,
            credit_change_minor=0,
            lines=[],
            vouchers=vouchers,
            updated_at=now,
        )
    )


def _allowance_used(uow: UnitOfWork, loan: tables.Loan) -> Decimal:
    """The allowance close of business last set for ``loan`` (its risk row; none before its
    first classification), which the write-off uses up: the row keeps no exposure and no
    allowance from now on, as the next close of business would leave it."""
    risk = uow.session.get(LoanRisk, loan.id, with_for_update=True)
    if risk is None:
        return Decimal(0)
    held = money(risk.allowance_minor, loan.currency)
    risk.allowance_minor = risk.exposure_minor = 0
    return held


@loan_request(WRITE_OFF_CODE, lambda p: f"write off loan {p['loan_id']}")
def _write_off(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    require_serviceable(loan)
    reason = _writable_off(loan, payload)
    cur = loan.currency
    principal = money(loan.outstanding_principal_minor, cur)
    overdue = min(money(loan.booked_overdue_principal_minor, cur), principal)
    interest = money(loan.booked_interest_minor, cur)
    day = business_date(uow, loan.company_id)
    row = append_event(
        uow,
        actor,
        loan,
        kind=WRITE_OFF,
        value_date=day,
        amount=principal,
        detail={"reason": reason[:500], "interest": str(interest)},
        now=now,
        day=day,
    )
    key = f"loan:{loan.id}:e{row.sequence}:v1"
    vouchers = {
        key: _post(
            uow,
            actor,
            loan,
            type_="write_off",
            key=key,
            summary=f"核销 {loan.number}",
            now=now,
            amounts={
                "principal": principal - overdue,
                "principal_overdue": overdue,
                "interest": interest,
                "interest_off_balance": interest,
            },
        )
    }
    clear = {
        "fee": money(loan.booked_fee_minor, cur),
        "penalty": money(loan.booked_penalty_minor, cur),
    }
    if any(v > 0 for v in clear.values()):
        vouchers[key + ":1"] = _post(
            uow,
            actor,
            loan,
            type_="waiver",
            key=key + ":1",
            summary=f"核销 {loan.number} 费用罚息",
            amounts=clear,
            now=now,
        )
    gap = principal - _allowance_used(uow, loan)
    if gap:  # the allowance made up to the principal written off: the loss is all provided for
        vouchers[key + ":2"] = _post(
            uow,
            actor,
            loan,
            type_="provision" if gap > 0 else "provision_release",
            key=key + ":2",
            summary=f"核销 {loan.number} 补提准备" if gap > 0 else f"核销 {loan.number} 冲回准备",
            amounts={"provision": abs(gap)},
            now=now,
        )
    _add_posting(uow, loan, row, cash_in_minor=0, vouchers=vouchers, now=now)
    loan.written_off_minor = minor(principal, cur)
    loan.off_balance_interest_minor += minor(interest, cur)
    loan.booked_interest_minor = loan.booked_fee_minor = loan.booked_penalty_minor = 0
    loan.booked_overdue_principal_minor = 0
    loan.status = "written_off"
    loan.row_version += 1
    loan.updated_at = now
    uow.session.flush()
    return Done(
        entity_id=loan.id, value=outcome(uow, loan, row), change={"written_off": str(principal)}
    )


def write_off(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, reason: str, now: datetime
) -> EventOutcome | Pending:
    """核销: waits for a checker unless the company switched that off."""
    payload = {"loan_id": loan_id, "reason": reason}
    outcome = submit_request(
        uow, actor, WRITE_OFF_CODE, payload, lambda loan: _writable_off(loan, payload), now=now
    )
    return value_or_pending(outcome, EventOutcome)


@command(
    RECOVER,
    permission="loans.repay",
    entity_type="loan",
    summary=lambda p: f"recovery {p['amount']} on loan {p['loan_id']}",
)
def _recover(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    channel, reference, request = money_in(payload)
    again = replayed(uow, loan, payload, channel, reference, request)
    if again is not None:  # the bank's reference (or the request's key) seen before
        return again
    if loan.status != "written_off":
        raise RuleViolation("only a written-off loan has recoveries", code="not_written_off")
    amount = amount_of(payload.get("amount"), loan.currency)
    left = money(loan.written_off_minor - loan.recovered_minor, loan.currency)
    principal = min(left, amount)
    day = business_date(uow, loan.company_id)
    row = append_event(
        uow,
        actor,
        loan,
        kind=RECOVERY,
        value_date=day,
        amount=amount,
        channel=channel,
        reference=reference,
        request_key=payload.get("request_key"),
        payload=request,
        detail={"principal": str(principal)},
        now=now,
        day=day,
    )
    key = f"loan:{loan.id}:e{row.sequence}:v1"
    amounts = {"principal": principal, "interest": amount - principal}
    if loan.off_balance_interest_minor:  # interest recovered comes out of the memorandum
        ensure_loan_rules(uow, company_id=loan.company_id, now=now)
        take_off_balance(loan, amount - principal, amounts)
    roles = _post(
        uow,
        actor,
        loan,
        type_="recovery",
        key=key,
        summary=f"核销后收回 {loan.number}",
        amounts=amounts,
        now=now,
    )
    vouchers = {key: roles}
    if principal > 0:  # a written-off loan carries no allowance: what came back to 1304 leaves
        vouchers[key + ":1"] = _post(
            uow,
            actor,
            loan,
            type_="provision_release",
            key=key + ":1",
            summary=f"核销后收回 {loan.number} 冲回准备",
            amounts={"provision": principal},
            now=now,
        )
    cash_in = minor(amount, loan.currency)
    _add_posting(uow, loan, row, cash_in_minor=cash_in, vouchers=vouchers, now=now)
    loan.recovered_minor += minor(principal, loan.currency)
    loan.row_version += 1
    loan.updated_at = now
    uow.session.flush()
    return Done(entity_id=loan.id, value=outcome(uow, loan, row), change={"recovered": str(amount)})


def reverse_recovery(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    target: tables.LoanEvent,
    *,
    reason: str,
    now: datetime,
) -> tables.LoanEvent:
    """A recovery taken back (the transfer returned, an amount keyed wrong): its voucher is
    reversed, the principal it recovered and the interest it took off the memorandum are given
    back, and its posting goes (as a reversed repayment's does). The reversal event is returned."""
    cur, day = loan.currency, business_date(uow, loan.company_id)
    posting = uow.session.scalars(
        select(tables.LoanPosting).where(
            tables.LoanPosting.loan_id == loan.id,
            tables.LoanPosting.posting_id == f"e{target.sequence}",
        )
    ).one()
    row = append_event(
        uow,
        actor,
        loan,
        kind="reversal",
        value_date=day,
        reverses_event_id=target.id,
        detail={"reason": reason},
        now=now,
        day=day,
    )
    for key, roles in posting.vouchers.items():
        ledger.reverse_event(
            uow,
            actor,
            company_id=loan.company_id,
            idempotency_key=key,
            business_date=day,
            reason=f"{loan.number} 冲正",
            now=now,
        )
        loan.recovered_minor -= minor(Decimal(roles.get("principal", "0")), cur)
        loan.off_balance_interest_minor += minor(Decimal(roles.get(OFF_BALANCE, "0")), cur)
    uow.session.delete(posting)
    loan.row_version += 1
    loan.updated_at = now
    uow.session.flush()
    return row


def recover(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    channel: str = "bank",
    external_reference: str | None = None,
    request_key: str | None = None,
    now: datetime,
) -> EventOutcome | Pending:
    """核销后收回; a request sent again (same key, or same channel and external reference) is
    answered with the recovery it made."""
    payload = {
        "loan_id": loan_id,
        "amount": str(amount),
        "channel": channel,
        "external_reference": external_reference,
        "request_key": request_key,
    }
    return value_or_pending(run_command(uow, actor, RECOVER, payload, now=now), EventOutcome)

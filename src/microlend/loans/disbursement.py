"""放款: a contracted application becomes a loan; its schedule is built once from the loan's own
copy of the terms; the disbursement voucher posts (principal to 130301, the upfront fee deducted
or collected as fee income); the application moves contracted -> disbursed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.account import business_date, refresh
from microlend.loans.contract_document import contract_document
from microlend.loans.engine import replay
from microlend.loans.ledger_roles import ensure_loan_rules
from microlend.loans.payee import payee_of
from microlend.loans.records import DISBURSEMENT, minor, money
from microlend.loans.tranches import first_tranche, later_tranche
from microlend.loans.views import LoanView, loan_view
from microlend.origination import model as origination_model
from microlend.origination.records import move, next_number
from microlend.origination.tables import Application, Contract
from microlend.products.schemas import terms_from_document
from microlend.products.tables import Product, ProductVersion

DISBURSE = "loans.disburse"
LOAN_PREFIX = "DK"  # 贷款


def _date(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("must be a date (YYYY-MM-DD)", field=name) from None


@command(
    DISBURSE, entity_type="loan", summary=lambda p: f"disburse application {p['application_id']}"
)
def _disburse(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    if payload.get("loan_id") is not None:
        return later_tranche(uow, actor, payload, now=now)
    app = get_scoped(uow.session, actor, Application, int(payload["application_id"]))
    app = uow.session.scalars(
        select(Application).where(Application.id == app.id).with_for_update()
    ).one()
    origination_model.require_status(
        app.status, {origination_model.Status.CONTRACTED}, doing="disburse"
    )
    if uow.session.scalar(select(tables.Loan.id).where(tables.Loan.application_id == app.id)):
        raise Conflict("the application is already disbursed", code="already_disbursed")
    today = business_date(uow, app.company_id)
    on = _date(payload.get("disbursement_date"), "disbursement_date") or today
    if on > today:
        raise ValidationFailed("is after the business date", field="disbursement_date")
    payee = payee_of(uow.session, app.customer_id, payload)
    contract_row = uow.session.scalars(
        select(Contract).where(Contract.application_id == app.id)
    ).one_or_none()
    version = uow.session.get_one(ProductVersion, app.product_version_id)
    product = uow.session.get_one(Product, version.product_id)
    terms = terms_from_document(version.terms)
    approved = money(app.approved_amount_minor or app.amount_minor, app.currency)
    amount = first_tranche(payload.get("amount"), approved, app.currency)
    first_due = _date(payload.get("first_due_date"), "first_due_date")
    if first_due is None and contract_row is not None and contract_row.first_due_date > on:
        first_due = contract_row.first_due_date if contract_row.disbursement_date == on else None
    document, contract = contract_document(
        terms,
        amount=amount,
        term_count=app.approved_term_count or app.term_count,
        annual_rate=app.approved_annual_rate
        if app.approved_annual_rate is not None
        else app.annual_rate,
        method=app.method,
        disbursement_date=on,
        first_due_date=first_due,
    )
    schedule = contract.schedule
    year = on.year
    number = origination_model.formatted_number(
        LOAN_PREFIX, year, next_number(uow, company_id=app.company_id, kind="loan", year=year)
    )
    loan = tables.Loan(
        company_id=app.company_id,
        office_id=app.office_id,
        owner_id=app.owner_id,
        customer_id=app.customer_id,
        application_id=app.id,
        product_version_id=app.product_version_id,
        product_code=product.code,
        number=number,
        contract_number=contract_row.number if contract_row else "",
        currency=app.currency,
        principal_minor=minor(amount, app.currency),
        annual_rate=contract.terms.annual_rate,
        term_count=contract.terms.term,
        method=str(contract.terms.method),
        disbursement_date=on,
        first_due_date=schedule.installments[0].due_date,
        maturity_date=schedule.installments[-1].due_date,
        upfront_fee_minor=minor(schedule.upfront_fee, app.currency),
        payee=payee.kind,
        payee_name=payee.name,
        payee_account=payee.account,
        contract=document,
        status="active",
        restructured=False,
        purpose=app.purpose,
        fund_usage_deadline=on + timedelta(days=terms.fund_usage_days),
        fund_usage_status="unverified",
        position_as_of=on,
        last_sequence=0,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(loan)
    uow.session.flush()
    fee_mode = str(payload.get("fee_mode") or "deducted")
    if fee_mode not in ("deducted", "collected"):
        raise ValidationFailed("deducted or collected", field="fee_mode")
    net = amount - schedule.upfront_fee if fee_mode == "deducted" else amount
    loan.last_sequence = 1
    uow.session.add(
        tables.LoanEvent(
            company_id=loan.company_id,
            loan_id=loan.id,
            sequence=1,
            kind=DISBURSEMENT,
            value_date=on,
            business_date=today,
            amount_minor=loan.principal_minor,
            detail={
                "paid_out": str(net),
                "upfront_fee": str(schedule.upfront_fee),
                "fee_mode": fee_mode,
                "payee": payee.kind,
                "payee_name": loan.payee_name,
            },
            channel=str(payload.get("channel") or "bank"),
            created_by=actor.user_id,
            created_at=now,
        )
    )
    ensure_loan_rules(uow, company_id=loan.company_id, now=now)
    amounts = {"principal": amount}
    if schedule.upfront_fee > 0:
        amounts["upfront_fee"] = schedule.upfront_fee
    key = f"loan:{loan.id}:disbursement"
    ledger.post(
        uow,
        actor,
        event=ledger.LedgerEvent(
            type="disbursement",
            company_id=loan.company_id,
            office_id=loan.office_id,
            business_date=today,
            amounts=amounts,
            idempotency_key=key,
            currency=loan.currency,
            summary=f"放款 {loan.number}",
            dims=ledger.Dims(
                product_code=loan.product_code, loan_id=loan.id, customer_id=loan.customer_id
            ),
        ),
        now=now,
    )
    uow.session.add(
        tables.LoanPosting(
            company_id=loan.company_id,
            loan_id=loan.id,
            posting_id="disbursement",
            kind=DISBURSEMENT,
            value_date=on,
            version=1,
            cash_in_minor=0,
            cash_out_minor=minor(net, loan.currency),
            credit_change_minor=0,
            lines=[],
            vouchers={key: {k: str(v) for k, v in amounts.items()}},
            updated_at=now,
        )
    )
    move(
        uow,
        app,
        origination_model.Action.DISBURSE,
        actor_id=actor.user_id,
        now=now,
        note=number,
    )
    refresh(uow, loan, replay(contract, [], today), now=now)
    return Done(
        entity_id=loan.id,
        value=loan_view(loan),
        change={"number": number, "principal": str(amount), "paid_out": str(net)},
    )


def disburse(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    disbursement_date: date | None = None,
    first_due_date: date | None = None,
    payee: str = "borrower",
    payee_name: str = "",
    payee_account: str = "",
    payee_account_id: int | str | None = None,
    fee_mode: str = "deducted",
    channel: str = "bank",
    amount: Decimal | str | None = None,
    now: datetime,
) -> LoanView | Pending:
    """Disburse a contracted application in full, or its first tranche (``amount`` below the
    approved amount; later tranches: ``tranches.disburse_tranche``). ``payee`` ``seller`` for
    受托支付; the borrower's account is one of its registered accounts (``payee_account_id``, or
    its number as ``payee_account``: ``loans.payee``)."""
    payload = {
        "application_id": application_id,
        "disbursement_date": disbursement_date.isoformat() if disbursement_date else None,
        "first_due_date": first_due_date.isoformat() if first_due_date else None,
        "payee": payee,
        "payee_name": payee_name,
        "payee_account": payee_account,
        "payee_account_id": payee_account_id,
        "fee_mode": fee_mode,
        "channel": channel,
    }
    if amount is not None and str(amount).strip():
        payload["amount"] = str(amount)
    return value_or_pending(run_command(uow, actor, DISBURSE, payload, now=now), LoanView)

"""资金用途: usage records against the disbursed amount, with evidence (invoices, photos) in the
shared document store. Prohibited categories (securities, real-estate speculation, ...) mark the
loan ``misused``; otherwise the loan is ``unverified`` (no evidenced record), ``partially``
or ``fully`` verified by the evidenced amount against what the borrower received (the principal
paid out, less an upfront fee deducted from it: ``paid_out_minor``). Risk warnings read
``loans.fund_usage_status`` and ``fund_usage_deadline``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, locked_loan
from microlend.loans.records import DISBURSEMENT, minor, money
from microlend.loans.repayments import amount_of
from microlend.loans.views import FundUsageView

RECORD = "loans.fund_usage.record"
CATEGORIES = (
    "inventory",
    "equipment",
    "operating",
    "wages",
    "rent",
    "consumption",
    "education",
    "medical",
    "housing_decoration",
    "other",
)
PROHIBITED = (
    "securities",
    "futures",
    "real_estate_speculation",
    "equity_investment",
    "lending_on",
    "gambling",
)
STATUSES = ("unverified", "partially_verified", "fully_verified", "misused")


def usage_view(row: tables.FundUsage, currency: str) -> FundUsageView:
    return FundUsageView(
        row.id,
        row.loan_id,
        money(row.amount_minor, currency),
        row.used_on,
        row.counterparty,
        row.category,
        row.description,
        row.prohibited,
        row.document_hash,
        row.document_name,
    )


def paid_out_minor(uow: UnitOfWork, loan: tables.Loan) -> int:
    """What the borrower received: the principal paid out (every tranche), less the upfront fee
    when it was deducted from the payout; a fee collected apart left the principal whole."""
    detail = uow.session.scalar(
        select(tables.LoanEvent.detail).where(
            tables.LoanEvent.loan_id == loan.id, tables.LoanEvent.kind == DISBURSEMENT
        )
    )
    deducted = (detail or {}).get("fee_mode", "deducted") == "deducted"
    return loan.principal_minor - (loan.upfront_fee_minor if deducted else 0)


def _evidenced_minor(rows: list[tables.FundUsage]) -> int:
    """What the records with evidence account for (minor units)."""
    return sum(row.amount_minor for row in rows if row.document_hash)


def _usages(uow: UnitOfWork, loan: tables.Loan) -> list[tables.FundUsage]:
    stmt = select(tables.FundUsage).where(tables.FundUsage.loan_id == loan.id)
    return list(uow.session.scalars(stmt).all())


def usage_status(rows: list[tables.FundUsage], paid_out: int) -> str:
    """The loan's usage status from its records, ``paid_out`` (minor units) to evidence."""
    if any(row.prohibited for row in rows):
        return "misused"
    evidenced = _evidenced_minor(rows)
    if evidenced <= 0:
        return "unverified"
    return "fully_verified" if evidenced >= paid_out else "partially_verified"


def usage_evidence(uow: UnitOfWork, loan: tables.Loan) -> tuple[Decimal, Decimal]:
    """(what the evidenced records account for, what the borrower received): the two amounts
    the status compares (the loan was read in scope)."""
    currency = loan.currency
    evidenced = _evidenced_minor(_usages(uow, loan))
    return money(evidenced, currency), money(paid_out_minor(uow, loan), currency)


@command(
    RECORD,
    entity_type="loan",
    summary=lambda p: f"fund usage on loan {p['loan_id']}",
    hidden_fields=frozenset({"content"}),
)
def _record(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    if loan.status in ("approved_not_disbursed",):
        raise RuleViolation("the loan is not disbursed", code="not_disbursed")
    amount = amount_of(payload.get("amount"), loan.currency)
    try:
        used_on = date.fromisoformat(str(payload.get("used_on")))
    except ValueError:
        raise ValidationFailed("must be a date (YYYY-MM-DD)", field="used_on") from None
    if used_on < loan.disbursement_date or used_on > business_date(uow, loan.company_id):
        raise ValidationFailed("between the disbursement and the business date", field="used_on")
    category = str(payload.get("category") or "")
    if category not in CATEGORIES + PROHIBITED:
        raise ValidationFailed("a known category", field="category")
    counterparty = str(payload.get("counterparty") or "").strip()
    if not counterparty:
        raise ValidationFailed("who was paid", field="counterparty")
    content_hash = payload.get("document_hash") or None
    row = tables.FundUsage(
        company_id=loan.company_id,
        office_id=loan.office_id,
        loan_id=loan.id,
        amount_minor=minor(amount, loan.currency),
        used_on=used_on,
        counterparty=counterparty[:200],
        category=category,
        description=str(payload.get("description") or "")[:2000],
        prohibited=category in PROHIBITED,
        verified=content_hash is not None,
        document_hash=content_hash,
        document_name=payload.get("document_name") or None,
        created_by=actor.user_id,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    loan.fund_usage_status = usage_status(_usages(uow, loan), paid_out_minor(uow, loan))
    loan.row_version += 1
    loan.updated_at = now
    return Done(
        entity_id=loan.id,
        value=usage_view(row, loan.currency),
        change={"usage": row.id, "status": loan.fund_usage_status},
    )


def record_usage(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    amount: Decimal | str,
    used_on: date,
    counterparty: str,
    category: str,
    description: str = "",
    evidence: bytes | None = None,
    evidence_name: str | None = None,
    now: datetime,
) -> FundUsageView | Pending:
    """A usage record; ``evidence`` (the file) is kept once by its hash in the document store."""
    content_hash = documents.store(evidence) if evidence else None
    payload = {
        "loan_id": loan_id,
        "amount": str(amount),
        "used_on": used_on.isoformat(),
        "counterparty": counterparty,
        "category": category,
        "description": description,
        "document_hash": content_hash,
        "document_name": evidence_name,
    }
    return value_or_pending(run_command(uow, actor, RECORD, payload, now=now), FundUsageView)


def stored_evidence(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The usage records' evidence of the actor's companies, as the document store checks it."""
    require(actor, "loans.view")
    return documents.stored_in(
        uow.session,
        "fund usage evidence",
        tables.FundUsage,
        actor.company_ids,
        hash_column="document_hash",
        sized=False,
    )

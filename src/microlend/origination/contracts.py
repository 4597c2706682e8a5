"""The loan contract of an approved application (``origination.contract``).

``contract_application`` numbers the contract (``HT`` + year + six digits, gapless per company and
year), prices the approved amount, term and rate with the product version's quote (the APR cap
still applies), writes the disclosure — parties, every fee, the APR (IRR, fees included) and the
repayment schedule — renders it as HTML and as a PDF (WeasyPrint), keeps the PDF in the document
store and its hash on the contract, and moves the application to ``contracted``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, ValidationFailed
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Company
from microlend.origination import model
from microlend.origination.applications import checked_rate, checked_term, locked
from microlend.origination.contract_document import render_html, render_pdf
from microlend.origination.parties import party_views
from microlend.origination.records import (
    business_date_of,
    from_minor,
    move,
    next_number,
    to_minor,
)
from microlend.origination.tables import Application, Contract
from microlend.origination.views import ContractView
from microlend.products import pricing
from microlend.products import service as products
from microlend.products.model import ProductTerms, fee_on
from microlend.products.views import ProductVersionView

CONTRACT = "contract PDF"  # what names one in the document store's log


def contract_view(row: Contract) -> ContractView:
    return ContractView(
        id=row.id,
        application_id=row.application_id,
        number=row.number,
        currency=row.currency,
        amount=from_minor(row.amount_minor, row.currency),
        term_count=row.term_count,
        annual_rate=row.annual_rate,
        method=row.method,
        apr=row.apr,
        disbursement_date=row.disbursement_date,
        first_due_date=row.first_due_date,
        disclosure=dict(row.disclosure),
        pdf_hash=row.pdf_hash,
        created_at=row.created_at,
    )


def _fee_lines(terms: ProductTerms, amount: Decimal, quote: pricing.Quote) -> list[dict[str, str]]:
    """Every fee of the product, as the contract discloses it."""
    per_installment = sum((i.fee for i in quote.schedule.installments), Decimal(0))
    lines = []
    for fee in terms.fees:
        rule = (
            f"{fee.amount}"
            if fee.amount is not None
            else f"{fee.percent}% of {'principal' if fee.base == 'principal' else 'balance'}"
        )
        charged = ""
        if fee.charged == "upfront":
            charged = str(fee_on(fee, amount, terms))
        elif fee.charged == "per_installment" and len(terms.installment_fees) == 1:
            charged = str(per_installment)
        lines.append({"name": fee.name, "charged": fee.charged, "rule": rule, "amount": charged})
    return lines


def _person(view: CustomerView) -> dict[str, str]:
    return {
        "name": view.name,
        "kind": view.kind,
        "id_kind": view.id_kind,
        "id_number": view.id_number,
        "address": view.address or "",
        "phone": view.phone or "",
    }


def _disclosure(
    uow: UnitOfWork,
    actor: Principal,
    row: Application,
    *,
    number: str,
    version: ProductVersionView,
    quote: pricing.Quote,
    amount: Decimal,
    signed_on: date,
) -> dict[str, Any]:
    company = uow.session.get(Company, row.company_id)
    borrower = customers.get_customer(uow, actor, customer_id=row.customer_id)
    parties = [
        {
            "role": p.role,
            "relation": p.relation,
            **_person(customers.get_customer(uow, actor, customer_id=p.customer_id)),
        }
        for p in party_views(uow, row.id)
    ]
    schedule = [
        {
            "n": i.n,
            "due_date": i.due_date.isoformat(),
            "principal": str(i.principal),
            "interest": str(i.interest),
            "fee": str(i.fee),
            "total": str(i.total),
            "balance": str(i.balance),
        }
        for i in quote.schedule.installments
    ]
    terms = version.terms
    return {
        "number": number,
        "application_number": row.number,
        "signed_on": signed_on.isoformat(),
        "lender": company.name if company else "",
        "borrower": _person(borrower),
        "parties": parties,
        "product": f"{version.name} ({version.code} v{version.version})",
        "currency": row.currency,
        "amount": str(amount),
        "term_count": row.term_count,
        "annual_rate": str(row.approved_annual_rate or row.annual_rate),
        "method": row.method,
        "frequency": str(terms.frequency),
        "purpose": row.purpose,
        "apr": str(quote.apr.nominal),
        "apr_effective": str(quote.apr.effective),
        "apr_cap": str(terms.apr_cap),
        "net_disbursed": str(quote.net_disbursed),
        "upfront_fees": str(quote.upfront_fees),
        "total_interest": str(quote.total_interest),
        "total_fees": str(quote.total_fees),
        "total_repayment": str(quote.total_repayment),
        "fees": _fee_lines(terms, amount, quote),
        "schedule": schedule,
        "penalty_multiplier": str(terms.penalty.multiplier),
        "penalty_grace_days": terms.penalty.grace_days,
    }


def _date(raw: Any, *, field: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("a date like 2026-01-31", field=field) from None


@command(
    "origination.contract",
    entity_type="application",
    summary=lambda p: f"contract application {p['application_id']}",
)
def _contract(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    model.next_status(row.status, model.Action.CONTRACT)  # refuse early, naming the status
    today = business_date_of(uow, row.company_id)
    disbursement = _date(payload.get("disbursement_date"), field="disbursement_date") or today
    if disbursement < today:
        raise ValidationFailed("not before the business date", field="disbursement_date")
    first_due = _date(payload.get("first_due_date"), field="first_due_date")
    version = products.get_version(uow, actor, version_id=row.product_version_id)
    amount_minor = row.approved_amount_minor or row.amount_minor
    amount = from_minor(amount_minor, row.currency)
    term = row.approved_term_count or row.term_count
    rate = row.approved_annual_rate if row.approved_annual_rate is not None else row.annual_rate
    quote = pricing.quote(
        version.terms,
        amount=amount,
        term_count=term,
        annual_rate=rate,
        method=row.method,
        disbursement_date=disbursement,
        first_due_date=first_due,
    )
    sequence = next_number(uow, company_id=row.company_id, kind="contract", year=today.year)
    number = model.formatted_number(model.CONTRACT_PREFIX, today.year, sequence)
    disclosure = _disclosure(
        uow, actor, row, number=number, version=version, quote=quote, amount=amount, signed_on=today
    )
    pdf = render_pdf(render_html(disclosure))
    contract = Contract(
        company_id=row.company_id,
        office_id=row.office_id,
        owner_id=row.owner_id,
        application_id=row.id,
        number=number,
        currency=row.currency,
        amount_minor=to_minor(amount, row.currency, field="amount"),
        term_count=term,
        annual_rate=rate,
        method=row.method,
        apr=quote.apr.nominal,
        disbursement_date=disbursement,
        first_due_date=quote.schedule.installments[0].due_date,
        disclosure=disclosure,
        pdf_hash=documents.store(pdf),
        created_by=actor.user_id,
        created_at=now,
    )
    uow.session.add(contract)
    uow.session.flush()
    move(uow, row, model.Action.CONTRACT, actor_id=actor.user_id, now=now, note=number)
    return Done(
        entity_id=row.id,
        value=contract_view(contract),
        change={"contract_id": contract.id, "number": number, "pdf_hash": contract.pdf_hash},
    )


def contract_application(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    disbursement_date: date | None = None,
    first_due_date: date | None = None,
    now: datetime,
) -> ContractView | Pending:
    """Write the contract of an approved application (``origination.contract``)."""
    payload = {
        "application_id": application_id,
        "disbursement_date": disbursement_date.isoformat() if disbursement_date else None,
        "first_due_date": first_due_date.isoformat() if first_due_date else None,
    }
    outcome = run_command(uow, actor, "origination.contract", payload, now=now)
    return value_or_pending(outcome, ContractView)


def contract_of(uow: UnitOfWork, application_id: int) -> Contract | None:
    return uow.session.scalars(
        select(Contract).where(Contract.application_id == application_id)
    ).one_or_none()


def get_contract(uow: UnitOfWork, actor: Principal, *, application_id: int) -> ContractView:
    require(actor, "origination.view")
    application = get_scoped(uow.session, actor, Application, application_id)
    row = contract_of(uow, application.id)
    if row is None:
        raise NotFound(
            "application %(number)s has no contract",
            code="contract_not_found",
            params={"number": application.number},
        )
    return contract_view(row)


def masked_disclosure(disclosure: dict[str, Any], actor: Principal) -> dict[str, Any]:
    """The disclosure with identity numbers and phones masked unless the actor sees PII."""
    may = actor.can("pii.view")

    def person(p: dict[str, Any]) -> dict[str, Any]:
        return {
            **p,
            "id_number": shown(p.get("id_number"), PiiKind.ID_NUMBER, may_view=may),
            "phone": shown(p.get("phone"), PiiKind.PHONE, may_view=may),
        }

    return {
        **disclosure,
        "borrower": person(disclosure["borrower"]),
        "parties": [person(p) for p in disclosure.get("parties", [])],
    }


def contract_html(uow: UnitOfWork, actor: Principal, *, application_id: int) -> str:
    """The contract as HTML (the preview), personal data masked by permission."""
    view = get_contract(uow, actor, application_id=application_id)
    return render_html(masked_disclosure(view.disclosure, actor))


def contract_pdf(
    uow: UnitOfWork, actor: Principal, *, application_id: int
) -> tuple[ContractView, bytes]:
    """The stored PDF (it carries full identity numbers: ``pii.view`` is required)."""
    require(actor, "pii.view")
    view = get_contract(uow, actor, application_id=application_id)
    return view, documents.read(documents.StoredDocument(CONTRACT, view.id, view.pdf_hash))


def stored_contracts(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The contracts' PDFs of the actor's companies, as the document store checks them."""
    require(actor, "origination.view")
    return documents.stored_in(
        uow.session, CONTRACT, Contract, actor.company_ids, hash_column="pdf_hash", sized=False
    )


def preview_quote(
    uow: UnitOfWork,
    actor: Principal,
    *,
    product_version_id: int,
    amount: Any,
    term_count: Any,
    annual_rate: Any,
    method: str,
    disbursement_date: date | None = None,
) -> pricing.Quote:
    """A live quote for the wizard (no write): the product's ranges and APR cap apply."""
    require(actor, "origination.view")
    version = products.get_version(uow, actor, version_id=product_version_id)
    currency = version.terms.currency
    value = from_minor(to_minor(str(amount), currency, field="amount"), currency)
    return pricing.quote(
        version.terms,
        amount=value,
        term_count=checked_term(term_count),
        annual_rate=checked_rate(annual_rate),
        method=method,
        disbursement_date=disbursement_date or business_date_of(uow, actor.company_id),
    )

"""Payoff certificates (结清证明, ``loans.certificate.issue``).

A borrower whose loan is paid off asks the lender for a letter saying so (to show a bank, a
landlord, a registry lifting a pledge). ``issue_certificate`` writes it for a loan that is
``closed``: numbered ``JQ`` + year + six digits (gapless per company and year), stating the
lender, the borrower and their identity document, the contract and loan, the principal, the
day the loan was paid off (the value date of the last amount that settled it) and what was paid
(principal, interest, fees, penalty; what was waived; any credit balance still to be refunded).
The facts are kept on the certificate and its PDF in the document store. Asked again, the
certificate in force is returned (a reprint, not a new number).

A reversal that takes back the payment which closed the loan reopens it: the certificate no
longer states the truth and is voided in the same transaction (``account_store.refresh``, where
every command's new status is set), with the day and the reason; a later payoff gets a new
certificate. The HTML masks identity numbers for a reader without ``pii.view``; the PDF (full
numbers) requires it, as the contract's does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, RuleViolation
from microlend.kernel.money import minor_digits, quantum
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, locked_loan
from microlend.loans.document_render import parties, render_document
from microlend.loans.records import money
from microlend.loans.tables_certificates import LoanPayoffCertificate
from microlend.loans.views import COMPONENTS, PAYING, by_component, posting_view
from microlend.origination import model as origination_model
from microlend.origination.contract_document import render_pdf
from microlend.origination.records import next_number

ISSUE = "loans.certificate.issue"
PREFIX = "JQ"  # 结清
CERTIFICATE = "payoff certificate PDF"  # what names one in the document store's log
WAIVED_KINDS = ("waiver",)


@dataclass(frozen=True)
class CertificateView:
    id: int
    loan_id: int
    number: str
    paid_off_on: date
    issued_on: date
    in_force: bool
    voided_on: date | None
    void_reason: str
    facts: dict[str, Any]
    created_at: datetime


def certificate_view(row: LoanPayoffCertificate, actor: Principal) -> CertificateView:
    return CertificateView(
        id=row.id,
        loan_id=row.loan_id,
        number=row.number,
        paid_off_on=row.paid_off_on,
        issued_on=row.issued_on,
        in_force=row.voided_on is None,
        voided_on=row.voided_on,
        void_reason=row.void_reason,
        facts=_masked(row.facts, actor),
        created_at=row.created_at,
    )


def _masked(facts: dict[str, Any], actor: Principal) -> dict[str, Any]:
    """The facts with the borrower's identity number masked unless the actor sees PII."""
    borrower = dict(facts["borrower"])
    may = actor.can("pii.view")
    borrower["id_number"] = shown(borrower["id_number"], PiiKind.ID_NUMBER, may_view=may)
    return {**facts, "borrower": borrower}


def _settled(uow: UnitOfWork, loan: tables.Loan) -> tuple[dict[str, Decimal], Decimal, date]:
    """What the loan's current postings paid per component, what they waived, and the value
    date of the last of them (the day the loan was paid off)."""
    rows = uow.session.scalars(
        select(tables.LoanPosting).where(
            tables.LoanPosting.loan_id == loan.id,
            tables.LoanPosting.kind.in_(PAYING + WAIVED_KINDS),
        )
    )
    settling = [view for row in rows if (view := posting_view(row, loan.currency)).lines]
    paid = by_component(line for p in settling if p.kind in PAYING for line in p.lines)
    forgiven = (line.amount for p in settling if p.kind in WAIVED_KINDS for line in p.lines)
    waived = sum(forgiven, Decimal(0))
    last = max((p.value_date for p in settling), default=loan.disbursement_date)
    return paid, waived, last


def _amount(value: Decimal, currency: str) -> str:
    """An amount as the certificate writes it, to the currency's places (``12000.00``)."""
    return str(value.quantize(quantum(minor_digits(currency))))


def _facts(uow: UnitOfWork, loan: tables.Loan, *, number: str, issued_on: date) -> dict[str, Any]:
    named = parties(uow, loan)
    borrower = named.borrower
    paid, waived, paid_off_on = _settled(uow, loan)
    cur = loan.currency
    return {
        "number": number,
        "issued_on": issued_on.isoformat(),
        "lender": named.lender,
        "office": named.office,
        "borrower": {
            "name": borrower.name,
            "id_kind": borrower.id_kind,
            "id_number": borrower.id_number,
        },
        "loan_number": loan.number,
        "contract_number": loan.contract_number,
        "currency": cur,
        "principal": _amount(money(loan.principal_minor, cur), cur),
        "annual_rate": str(loan.annual_rate),
        "term_count": loan.term_count,
        "disbursement_date": loan.disbursement_date.isoformat(),
        "maturity_date": loan.maturity_date.isoformat(),
        "paid_off_on": paid_off_on.isoformat(),
        "paid": {name: _amount(paid[name], cur) for name in COMPONENTS},
        "paid_total": _amount(sum(paid.values(), Decimal(0)), cur),
        "waived": _amount(waived, cur),
        "credit_balance": _amount(money(loan.credit_balance_minor, cur), cur),
    }


def _in_force(uow: UnitOfWork, loan_id: int) -> LoanPayoffCertificate | None:
    return uow.session.scalars(
        select(LoanPayoffCertificate).where(
            LoanPayoffCertificate.loan_id == loan_id, LoanPayoffCertificate.voided_on.is_(None)
        )
    ).one_or_none()


@command(ISSUE, entity_type="loan", summary=lambda p: f"payoff certificate of loan {p['loan_id']}")
def _issue(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = locked_loan(uow, actor, int(payload["loan_id"]), now=now)
    if loan.status != "closed":
        raise RuleViolation(
            "loan %(number)s is not paid off",
            code="loan_not_paid_off",
            params={"number": loan.number},
        )
    found = _in_force(uow, loan.id)
    if found is not None:  # a reprint: the same certificate
        return Done(entity_id=loan.id, value=certificate_view(found, actor), change={})
    today = business_date(uow, loan.company_id)
    sequence = next_number(uow, company_id=loan.company_id, kind="payoff", year=today.year)
    number = origination_model.formatted_number(PREFIX, today.year, sequence)
    facts = _facts(uow, loan, number=number, issued_on=today)
    row = LoanPayoffCertificate(
        company_id=loan.company_id,
        office_id=loan.office_id,
        loan_id=loan.id,
        number=number,
        paid_off_on=date.fromisoformat(facts["paid_off_on"]),
        issued_on=today,
        facts=facts,
        pdf_hash=documents.store(render_pdf(render_html(facts))),
        void_reason="",
        created_by=actor.user_id,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    change = {"certificate_id": row.id, "number": number, "pdf_hash": row.pdf_hash}
    return Done(entity_id=loan.id, value=certificate_view(row, actor), change=change)


def issue_certificate(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, now: datetime
) -> CertificateView | Pending:
    """The payoff certificate of a paid-off loan: written now, or the one in force."""
    outcome = run_command(uow, actor, ISSUE, {"loan_id": loan_id}, now=now)
    return value_or_pending(outcome, CertificateView)


def certificates(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[CertificateView]:
    """The loan's certificates, the newest first (voided ones too)."""
    require(actor, "loans.view")
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = uow.session.scalars(
        select(LoanPayoffCertificate)
        .where(LoanPayoffCertificate.loan_id == loan.id)
        .order_by(LoanPayoffCertificate.id.desc())
    )
    return [certificate_view(row, actor) for row in rows]


def _certificate(
    uow: UnitOfWork, actor: Principal, loan_id: int, certificate_id: int
) -> LoanPayoffCertificate:
    require(actor, "loans.view")
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    row = uow.session.get(LoanPayoffCertificate, certificate_id)
    if row is None or row.loan_id != loan.id:
        raise NotFound(
            "loan %(number)s has no such payoff certificate",
            code="certificate_not_found",
            params={"number": loan.number},
        )
    return row


def certificate_html(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, certificate_id: int
) -> str:
    """The certificate as HTML, identity number masked unless the actor sees PII; a voided one
    says so across it."""
    row = _certificate(uow, actor, loan_id, certificate_id)
    return render_html(_masked(row.facts, actor), voided_on=row.voided_on)


def certificate_pdf(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, certificate_id: int
) -> tuple[CertificateView, bytes]:
    """The stored PDF (it carries the full identity number: ``pii.view`` is required)."""
    require(actor, "pii.view")
    row = _certificate(uow, actor, loan_id, certificate_id)
    stored = documents.StoredDocument(CERTIFICATE, row.id, row.pdf_hash)
    return certificate_view(row, actor), documents.read(stored)


def stored_certificates(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The certificates' PDFs of the actor's companies, as the document store checks them."""
    require(actor, "loans.view")
    return documents.stored_in(
        uow.session,
        CERTIFICATE,
        LoanPayoffCertificate,
        actor.company_ids,
        hash_column="pdf_hash",
        sized=False,
    )


def render_html(facts: dict[str, Any], *, voided_on: date | None = None) -> str:
    """The certificate's HTML: a complete page with its own print styles."""
    extra = {name: Decimal(facts[name]) > 0 for name in ("waived", "credit_balance")}
    return render_document("payoff_certificate.html", c=facts, voided_on=voided_on, shown=extra)

"""Repayment receipts (还款凭证): what a branch hands a borrower who paid, cash at the counter
above all. For a repayment, a prepayment or a recovery after write-off: the lender and branch,
the borrower, the loan and contract, the amount in figures and in capitals (金额大写), the value
date and the day it was entered, the channel and its reference, who entered it, and how the
money was applied as the loan's postings apply it now (principal, interest, fee, penalty, and
what went to the credit balance). Numbered by the loan and the event's sequence
(``DK2025000001-003``): the same receipt whenever it is printed. A reversed payment's receipt
says so across it. Nothing is written: the event is the record.

A refund of the credit balance gets a refund slip (退款凭证: the amount, the channel, the
borrower's signature for the money). Money lent has its own paper: a disbursement or a tranche
gets the IOU (借款借据) the borrower signs for the money, under the same route and numbering:
the amount drawn in figures and capitals, what was paid out and to whom (the seller, for
entrusted payment), the upfront fee deducted or collected, and the loan's terms as the contract
states them (rate, method, term, maturity, purpose)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.document_render import parties, render_document
from microlend.loans.records import money
from microlend.loans.views import MONEY_IN, MONEY_OUT, by_component, posting_view

DRAWDOWNS = ("disbursement", "tranche")  # money lent: an IOU each
RECEIPT_KINDS = (*MONEY_IN, *MONEY_OUT)  # the events with a printable paper: money moved


@dataclass(frozen=True)
class Drawn:
    """What a drawdown's IOU states beyond a receipt."""

    paid_out: Decimal
    upfront_fee: Decimal
    fee_mode: str  # deducted | collected; "" for a tranche
    payee_name: str
    annual_rate: Decimal
    method: str
    term_count: int
    maturity_date: date
    purpose: str


@dataclass(frozen=True)
class Receipt:
    number: str
    lender: str
    office: str
    borrower: str
    loan_number: str
    contract_number: str
    currency: str
    kind: str
    amount: Decimal
    value_date: date
    business_date: date
    channel: str
    reference: str
    entered_by: str
    reversed: bool
    applied: dict[str, Decimal] = field(default_factory=dict)  # by component, what was settled
    credit: Decimal = Decimal(0)  # what went to the credit balance
    drawn: Drawn | None = None  # a drawdown's IOU


def receipt(uow: UnitOfWork, actor: Principal, *, loan_id: int, event_id: int) -> Receipt:
    """The paper of the loan's money-moving event ``event_id``: a receipt, a refund slip, or a
    drawdown's IOU."""
    require(actor, "loans.view")
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    event = uow.session.get(tables.LoanEvent, event_id)
    if event is None or event.loan_id != loan.id or event.kind not in RECEIPT_KINDS:
        raise NotFound(
            "loan %(number)s has no payment or drawdown with that id",
            code="receipt_not_found",
            params={"number": loan.number},
        )
    cur, drawdown = loan.currency, event.kind in DRAWDOWNS
    amount = money(event.amount_minor, cur)
    posting = None  # how the money was applied: an IOU states none
    if not drawdown:
        posting = uow.session.scalars(
            select(tables.LoanPosting).where(
                tables.LoanPosting.loan_id == loan.id,
                tables.LoanPosting.posting_id == f"e{event.sequence}",
            )
        ).one_or_none()
    view = posting_view(posting, cur) if posting is not None else None
    reversal = select(tables.LoanEvent.id).where(
        tables.LoanEvent.loan_id == loan.id, tables.LoanEvent.reverses_event_id == event.id
    )
    entered_by = uow.session.get(User, event.created_by) if event.created_by else None
    named = parties(uow, loan)
    return Receipt(
        number=f"{loan.number}-{event.sequence:03d}",
        lender=named.lender,
        office=named.office,
        borrower=named.borrower.name,
        loan_number=loan.number,
        contract_number=loan.contract_number,
        currency=cur,
        kind=event.kind,
        amount=amount,
        value_date=event.value_date,
        business_date=event.business_date,
        channel=event.channel or "",
        reference=event.external_reference or "",
        entered_by=entered_by.display_name if entered_by else "",
        reversed=uow.session.scalar(reversal) is not None,
        applied=by_component(view.lines if view is not None else ()),
        credit=view.credit_change if view is not None else Decimal(0),
        drawn=_drawn(loan, event, amount) if drawdown else None,
    )


def _drawn(loan: tables.Loan, event: tables.LoanEvent, amount: Decimal) -> Drawn:
    detail = event.detail or {}
    return Drawn(
        paid_out=Decimal(detail.get("paid_out") or amount),
        upfront_fee=Decimal(detail.get("upfront_fee") or 0),
        fee_mode=str(detail.get("fee_mode") or ""),
        payee_name=str(detail.get("payee_name") or loan.payee_name or ""),
        annual_rate=loan.annual_rate,
        method=loan.method,
        term_count=loan.term_count,
        maturity_date=loan.maturity_date,
        purpose=loan.purpose or "",
    )


def receipt_html(uow: UnitOfWork, actor: Principal, *, loan_id: int, event_id: int) -> str:
    """The receipt (or the IOU) as a printable page."""
    found = receipt(uow, actor, loan_id=loan_id, event_id=event_id)
    return render_document("iou.html" if found.drawn else "receipt.html", r=found)

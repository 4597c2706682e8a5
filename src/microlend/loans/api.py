"""``/api/v1/loans`` routes: disbursement, the loan and its position, repayments, prepayments,
reversals, refunds, waivers, reschedules, write-off, recoveries, fund usage, notes, payoff
certificates, and the loan's requests waiting for a checker.

Every command answers 201 with what it did, or 202 with the pending request (``PendingOut``) when
it waits for a checker: waivers, reschedules and write-offs do by default (maker-checker)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic import BaseModel

from microlend.auth.schemas import PendingItemOut
from microlend.db.commands import Pending
from microlend.kernel.ids import AfterId, Id
from microlend.loans import service
from microlend.loans.adjustments import pending_requests
from microlend.loans.batch_file import MAX_LINES
from microlend.loans.schemas import (
    AccelerationIn,
    AmountIn,
    BatchRepaymentIn,
    CertificateOut,
    ClassificationAdjustIn,
    ClassificationOut,
    ClassificationRestoreIn,
    DisburseIn,
    EventOut,
    FundUsageIn,
    FundUsageOut,
    InstallmentOut,
    LoanOut,
    NoteIn,
    NoteOut,
    OutcomeOut,
    PayoffQuoteOut,
    PositionOut,
    PostingOut,
    PrepaymentIn,
    PreviewOut,
    RepaymentIn,
    RescheduleIn,
    ReverseIn,
    StatementOut,
    TrancheIn,
    WaiverIn,
    WriteOffIn,
)
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.downloads import file_response
from microlend.web.kit.idempotency import CommandDep, CommandRequest, PendingOut

router = APIRouter(prefix="/api/v1", tags=["loans"])
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Waiting for a checker (maker-checker)"},
}
LOAN = "/loans/{loan_id}"


def _posts(path: str, answer: type[BaseModel] = OutcomeOut) -> Callable[[Any], Any]:
    """A command route: 201 with ``answer``, or 202 with the pending request."""
    return router.post(path, status_code=201, response_model=answer, responses=CREATED)


def _on_loan(
    command: CommandRequest,
    call: Callable[..., Any],
    loan_id: Id,
    answer: type[BaseModel] = OutcomeOut,
    **fields: Any,
) -> Response:
    """Run the loan command ``call`` with ``fields`` (once per Idempotency-Key)."""
    return command.respond(
        lambda: call(command.uow, command.actor, loan_id=loan_id, now=command.now, **fields),
        answer.model_validate,
    )


@router.get("/loans", response_model=list[LoanOut])
def list_loans(
    uow: UowDep,
    actor: PrincipalDep,
    status: str | None = None,
    office_id: Id | None = None,
    owner_id: Id | None = None,
    overdue: bool | None = None,
    customer_id: Id | None = None,
    category: str | None = None,
    adjusted: bool | None = None,
    usage: str | None = None,
    q: str | None = Query(None, max_length=100),
    order: str | None = None,
    after_id: AfterId | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[LoanOut]:
    """Loans in the actor's scope (filters: status, office, officer, overdue, customer,
    ``category`` the classification the last close of business gave them, ``adjusted`` whether
    an adjustment by hand holds it, ``usage`` a fund usage status or ``verification_late``
    (on the book, past the verification deadline, not fully verified); ``q`` a loan or contract
    number, or the borrower's name, pinyin, ID number or mobile). ``order``: ``number`` (the
    default), ``days_past_due``, ``overdue`` or ``outstanding`` (the highest first) or
    ``next_due_date`` (the earliest first, then the loans with nothing left to fall due), each
    then by number; ``after_id`` the last loan of the page before, in the same order."""
    rows = service.list_loans(
        uow,
        actor,
        status=status,
        office_id=office_id,
        owner_id=owner_id,
        overdue=overdue,
        customer_id=customer_id,
        category=category,
        adjusted=adjusted,
        usage=usage,
        search=q,
        order=order,
        after_id=after_id,
        limit=limit,
    )
    return [LoanOut.model_validate(row) for row in rows]


@_posts("/loans", LoanOut)
def disburse(body: DisburseIn, command: CommandDep) -> Response:
    """放款: disburse a contracted application in full."""
    return command.respond(
        lambda: service.disburse(command.uow, command.actor, now=command.now, **body.model_dump()),
        LoanOut.model_validate,
    )


@router.get(LOAN, response_model=LoanOut)
def get_loan(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> LoanOut:
    return LoanOut.model_validate(service.get_loan(uow, actor, loan_id=loan_id))


@router.get(LOAN + "/position", response_model=PositionOut)
def position(
    loan_id: Id, uow: UowDep, actor: PrincipalDep, as_of: date | None = None
) -> PositionOut:
    """The position at the end of ``as_of`` (default the business date), replayed."""
    here = service.loan_position(uow, actor, loan_id=loan_id, as_of=as_of)
    return PositionOut.model_validate(here)


@router.get(LOAN + "/classification", response_model=ClassificationOut | None)
def classification(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> ClassificationOut | None:
    """The loan's five-category classification, stage and allowance by the last close of
    business (``null`` before its first)."""
    found = service.classification(uow, actor, loan_id=loan_id)
    return None if found is None else ClassificationOut.model_validate(found)


@_posts(LOAN + "/classification-adjustments", ClassificationOut)
def adjust_classification(
    loan_id: Id, body: ClassificationAdjustIn, command: CommandDep
) -> Response:
    """Adjust the loan's classification by hand (人工调整), with the reason: it holds, close of
    business keeping it, until reviewed. Waits for a checker unless the company switched that
    off (202)."""
    call = service.adjust_classification
    return _on_loan(command, call, loan_id, ClassificationOut, **body.model_dump())


@_posts(LOAN + "/classification-restorations", ClassificationOut)
def restore_classification(
    loan_id: Id, body: ClassificationRestoreIn, command: CommandDep
) -> Response:
    """Review the adjustment in force: the loan takes the category the rules give again."""
    call = service.restore_classification
    return _on_loan(command, call, loan_id, ClassificationOut, reason=body.reason)


@router.get(LOAN + "/installments", response_model=list[InstallmentOut])
def installments(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[InstallmentOut]:
    rows = service.installments(uow, actor, loan_id=loan_id)
    return [InstallmentOut.model_validate(row) for row in rows]


@router.get(LOAN + "/events", response_model=list[EventOut])
def events(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[EventOut]:
    return [EventOut.model_validate(row) for row in service.events(uow, actor, loan_id=loan_id)]


@router.get(LOAN + "/postings", response_model=list[PostingOut])
def postings(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[PostingOut]:
    rows = service.postings(uow, actor, loan_id=loan_id)
    return [PostingOut.model_validate(row) for row in rows]


@router.get(LOAN + "/payoff-quote", response_model=PayoffQuoteOut)
def payoff_quote(
    loan_id: Id, uow: UowDep, actor: PrincipalDep, as_of: date | None = None
) -> PayoffQuoteOut:
    quote = service.quote_payoff(uow, actor, loan_id=loan_id, as_of=as_of)
    return PayoffQuoteOut.model_validate(quote)


@router.get(LOAN + "/repayment-preview", response_model=PreviewOut)
def preview(
    loan_id: Id,
    uow: UowDep,
    actor: PrincipalDep,
    amount: str,
    value_date: date | None = None,
    kind: str = "repayment",
) -> PreviewOut:
    """The allocation a repayment would get, without saving it."""
    posting = service.preview(
        uow, actor, loan_id=loan_id, amount=amount, value_date=value_date, kind=kind
    )
    if posting is None:
        return PreviewOut(
            cash_in=Decimal(0), credit_change=Decimal(0), prepaid_principal=Decimal(0), lines=[]
        )
    return PreviewOut.model_validate(posting)


@router.get(LOAN + "/pending-requests", response_model=list[PendingItemOut])
def pending(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[PendingItemOut]:
    """The loan's requests waiting for a checker (approve them at /maker-checker/pending)."""
    rows = pending_requests(uow, actor, loan_id=loan_id)
    return [PendingItemOut.model_validate(row) for row in rows]


@_posts(LOAN + "/repayments")
def repay(loan_id: Id, body: RepaymentIn, command: CommandDep) -> Response:
    """还款 (idempotent by Idempotency-Key and by channel + external reference)."""
    return _on_loan(command, service.repay, loan_id, request_key=command.key, **body.model_dump())


@router.post(
    "/loans/repayment-batches",
    status_code=201,
    response_model=list[OutcomeOut | PendingOut],
    responses={201: {"description": "Each line's outcome, in the order of the lines"}},
)
def repay_batch(
    command: CommandDep,
    body: list[BatchRepaymentIn] = Body(min_length=1, max_length=MAX_LINES),
) -> Response:
    """批量还款: the lines in one transaction, all or nothing (a refusal names its ``line``,
    numbered from 1); each line's outcome as a single repayment answers it, a line whose
    channel + external reference was posted already replayed, a line waiting for a checker
    (maker-checker) as its pending request."""
    items = [line.model_dump() for line in body]
    return command.respond(
        lambda: service.repay_batch(command.uow, command.actor, items, now=command.now),
        lambda done: [_answer(outcome) for outcome in done],
    )


def _answer(outcome: Any) -> BaseModel:
    if isinstance(outcome, Pending):
        return PendingOut.of(outcome)
    return OutcomeOut.model_validate(outcome)


@_posts(LOAN + "/tranches")
def tranche(loan_id: Id, body: TrancheIn, command: CommandDep) -> Response:
    """分次放款: pay out a later tranche (up to the approved amount); permission loans.disburse."""
    call = service.disburse_tranche
    return _on_loan(command, call, loan_id, request_key=command.key, **body.model_dump())


@_posts(LOAN + "/prepayments")
def prepay(loan_id: Id, body: PrepaymentIn, command: CommandDep) -> Response:
    """提前还款: in part (shortening the term or lowering the installment) or in full."""
    return _on_loan(command, service.prepay, loan_id, request_key=command.key, **body.model_dump())


@_posts(LOAN + "/events/{event_id}/reverse")
def reverse(loan_id: Id, event_id: Id, body: ReverseIn, command: CommandDep) -> Response:
    """Reverse a repayment, prepayment, refund or waiver; later ones are replayed."""
    return _on_loan(command, service.reverse, loan_id, event_id=event_id, reason=body.reason)


@_posts(LOAN + "/refunds")
def refund(loan_id: Id, body: AmountIn, command: CommandDep) -> Response:
    """Pay back part of the credit balance."""
    return _on_loan(command, service.refund, loan_id, amount=body.amount)


@_posts(LOAN + "/waivers")
def waive(loan_id: Id, body: WaiverIn, command: CommandDep) -> Response:
    """减免 of penalty, fee or interest: waits for a checker by default (202)."""
    return _on_loan(command, service.waive, loan_id, **body.model_dump())


@_posts(LOAN + "/reschedules")
def reschedule(loan_id: Id, body: RescheduleIn, command: CommandDep) -> Response:
    """展期/重组: waits for a checker by default (202)."""
    return _on_loan(command, service.reschedule, loan_id, **body.model_dump())


@_posts(LOAN + "/accelerations")
def accelerate(loan_id: Id, body: AccelerationIn, command: CommandDep) -> Response:
    """宣布提前到期: everything not yet due falls due on ``value_date`` (the business date if
    none); permission loans.reschedule; waits for a checker by default (202)."""
    return _on_loan(command, service.accelerate, loan_id, **body.model_dump())


@_posts(LOAN + "/write-off")
def write_off(loan_id: Id, body: WriteOffIn, command: CommandDep) -> Response:
    """核销: waits for a checker by default (202)."""
    return _on_loan(command, service.write_off, loan_id, reason=body.reason)


@_posts(LOAN + "/recoveries")
def recover(loan_id: Id, body: AmountIn, command: CommandDep) -> Response:
    """核销后收回: money recovered on a written-off loan."""
    return _on_loan(command, service.recover, loan_id, **body.model_dump())


@router.get(LOAN + "/fund-usages", response_model=list[FundUsageOut])
def fund_usages(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[FundUsageOut]:
    rows = service.fund_usages(uow, actor, loan_id=loan_id)
    return [FundUsageOut.model_validate(row) for row in rows]


@_posts(LOAN + "/fund-usages", FundUsageOut)
def record_usage(loan_id: Id, body: FundUsageIn, command: CommandDep) -> Response:
    """A usage record (evidence files: the loan page's form, or a later upload)."""
    call = service.record_usage
    return _on_loan(command, call, loan_id, FundUsageOut, **body.model_dump())


@router.get(LOAN + "/notes", response_model=list[NoteOut])
def notes(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[NoteOut]:
    """The loan's notes, newest first."""
    return [NoteOut.model_validate(row) for row in service.notes(uow, actor, loan_id=loan_id)]


@_posts(LOAN + "/notes", NoteOut)
def add_note(loan_id: Id, body: NoteIn, command: CommandDep) -> Response:
    """Append a note (append-only; anyone who may see the loan)."""
    return _on_loan(command, service.add_note, loan_id, NoteOut, body=body.body)


@router.get(LOAN + "/statement", response_model=StatementOut)
def statement(
    loan_id: Id,
    uow: UowDep,
    actor: PrincipalDep,
    start: date | None = None,
    end: date | None = None,
) -> StatementOut:
    """The statement of account (贷款对账单) from ``start`` (default: the disbursement) to
    ``end`` (default: the business date; not after it)."""
    found = service.statement(uow, actor, loan_id=loan_id, start=start, end=end)
    return StatementOut.model_validate(found)


@router.get(LOAN + "/payoff-certificates", response_model=list[CertificateOut])
def payoff_certificates(loan_id: Id, uow: UowDep, actor: PrincipalDep) -> list[CertificateOut]:
    """The loan's payoff certificates (结清证明), newest first, voided ones too."""
    listed = service.certificates(uow, actor, loan_id=loan_id)
    return [CertificateOut.model_validate(row) for row in listed]


@_posts(LOAN + "/payoff-certificates", CertificateOut)
def issue_payoff_certificate(loan_id: Id, command: CommandDep) -> Response:
    """The payoff certificate of a paid-off loan: written now, or the one in force (a
    reprint); 422 ``loan_not_paid_off`` while anything is owed."""
    return _on_loan(command, service.issue_certificate, loan_id, CertificateOut)


@router.get(LOAN + "/payoff-certificates/{certificate_id}.pdf", response_class=Response)
def payoff_certificate_pdf(
    loan_id: Id, certificate_id: Id, uow: UowDep, actor: PrincipalDep
) -> Response:
    """The certificate's PDF as stored (it carries the identity number: ``pii.view``)."""
    view, content = service.certificate_pdf(
        uow, actor, loan_id=loan_id, certificate_id=certificate_id
    )
    return file_response(content, "application/pdf", f"{view.number}.pdf", inline=False)

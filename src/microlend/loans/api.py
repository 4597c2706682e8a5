"""``/api/v1/loans`` routes: disbursement, the loan and its position, repayments, prepayments,
reversals, refunds, waivers, reschedules, write-off, recoveries, fund usage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from microlend.loans import service
from microlend.loans.schemas import (
    AmountIn,
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
    TrancheIn,
    WaiverIn,
    WriteOffIn,
)
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut

router = APIRouter(prefix="/api/v1", tags=["loans"])
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Pending (maker-checker)"},
}


@router.get("/loans", response_model=list[LoanOut])
def list_loans(
    uow: UowDep,
    actor: PrincipalDep,
    status: str | None = None,
    office_id: int | None = None,
    owner_id: int | None = None,
    overdue: bool | None = None,
    customer_id: int | None = None,
    after_id: int | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> list[LoanOut]:
    """Loans in the actor's scope (filters: status, office, officer, overdue, customer)."""
    rows = service.list_loans(
        uow,
        actor,
        status=status,
        office_id=office_id,
        owner_id=owner_id,
        overdue=overdue,
        customer_id=customer_id,
        after_id=after_id,
        limit=limit,
    )
    return [LoanOut.model_validate(row) for row in rows]


@router.post("/loans", status_code=201, response_model=LoanOut, responses=CREATED)
def disburse(body: DisburseIn, command: CommandDep) -> Response:
    """放款: disburse a contracted application in full."""
    return command.respond(
        lambda: service.disburse(command.uow, command.actor, now=command.now, **body.model_dump()),
        LoanOut.model_validate,
    )


@router.get("/loans/{loan_id}", response_model=LoanOut)
def get_loan(loan_id: int, uow: UowDep, actor: PrincipalDep) -> LoanOut:
    return LoanOut.model_validate(service.get_loan(uow, actor, loan_id=loan_id))


@router.get("/loans/{loan_id}/position", response_model=PositionOut)
def position(
    loan_id: int, uow: UowDep, actor: PrincipalDep, as_of: date | None = None
) -> PositionOut:
    """The position at the end of ``as_of`` (default the business date), replayed."""
    here = service.loan_position(uow, actor, loan_id=loan_id, as_of=as_of)
    return PositionOut.model_validate(here)


@router.get("/loans/{loan_id}/installments", response_model=list[InstallmentOut])
def installments(loan_id: int, uow: UowDep, actor: PrincipalDep) -> list[InstallmentOut]:
    rows = service.installments(uow, actor, loan_id=loan_id)
    return [InstallmentOut.model_validate(row) for row in rows]


@router.get("/loans/{loan_id}/events", response_model=list[EventOut])
def events(loan_id: int, uow: UowDep, actor: PrincipalDep) -> list[EventOut]:
    return [EventOut.model_validate(row) for row in service.events(uow, actor, loan_id=loan_id)]


@router.get("/loans/{loan_id}/postings", response_model=list[PostingOut])
def postings(loan_id: int, uow: UowDep, actor: PrincipalDep) -> list[PostingOut]:
    rows = service.postings(uow, actor, loan_id=loan_id)
    return [PostingOut.model_validate(row) for row in rows]


@router.get("/loans/{loan_id}/payoff-quote", response_model=PayoffQuoteOut)
def payoff_quote(
    loan_id: int, uow: UowDep, actor: PrincipalDep, as_of: date | None = None
) -> PayoffQuoteOut:
    quote = service.quote_payoff(uow, actor, loan_id=loan_id, as_of=as_of)
    return PayoffQuoteOut.model_validate(quote)


@router.get("/loans/{loan_id}/repayment-preview", response_model=PreviewOut)
def preview(
    loan_id: int,
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


@router.post(
    "/loans/{loan_id}/repayments", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def repay(loan_id: int, body: RepaymentIn, command: CommandDep) -> Response:
    """还款 (idempotent by Idempotency-Key and by channel + external reference)."""
    return command.respond(
        lambda: service.repay(
            command.uow,
            command.actor,
            loan_id=loan_id,
            request_key=command.key,
            now=command.now,
            **body.model_dump(),
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/tranches", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def tranche(loan_id: int, body: TrancheIn, command: CommandDep) -> Response:
    """分次放款: pay out a later tranche (up to the approved amount); permission loans.disburse."""
    return command.respond(
        lambda: service.disburse_tranche(
            command.uow,
            command.actor,
            loan_id=loan_id,
            request_key=command.key,
            now=command.now,
            **body.model_dump(),
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/prepayments", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def prepay(loan_id: int, body: PrepaymentIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.prepay(
            command.uow,
            command.actor,
            loan_id=loan_id,
            request_key=command.key,
            now=command.now,
            **body.model_dump(),
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/events/{event_id}/reverse",
    status_code=201,
    response_model=OutcomeOut,
    responses=CREATED,
)
def reverse(loan_id: int, event_id: int, body: ReverseIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.reverse(
            command.uow,
            command.actor,
            loan_id=loan_id,
            event_id=event_id,
            reason=body.reason,
            now=command.now,
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/refunds", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def refund(loan_id: int, body: AmountIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.refund(
            command.uow, command.actor, loan_id=loan_id, amount=body.amount, now=command.now
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/waivers", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def waive(loan_id: int, body: WaiverIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.waive(
            command.uow, command.actor, loan_id=loan_id, now=command.now, **body.model_dump()
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/reschedules", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def reschedule(loan_id: int, body: RescheduleIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.reschedule(
            command.uow, command.actor, loan_id=loan_id, now=command.now, **body.model_dump()
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/write-off", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def write_off(loan_id: int, body: WriteOffIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.write_off(
            command.uow, command.actor, loan_id=loan_id, reason=body.reason, now=command.now
        ),
        OutcomeOut.model_validate,
    )


@router.post(
    "/loans/{loan_id}/recoveries", status_code=201, response_model=OutcomeOut, responses=CREATED
)
def recover(loan_id: int, body: AmountIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.recover(
            command.uow, command.actor, loan_id=loan_id, now=command.now, **body.model_dump()
        ),
        OutcomeOut.model_validate,
    )


@router.get("/loans/{loan_id}/fund-usages", response_model=list[FundUsageOut])
def fund_usages(loan_id: int, uow: UowDep, actor: PrincipalDep) -> list[FundUsageOut]:
    rows = service.fund_usages(uow, actor, loan_id=loan_id)
    return [FundUsageOut.model_validate(row) for row in rows]


@router.post(
    "/loans/{loan_id}/fund-usages", status_code=201, response_model=FundUsageOut, responses=CREATED
)
def record_usage(loan_id: int, body: FundUsageIn, command: CommandDep) -> Response:
    """A usage record (evidence files: the loan page's form, or a later upload)."""
    return command.respond(
        lambda: service.record_usage(
            command.uow, command.actor, loan_id=loan_id, now=command.now, **body.model_dump()
        ),
        FundUsageOut.model_validate,
    )


@router.get("/loans/{loan_id}/notes", response_model=list[NoteOut])
def notes(loan_id: int, uow: UowDep, actor: PrincipalDep) -> list[NoteOut]:
    """The loan's notes, newest first."""
    return [NoteOut.model_validate(row) for row in service.notes(uow, actor, loan_id=loan_id)]


@router.post("/loans/{loan_id}/notes", status_code=201, response_model=NoteOut, responses=CREATED)
def add_note(loan_id: int, body: NoteIn, command: CommandDep) -> Response:
    """Append a note (append-only; anyone who may see the loan)."""
    return command.respond(
        lambda: service.add_note(
            command.uow, command.actor, loan_id=loan_id, now=command.now, body=body.body
        ),
        NoteOut.model_validate,
    )

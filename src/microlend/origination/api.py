"""``/api/v1/applications`` routes: the application life cycle, parties and collateral, the
investigation report, the contract (JSON, HTML preview, PDF) and the live quote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from microlend.kernel.ids import Id
from microlend.origination import service
from microlend.origination.schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ApplicationUpdate,
    AttachmentOut,
    CollateralIn,
    CollateralOut,
    ContractIn,
    ContractOut,
    PartyIn,
    PartyOut,
    QuoteIn,
    QuoteOut,
    ReportIn,
    ReportOut,
    SectionSpecOut,
    WithdrawIn,
)
from microlend.products import pricing
from microlend.products.schemas import InstallmentOut
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.downloads import file_response
from microlend.web.kit.idempotency import CommandDep, CommandRequest, PendingOut
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1", tags=["applications"])
DONE: dict[int | str, dict[str, Any]] = {
    202: {"model": PendingOut, "description": "Pending a checker"},
    409: {"description": "The application's status does not allow it (named in the problem)"},
}


@router.get("/applications", response_model=PageOut[ApplicationOut])
def list_applications(
    uow: UowDep,
    actor: PrincipalDep,
    status: str | None = None,
    customer_id: Id | None = None,
    owner_id: Id | None = None,
    office_id: Id | None = None,
    number: str | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> PageOut[ApplicationOut]:
    """Applications in your data scope, newest first."""
    page = service.list_applications(
        uow,
        actor,
        status=status,
        customer_id=customer_id,
        owner_id=owner_id,
        office_id=office_id,
        number=number,
        cursor=cursor,
        limit=limit,
    )
    return page_out(page, ApplicationOut.model_validate)


@router.post("/applications", status_code=201, response_model=ApplicationOut, responses=DONE)
def create_application(body: ApplicationIn, command: CommandDep) -> Response:
    """A draft application (``origination.apply``): the request must fit the product version and
    its APR cap; a customer another officer holds is refused (409 names the holder)."""
    return command.respond(
        lambda: service.create_application(
            command.uow, command.actor, now=command.now, **body.model_dump()
        ),
        ApplicationOut.model_validate,
    )


@router.get("/applications/{application_id}", response_model=ApplicationDetailOut)
def application_detail(application_id: Id, uow: UowDep, actor: PrincipalDep) -> Any:
    """The application with its parties, collateral, timeline, reports and contract."""
    detail = service.application_detail(uow, actor, application_id=application_id)
    return ApplicationDetailOut.model_validate(detail)


@router.put("/applications/{application_id}", response_model=ApplicationOut, responses=DONE)
def update_application(
    application_id: Id, body: ApplicationUpdate, command: CommandDep
) -> Response:
    """Change the request of a draft."""
    return command.respond(
        lambda: service.update_application(
            command.uow,
            command.actor,
            application_id=application_id,
            now=command.now,
            **body.model_dump(),
        ),
        ApplicationOut.model_validate,
        status_code=200,
    )


@router.post("/applications/{application_id}/submit", response_model=ApplicationOut, responses=DONE)
def submit(application_id: Id, command: CommandDep) -> Response:
    """Submit a draft: the product's guarantors, collateral and documents are checked, and the
    applicant against the blacklist (422 lists every problem)."""
    return command.respond(
        lambda: service.submit_application(
            command.uow, command.actor, application_id=application_id, now=command.now
        ),
        ApplicationOut.model_validate,
        status_code=200,
    )


@router.post(
    "/applications/{application_id}/withdraw", response_model=ApplicationOut, responses=DONE
)
def withdraw(application_id: Id, body: WithdrawIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.withdraw_application(
            command.uow,
            command.actor,
            application_id=application_id,
            reason=body.reason,
            now=command.now,
        ),
        ApplicationOut.model_validate,
        status_code=200,
    )


@router.post(
    "/applications/{application_id}/parties",
    status_code=201,
    response_model=PartyOut,
    responses=DONE,
)
def add_party(application_id: Id, body: PartyIn, command: CommandDep) -> Response:
    """Add a co-borrower or guarantor (a registered customer)."""
    return command.respond(
        lambda: service.add_party(
            command.uow,
            command.actor,
            application_id=application_id,
            role=body.role,
            customer_id=body.customer_id,
            relation=body.relation,
            now=command.now,
        ),
        PartyOut.model_validate,
    )


@router.delete("/applications/{application_id}/parties/{party_id}", status_code=204, responses=DONE)
def remove_party(application_id: Id, party_id: Id, command: CommandDep) -> Response:
    return _removed(
        command,
        lambda: service.remove_party(
            command.uow,
            command.actor,
            application_id=application_id,
            party_id=party_id,
            now=command.now,
        ),
    )


def _removed(command: CommandRequest, remove: Callable[[], object]) -> Response:
    """``remove`` done: 204 without a body (or the 202 of a request waiting for a checker)."""
    response = command.respond(remove, lambda _removed: None, status_code=204)
    return Response(status_code=204) if response.status_code == 204 else response


def _collateral_fields(body: CollateralIn) -> dict[str, Any]:
    return body.model_dump()


@router.post(
    "/applications/{application_id}/collateral",
    status_code=201,
    response_model=CollateralOut,
    responses=DONE,
)
def add_collateral(application_id: Id, body: CollateralIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.add_collateral(
            command.uow,
            command.actor,
            application_id=application_id,
            now=command.now,
            **_collateral_fields(body),
        ),
        CollateralOut.model_validate,
    )


@router.put(
    "/applications/{application_id}/collateral/{collateral_id}",
    response_model=CollateralOut,
    responses=DONE,
)
def update_collateral(
    application_id: Id, collateral_id: Id, body: CollateralIn, command: CommandDep
) -> Response:
    """Correct collateral or record its appraisal."""
    return command.respond(
        lambda: service.update_collateral(
            command.uow,
            command.actor,
            application_id=application_id,
            collateral_id=collateral_id,
            now=command.now,
            **_collateral_fields(body),
        ),
        CollateralOut.model_validate,
        status_code=200,
    )


@router.delete(
    "/applications/{application_id}/collateral/{collateral_id}", status_code=204, responses=DONE
)
def remove_collateral(application_id: Id, collateral_id: Id, command: CommandDep) -> Response:
    return _removed(
        command,
        lambda: service.remove_collateral(
            command.uow,
            command.actor,
            application_id=application_id,
            collateral_id=collateral_id,
            now=command.now,
        ),
    )


@router.get("/investigation-templates/{template}", response_model=list[SectionSpecOut])
def investigation_template(template: str, actor: PrincipalDep) -> list[SectionSpecOut]:
    """The sections and fields of an investigation template (individual or enterprise)."""
    sections = service.template_sections(actor, template=template)
    return [SectionSpecOut.model_validate(section) for section in sections]


@router.post(
    "/applications/{application_id}/investigation",
    status_code=201,
    response_model=ReportOut,
    responses=DONE,
)
def start_investigation(application_id: Id, command: CommandDep) -> Response:
    """Open the actor's draft report (a submitted application moves to ``investigating``)."""
    return command.respond(
        lambda: service.start_investigation(
            command.uow, command.actor, application_id=application_id, now=command.now
        ),
        ReportOut.model_validate,
    )


@router.put("/investigation-reports/{report_id}", response_model=ReportOut, responses=DONE)
def save_report(report_id: Id, body: ReportIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.save_report(
            command.uow, command.actor, report_id=report_id, now=command.now, **body.model_dump()
        ),
        ReportOut.model_validate,
        status_code=200,
    )


@router.post(
    "/investigation-reports/{report_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=DONE,
)
async def attach(
    report_id: Id,
    request: Request,
    command: CommandDep,
    filename: str,
    section: str,
    kind: str = "photo",
    caption: str = "",
) -> Response:
    """The request body is the file itself (its Content-Type is kept)."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    return command.respond(
        lambda: service.attach_file(
            command.uow,
            command.actor,
            report_id=report_id,
            section=section,
            kind=kind,
            caption=caption,
            filename=filename,
            media_type=media_type,
            content=content,
            now=command.now,
        ),
        AttachmentOut.model_validate,
    )


@router.post(
    "/investigation-reports/{report_id}/complete", response_model=ReportOut, responses=DONE
)
def complete_report(report_id: Id, command: CommandDep) -> Response:
    """Complete the report; the automated decision runs: a decline rejects the application, a
    pass or refer puts it under review on its approval chain."""
    return command.respond(
        lambda: service.complete_report(
            command.uow, command.actor, report_id=report_id, now=command.now
        ),
        ReportOut.model_validate,
        status_code=200,
    )


@router.get("/applications/{application_id}/attachments/{attachment_id}", response_class=Response)
def download_attachment(
    application_id: Id, attachment_id: Id, uow: UowDep, actor: PrincipalDep
) -> Response:
    view, content = service.read_attachment(
        uow, actor, application_id=application_id, attachment_id=attachment_id
    )
    return file_response(content, view.media_type, view.filename, inline=True)


@router.post(
    "/applications/{application_id}/contract",
    status_code=201,
    response_model=ContractOut,
    responses=DONE,
)
def contract(application_id: Id, body: ContractIn, command: CommandDep) -> Response:
    """Write the contract of an approved application (``origination.contract``): number, the
    approved terms priced with the product (APR cap), the schedule, HTML and PDF."""
    return command.respond(
        lambda: service.contract_application(
            command.uow,
            command.actor,
            application_id=application_id,
            disbursement_date=body.disbursement_date,
            first_due_date=body.first_due_date,
            now=command.now,
        ),
        ContractOut.model_validate,
    )


@router.get("/applications/{application_id}/contract", response_model=ContractOut)
def get_contract(application_id: Id, uow: UowDep, actor: PrincipalDep) -> Any:
    return ContractOut.model_validate(
        service.get_contract(uow, actor, application_id=application_id)
    )


@router.get("/applications/{application_id}/contract.html", response_class=HTMLResponse)
def contract_html(application_id: Id, uow: UowDep, actor: PrincipalDep) -> HTMLResponse:
    """The contract as HTML (personal data masked without ``pii.view``)."""
    return HTMLResponse(service.contract_html(uow, actor, application_id=application_id))


@router.get("/applications/{application_id}/contract.pdf", response_class=Response)
def contract_pdf(application_id: Id, uow: UowDep, actor: PrincipalDep) -> Response:
    """The signed contract's PDF as stored (it carries identity numbers: ``pii.view``)."""
    view, content = service.contract_pdf(uow, actor, application_id=application_id)
    return file_response(content, "application/pdf", f"{view.number}.pdf", inline=False)


def quote_out(quoted: pricing.Quote) -> QuoteOut:
    return QuoteOut(
        apr=quoted.apr.nominal,
        apr_effective=quoted.apr.effective,
        total_interest=quoted.total_interest,
        total_fees=quoted.total_fees,
        upfront_fees=quoted.upfront_fees,
        net_disbursed=quoted.net_disbursed,
        first_installment=quoted.first_installment,
        total_repayment=quoted.total_repayment,
        schedule=[InstallmentOut.model_validate(i) for i in quoted.schedule.installments],
    )


@router.post("/application-quotes", response_model=QuoteOut)
def quote(body: QuoteIn, uow: UowDep, actor: PrincipalDep) -> QuoteOut:
    """Price a request under a product version (nothing is written)."""
    quoted = service.preview_quote(
        uow,
        actor,
        product_version_id=body.product_version_id,
        amount=body.amount,
        term_count=body.term_count,
        annual_rate=body.annual_rate,
        method=body.method,
        disbursement_date=body.disbursement_date,
    )
    return quote_out(quoted)

"""A loan's printable documents, each its own page with its print styles: a payoff certificate
(结清证明: identity number masked without ``pii.view``, "VOID" across a voided one) and its stored
PDF (``pii.view``); the paper of an event that moved money (a receipt 还款凭证, a refund slip
退款凭证, a drawdown's IOU 借款借据); a statement of account for a period (贷款对账单). Issuing a
certificate is a form on the loan page (``pages.py``, ``loans.certificate.issue``)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.loans import service
from microlend.web.kit.documents import document_page
from microlend.web.kit.downloads import file_response
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import optional_date
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "loans.view"
PAGE = "/loans/{loan_id}/certificates/{certificate_id}"
RECEIPT = "/loans/{loan_id}/events/{event_id}/receipt"
STATEMENT = "/loans/{loan_id}/statement"


@router.get(PAGE + ".pdf")
def certificate_pdf(
    request: Request, loan_id: int, certificate_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        view, content = service.certificate_pdf(
            uow, viewer.principal, loan_id=loan_id, certificate_id=certificate_id
        )
    return file_response(content, "application/pdf", f"{view.number}.pdf", inline=False)


# after the PDF's route: ``{certificate_id}`` would take "1.pdf"
@router.get(PAGE)
def certificate_page(
    request: Request, loan_id: int, certificate_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        html = service.certificate_html(
            uow, viewer.principal, loan_id=loan_id, certificate_id=certificate_id
        )
    return document_page(html)


@router.get(RECEIPT)
def receipt_page(
    request: Request, loan_id: int, event_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        html = service.receipt_html(uow, viewer.principal, loan_id=loan_id, event_id=event_id)
    return document_page(html)


@router.get(STATEMENT)
def statement_page(
    request: Request,
    loan_id: int,
    start: str = "",
    end: str = "",
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    """The statement of account for ``start`` to ``end`` (default: from the disbursement to the
    business date)."""
    first, last = optional_date(start, "start"), optional_date(end, "end")
    with page_uow(request, read_only=True) as uow:
        html = service.statement_html(uow, viewer.principal, loan_id=loan_id, start=first, end=last)
    return document_page(html)

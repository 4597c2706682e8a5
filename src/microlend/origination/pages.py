"""Application pages: the list with filters, the application page (timeline, parties, collateral,
investigation, decision panel, approval link, contract), withdrawal and the contract (preview,
PDF, the command that writes it). The wizard is in ``pages_wizard``, the investigation form in
``pages_investigation``."""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.origination import service
from microlend.origination.model import Status
from microlend.web.kit.deps import request_now
from microlend.web.kit.documents import document_page
from microlend.web.kit.downloads import file_response
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.forms import feedback, optional_date
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
LIST_URL = "/applications"
PAGE_URL = "/applications/{application_id}"
VIEW = "origination.view"

# The timeline notes the system writes (``model.AUTOMATED_DECISION_NOTES``), shown through the
# ``catalogued`` filter: marked here so that the catalog translates them.
AUTOMATED_DECISION_NOTES = (
    N_("automated decision: pass"),
    N_("automated decision: refer"),
    N_("automated decision: decline"),
)


def _has_module(name: str) -> bool:
    """Is the page module there (the decision panel, the approval page)? FastAPI's included
    routers do not list their routes on ``app.routes``, so ask for the module instead."""
    return importlib.util.find_spec(f"microlend.origination.{name}") is not None


@router.get(LIST_URL)
def applications_page(
    request: Request,
    status: str = "",
    number: str = "",
    mine: str = "",
    cursor: str | None = None,
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    _ = gettext_for(request)
    notices: list[Notice] = []
    items: list[Any] = []
    next_cursor = None
    try:
        with page_uow(request, read_only=True) as uow:
            page = service.list_applications(
                uow,
                viewer.principal,
                status=status or None,
                number=number or None,
                owner_id=viewer.principal.user_id if mine else None,
                cursor=cursor,
                limit=50,
            )
        items, next_cursor = page.items, page.next_cursor
    except DomainError as error:
        notices = feedback(error, (), _)[1]
    context = {
        "applications": items,
        "next_cursor": next_cursor,
        "status": status,
        "number": number,
        "mine": mine,
        "statuses": [s.value for s in Status],
    }
    return render_page(request, "origination/applications.html", context, notices=notices)


def render_application(
    request: Request,
    viewer: Viewer,
    application_id: int,
    *,
    notices: list[Notice] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        detail = service.application_detail(uow, viewer.principal, application_id=application_id)
    today = request_now(request).date().isoformat()
    context = {
        "d": detail,
        "a": detail.application,
        "errors": errors or {},
        "today": today,
        "decision_panel": _has_module("pages_decision"),
        "approval_page": _has_module("pages_approvals"),
    }
    return render_page(
        request, "origination/application.html", context, notices=notices, status_code=status_code
    )


@router.get(PAGE_URL)
def application_page(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    return render_application(request, viewer, application_id)


def refused(
    request: Request,
    viewer: Viewer,
    application_id: int,
    error: DomainError,
    fields: tuple[str, ...] = (),
) -> Response:
    """The application page again, the refusal beside its field or above the page."""
    _ = gettext_for(request)
    errors, notices = feedback(error, fields, _)
    return render_application(
        request, viewer, application_id, notices=notices, errors=errors, status_code=error.status
    )


def done(request: Request, application_id: int, outcome: Any, message: str) -> Response:
    _ = gettext_for(request)
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
    else:
        notice = Notice("success", message)
    return see_other(request, PAGE_URL.format(application_id=application_id), notice)


@router.post(PAGE_URL + "/withdraw")
async def withdraw(
    request: Request,
    application_id: int,
    viewer: Viewer = Depends(permitted("origination.apply")),
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            outcome = service.withdraw_application(
                uow,
                viewer.principal,
                application_id=application_id,
                reason=str(form.get("reason") or ""),
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        return refused(request, viewer, application_id, error, ("reason",))
    return done(request, application_id, outcome, _("Application withdrawn."))


def _form_date(raw: Any, field: str) -> date | None:
    return optional_date(str(raw) if raw else None, field)


@router.post(PAGE_URL + "/contract")
async def write_contract(
    request: Request,
    application_id: int,
    viewer: Viewer = Depends(permitted("origination.contract")),
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            outcome = service.contract_application(
                uow,
                viewer.principal,
                application_id=application_id,
                disbursement_date=_form_date(form.get("disbursement_date"), "disbursement_date"),
                first_due_date=_form_date(form.get("first_due_date"), "first_due_date"),
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        return refused(
            request, viewer, application_id, error, ("disbursement_date", "first_due_date")
        )
    number = "" if isinstance(outcome, Pending) else outcome.number
    return done(
        request, application_id, outcome, _("Contract %(number)s written.") % {"number": number}
    )


@router.get(PAGE_URL + "/contract")
def contract_preview(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """The contract document itself (its own page and print styles), personal data masked
    without ``pii.view``."""
    with page_uow(request, read_only=True) as uow:
        html = service.contract_html(uow, viewer.principal, application_id=application_id)
    return document_page(html)


@router.get(PAGE_URL + "/contract.pdf")
def contract_pdf(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        view, content = service.contract_pdf(uow, viewer.principal, application_id=application_id)
    return file_response(content, "application/pdf", f"{view.number}.pdf", inline=False)


@router.get(PAGE_URL + "/attachments/{attachment_id}")
def attachment(
    request: Request,
    application_id: int,
    attachment_id: int,
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    with page_uow(request, read_only=True) as uow:
        view, content = service.read_attachment(
            uow, viewer.principal, application_id=application_id, attachment_id=attachment_id
        )
    return file_response(content, view.media_type, view.filename, inline=True)

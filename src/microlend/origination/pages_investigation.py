"""The investigation form (贷前调查): the product's template section by section, photos and
documents, the officer's recommendation; saving and completing (which runs the decision)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.origination import service
from microlend.origination.investigation_templates import template_of
from microlend.origination.pages import PAGE_URL, done
from microlend.origination.views import ReportView
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts, optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
FORM_URL = PAGE_URL + "/investigation"
INVESTIGATE = "origination.investigate"
RECOMMENDATION_FIELDS = (
    "recommendation",
    "suggested_amount",
    "suggested_term_count",
    "suggested_annual_rate",
    "opinion",
)


def _chosen(reports: list[ReportView], viewer: Viewer, report_id: int | None) -> ReportView | None:
    """The report asked for, else the viewer's draft, else the newest report."""
    if report_id is not None:
        return next((r for r in reports if r.id == report_id), None)
    mine = [r for r in reports if r.status == "draft" and r.author_id == viewer.principal.user_id]
    return mine[-1] if mine else (reports[-1] if reports else None)


def render_form(
    request: Request,
    viewer: Viewer,
    application_id: int,
    *,
    report_id: int | None = None,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        detail = service.application_detail(uow, viewer.principal, application_id=application_id)
    report = _chosen(list(detail.reports), viewer, report_id)
    editable = (
        report is not None
        and report.status == "draft"
        and report.author_id == viewer.principal.user_id
        and viewer.can(INVESTIGATE)
        and detail.application.status == "investigating"
    )
    context = {
        "a": detail.application,
        "report": report,
        "editable": editable,
        "sections": template_of(report.template) if report else (),
        "answers": answers if answers is not None else (report.sections if report else {}),
        "errors": errors or {},
    }
    return render_page(
        request, "origination/investigation.html", context, notices=notices, status_code=status_code
    )


@router.get(FORM_URL)
def investigation_page(
    request: Request,
    application_id: int,
    report: str = "",
    viewer: Viewer = Depends(permitted("origination.view")),
) -> Response:
    return render_form(request, viewer, application_id, report_id=optional_int(report))


@router.post(FORM_URL + "/start")
def start(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(INVESTIGATE))
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            service.start_investigation(
                uow, viewer.principal, application_id=application_id, now=request_now(request)
            )
            uow.commit()
    except DomainError as error:
        return render_form(
            request,
            viewer,
            application_id,
            notices=feedback(error, (), _)[1],
            status_code=error.status,
        )
    return see_other(request, FORM_URL.format(application_id=application_id))


def _answers(form: Any, report: ReportView) -> dict[str, dict[str, str]]:
    """``s.<section>.<field>`` inputs as the report's answers (blank ones dropped)."""
    answers: dict[str, dict[str, str]] = {s.key: {} for s in template_of(report.template)}
    for name, value in form.multi_items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "s" and parts[1] in answers and str(value).strip():
            answers[parts[1]][parts[2]] = str(value).strip()
    return answers


@router.post(FORM_URL)
async def save(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(INVESTIGATE))
) -> Response:
    """``action=save`` keeps the answers; ``action=complete`` saves and completes."""
    _ = gettext_for(request)
    form = await request.form()
    report_id = optional_int(str(form.get("report_id") or "")) or 0
    with page_uow(request, read_only=True) as uow:
        reports = service.list_reports(uow, viewer.principal, application_id=application_id)
    report = next((r for r in reports if r.id == report_id), None)
    if report is None:
        return see_other(
            request,
            FORM_URL.format(application_id=application_id),
            Notice("error", _("No such report.")),
        )
    answers = _answers(form, report)
    fields = form_texts(form, RECOMMENDATION_FIELDS)
    try:
        with page_uow(request) as uow:
            service.save_report(
                uow,
                viewer.principal,
                report_id=report.id,
                sections=answers,
                recommendation=fields["recommendation"] or None,
                suggested_amount=fields["suggested_amount"] or None,
                suggested_term_count=fields["suggested_term_count"] or None,
                suggested_annual_rate=fields["suggested_annual_rate"] or None,
                opinion=fields["opinion"],
                now=request_now(request),
            )
            uow.commit()
        if form.get("action") == "complete":
            with page_uow(request) as uow:
                outcome = service.complete_report(
                    uow, viewer.principal, report_id=report.id, now=request_now(request)
                )
                uow.commit()
            return done(request, application_id, outcome, _("Investigation completed."))
    except DomainError as error:
        names = (
            tuple(
                f"sections.{s.key}.{f.name}" for s in template_of(report.template) for f in s.fields
            )
            + RECOMMENDATION_FIELDS
        )
        errors, notices = feedback(error, names, _)
        return render_form(
            request,
            viewer,
            application_id,
            report_id=report.id,
            answers=answers,
            errors=errors,
            notices=notices,
            status_code=error.status,
        )
    return see_other(
        request,
        FORM_URL.format(application_id=application_id) + f"?report={report.id}",
        Notice("success", _("Report saved.")),
    )


@router.post(FORM_URL + "/attachments")
async def attach(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(INVESTIGATE))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    upload = form.get("file")
    report_id = optional_int(str(form.get("report_id") or "")) or 0
    try:
        if not isinstance(upload, UploadFile):
            raise ValidationFailed("choose a file", field="file")
        content = await upload.read()
        with page_uow(request) as uow:
            service.attach_file(
                uow,
                viewer.principal,
                report_id=report_id,
                section=str(form.get("section") or ""),
                kind=str(form.get("kind") or "photo"),
                caption=str(form.get("caption") or ""),
                filename=upload.filename or "file",
                media_type=upload.content_type or "application/octet-stream",
                content=content,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        return render_form(
            request,
            viewer,
            application_id,
            report_id=report_id or None,
            notices=feedback(error, (), _)[1],
            status_code=error.status,
        )
    return see_other(
        request,
        FORM_URL.format(application_id=application_id) + f"?report={report_id}",
        Notice("success", _("File attached.")),
    )

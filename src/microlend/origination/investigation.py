"""Pre-loan investigation reports (贷前调查) — ``origination.investigate``.

``start_investigation`` opens a draft report of a submitted application (it moves to
``investigating``) or, after an approver returned it for more information, a new round; the
report follows the product's template. Its author saves answers, attaches photos and documents
(kept in the document store by content hash) and completes it with a recommendation. Completing
runs the automated decision: a decline rejects the application with its reason codes; a pass or a
refer puts it under review and starts the approval chain.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.origination import model
from microlend.origination.applications import checked_rate, checked_term, locked
from microlend.origination.investigation_templates import (
    RECOMMENDATIONS,
    SectionSpec,
    checked_sections,
    template_of,
)
from microlend.origination.records import maybe_from_minor, move, to_minor, user_names
from microlend.origination.tables import Application, InvestigationAttachment, InvestigationReport
from microlend.origination.views import AttachmentView, ReportView
from microlend.products import service as products

DRAFT, COMPLETED = "draft", "completed"
ATTACHMENT_KINDS = ("photo", "document")
ATTACHMENT = "investigation attachment"  # what names one in the document store's log


def investigator_ids(uow: UnitOfWork, *, application_id: int) -> frozenset[int]:
    """The users who wrote an investigation report of the application (draft or completed).

    Approvals use it with ``Application.owner_id``: no one approves an application they made or
    investigated. Not scoped: it answers a question about the application, not about the actor.
    """
    rows = uow.session.scalars(
        select(InvestigationReport.author_id)
        .where(InvestigationReport.application_id == application_id)
        .distinct()
    )
    return frozenset(rows)


def attachment_view(row: InvestigationAttachment) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        section=row.section,
        kind=row.kind,
        caption=row.caption,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        content_hash=row.content_hash,
        uploaded_at=row.uploaded_at,
    )


def report_views(uow: UnitOfWork, rows: list[InvestigationReport]) -> list[ReportView]:
    names = user_names(uow, (r.author_id for r in rows))
    files: dict[int, list[AttachmentView]] = {r.id: [] for r in rows}
    for item in uow.session.scalars(
        select(InvestigationAttachment)
        .where(InvestigationAttachment.report_id.in_(files))
        .order_by(InvestigationAttachment.id)
    ):
        files[item.report_id].append(attachment_view(item))
    currency = "CNY"
    if rows:
        app = uow.session.get(Application, rows[0].application_id)
        currency = app.currency if app is not None else currency
    return [
        ReportView(
            id=r.id,
            application_id=r.application_id,
            author_id=r.author_id,
            author_name=names.get(r.author_id, ""),
            template=r.template,
            status=r.status,
            sections=dict(r.sections),
            recommendation=r.recommendation,
            suggested_amount=maybe_from_minor(r.suggested_amount_minor, currency),
            suggested_term_count=r.suggested_term_count,
            suggested_annual_rate=r.suggested_annual_rate,
            opinion=r.opinion,
            completed_at=r.completed_at,
            created_at=r.created_at,
            updated_at=r.updated_at,
            attachments=tuple(files[r.id]),
        )
        for r in rows
    ]


def reports_of(uow: UnitOfWork, application_id: int) -> list[ReportView]:
    rows = uow.session.scalars(
        select(InvestigationReport)
        .where(InvestigationReport.application_id == application_id)
        .order_by(InvestigationReport.id)
    )
    return report_views(uow, list(rows))


def _report(
    uow: UnitOfWork, actor: Principal, report_id: int
) -> tuple[InvestigationReport, Application]:
    """The actor's own draft report and its application (locked)."""
    report = get_scoped(
        uow.session, actor, InvestigationReport, report_id, owner_column="author_id"
    )
    application = locked(uow, actor, report.application_id)
    if report.author_id != actor.user_id:
        raise Forbidden("only the report's author may change it", code="not_report_author")
    if report.status != DRAFT:
        raise Conflict(
            "the report is %(status)s",
            code="report_completed",
            field="status",
            params={"status": report.status},
        )
    model.require_status(application.status, {model.Status.INVESTIGATING}, doing="investigate")
    return report, application


@command(
    "origination.investigation.start",
    permission="origination.investigate",
    entity_type="application",
    summary=lambda p: f"investigate application {p['application_id']}",
)
def _start(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    application = locked(uow, actor, int(payload["application_id"]))
    if application.status == model.Status.SUBMITTED:
        move(uow, application, model.Action.START_INVESTIGATION, actor_id=actor.user_id, now=now)
    model.require_status(application.status, {model.Status.INVESTIGATING}, doing="investigate")
    existing = uow.session.scalars(
        select(InvestigationReport).where(
            InvestigationReport.application_id == application.id,
            InvestigationReport.author_id == actor.user_id,
            InvestigationReport.status == DRAFT,
        )
    ).first()
    if existing is not None:
        return Done(
            entity_id=application.id,
            value=report_views(uow, [existing])[0],
            change={"report_id": existing.id},
        )
    version = products.get_version(uow, actor, version_id=application.product_version_id)
    template = version.terms.investigation_template
    report = InvestigationReport(
        company_id=application.company_id,
        office_id=application.office_id,
        application_id=application.id,
        author_id=actor.user_id,
        template=template,
        status=DRAFT,
        sections=checked_sections(template, {}, complete=False),
        recommendation=None,
        suggested_amount_minor=None,
        suggested_term_count=None,
        suggested_annual_rate=None,
        opinion="",
        completed_at=None,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(report)
    uow.session.flush()
    return Done(
        entity_id=application.id,
        value=report_views(uow, [report])[0],
        change={"report_id": report.id},
    )


def start_investigation(
    uow: UnitOfWork, actor: Principal, *, application_id: int, now: datetime
) -> ReportView | Pending:
    """Open (or reopen, the actor's open draft) the investigation report of an application."""
    outcome = run_command(
        uow, actor, "origination.investigation.start", {"application_id": application_id}, now=now
    )
    return value_or_pending(outcome, ReportView)


def _recommendation(report: InvestigationReport, payload: Payload, currency: str) -> None:
    recommendation = payload.get("recommendation") or None
    if recommendation is not None and recommendation not in RECOMMENDATIONS:
        raise ValidationFailed("approve or decline", field="recommendation")
    report.recommendation = recommendation
    amount = payload.get("suggested_amount")
    report.suggested_amount_minor = (
        to_minor(amount, currency, field="suggested_amount") if amount not in (None, "") else None
    )
    term = payload.get("suggested_term_count")
    report.suggested_term_count = (
        checked_term(term, field="suggested_term_count") if term not in (None, "") else None
    )
    rate = payload.get("suggested_annual_rate")
    report.suggested_annual_rate = (
        checked_rate(rate, field="suggested_annual_rate") if rate not in (None, "") else None
    )
    opinion = str(payload.get("opinion") or "").strip()
    if len(opinion) > 4000:
        raise ValidationFailed("at most 4000 characters", field="opinion")
    report.opinion = opinion


@command(
    "origination.investigation.save",
    permission="origination.investigate",
    entity_type="investigation_report",
    summary=lambda p: f"investigation report {p['report_id']}",
)
def _save(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    report, application = _report(uow, actor, int(payload["report_id"]))
    sections = payload.get("sections") or {}
    if not isinstance(sections, dict):
        raise ValidationFailed("answers per section", field="sections")
    report.sections = checked_sections(report.template, sections, complete=False)
    _recommendation(report, payload, application.currency)
    report.updated_at = now
    uow.session.flush()
    return Done(entity_id=report.id, value=report_views(uow, [report])[0], change={"saved": True})


def _report_payload(
    report_id: int,
    sections: dict[str, Any],
    recommendation: str | None,
    suggested_amount: Any,
    suggested_term_count: Any,
    suggested_annual_rate: Any,
    opinion: str,
) -> Payload:
    def text(value: Any) -> Any:
        return None if value is None else str(value)

    return {
        "report_id": report_id,
        "sections": sections,
        "recommendation": recommendation,
        "suggested_amount": text(suggested_amount),
        "suggested_term_count": suggested_term_count,
        "suggested_annual_rate": text(suggested_annual_rate),
        "opinion": opinion,
    }


def save_report(
    uow: UnitOfWork,
    actor: Principal,
    *,
    report_id: int,
    sections: dict[str, Any],
    recommendation: str | None = None,
    suggested_amount: Any = None,
    suggested_term_count: Any = None,
    suggested_annual_rate: Any = None,
    opinion: str = "",
    now: datetime,
) -> ReportView | Pending:
    """Save the answers (partial answers are fine until the report is completed)."""
    payload = _report_payload(
        report_id,
        sections,
        recommendation,
        suggested_amount,
        suggested_term_count,
        suggested_annual_rate,
        opinion,
    )
    outcome = run_command(uow, actor, "origination.investigation.save", payload, now=now)
    return value_or_pending(outcome, ReportView)


@command(
    "origination.investigation.attach",
    permission="origination.investigate",
    entity_type="investigation_report",
    summary=lambda p: f"attach {p['filename']} to report {p['report_id']}",
)
def _attach(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    report, _application = _report(uow, actor, int(payload["report_id"]))
    section = payload["section"]
    if section not in report.sections:
        raise ValidationFailed("a section of the report", field="section")
    if payload["kind"] not in ATTACHMENT_KINDS:
        raise ValidationFailed("photo or document", field="kind")
    row = InvestigationAttachment(
        company_id=report.company_id,
        report_id=report.id,
        section=section,
        kind=payload["kind"],
        caption=str(payload.get("caption") or "")[:200],
        filename=Path(payload["filename"]).name[:200] or "file",
        media_type=payload["media_type"][:100],
        size=payload["size"],
        content_hash=payload["content_hash"],
        uploaded_by=actor.user_id,
        uploaded_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    return Done(entity_id=report.id, value=attachment_view(row), change={"attachment": row.id})


def attach_file(
    uow: UnitOfWork,
    actor: Principal,
    *,
    report_id: int,
    section: str,
    kind: str,
    caption: str,
    filename: str,
    media_type: str,
    content: bytes,
    now: datetime,
) -> AttachmentView | Pending:
    """Attach a photo or document to a section of a draft report (stored by content hash)."""
    require(actor, "origination.investigate")
    content_hash = documents.checked_content(content)
    payload = {
        "report_id": report_id,
        "section": section,
        "kind": kind,
        "caption": caption,
        "filename": filename,
        "media_type": media_type or "application/octet-stream",
        "size": len(content),
        "content_hash": content_hash,
    }
    outcome = run_command(uow, actor, "origination.investigation.attach", payload, now=now)
    documents.store(content)
    return value_or_pending(outcome, AttachmentView)


def read_attachment(
    uow: UnitOfWork, actor: Principal, *, application_id: int, attachment_id: int
) -> tuple[AttachmentView, bytes]:
    require(actor, "origination.view")
    application = get_scoped(uow.session, actor, Application, application_id)
    row = uow.session.get(InvestigationAttachment, attachment_id)
    report = uow.session.get(InvestigationReport, row.report_id) if row is not None else None
    if row is None or report is None or report.application_id != application.id:
        raise NotFound(
            "attachment %(attachment_id)s not found",
            code="attachment_not_found",
            params={"attachment_id": attachment_id},
        )
    stored = documents.StoredDocument(ATTACHMENT, row.id, row.content_hash, row.size)
    return attachment_view(row), documents.read(stored)


def stored_attachments(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The investigation reports' files of the actor's companies, as the store checks them."""
    require(actor, "origination.view")
    return documents.stored_in(uow.session, ATTACHMENT, InvestigationAttachment, actor.company_ids)


@command(
    "origination.investigation.complete",
    permission="origination.investigate",
    entity_type="application",
    summary=lambda p: f"complete investigation report {p['report_id']}",
)
def _complete(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    # Imported here: approvals and decisions read this module (investigator_ids).
    from microlend.origination import approvals, decision

    report, application = _report(uow, actor, int(payload["report_id"]))
    report.sections = checked_sections(report.template, report.sections, complete=True)
    if report.recommendation is None:
        raise ValidationFailed(
            "recommend approve or decline to complete the report", field="recommendation"
        )
    if report.recommendation == "approve" and not report.opinion:
        raise ValidationFailed("write the officer's opinion", field="opinion")
    report.status, report.completed_at, report.updated_at = COMPLETED, now, now
    uow.session.flush()
    verdict = decision.decide(uow, actor, application_id=application.id, now=now)
    reasons = [str(getattr(reason, "code", reason)) for reason in verdict.reasons]
    if verdict.outcome == "decline":
        move(
            uow,
            application,
            model.Action.DECLINE,
            actor_id=actor.user_id,
            now=now,
            note=model.AUTOMATED_DECISION_NOTES["decline"],
            reasons=reasons,
        )
    else:
        move(
            uow,
            application,
            model.Action.COMPLETE_INVESTIGATION,
            actor_id=actor.user_id,
            now=now,
            note=model.AUTOMATED_DECISION_NOTES[verdict.outcome],
            reasons=reasons,
        )
        approvals.start_approval(
            uow, actor, application_id=application.id, referred=verdict.outcome == "refer", now=now
        )
    return Done(
        entity_id=application.id,
        value=report_views(uow, [report])[0],
        change={"report_id": report.id, "outcome": verdict.outcome},
    )


def complete_report(
    uow: UnitOfWork, actor: Principal, *, report_id: int, now: datetime
) -> ReportView | Pending:
    """Complete the report: every required answer and a recommendation; then the decision."""
    outcome = run_command(
        uow, actor, "origination.investigation.complete", {"report_id": report_id}, now=now
    )
    return value_or_pending(outcome, ReportView)


def list_reports(uow: UnitOfWork, actor: Principal, *, application_id: int) -> list[ReportView]:
    require(actor, "origination.view")
    application = get_scoped(uow.session, actor, Application, application_id)
    return reports_of(uow, application.id)


def template_sections(actor: Principal, *, template: str) -> tuple[SectionSpec, ...]:
    """The sections and fields of an investigation template (individual or enterprise)."""
    require(actor, "origination.view")
    return template_of(template)

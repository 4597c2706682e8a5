"""Approval pages (审批): the approver's inbox with SLA timers, and the approval page of an
application (summary, the automated decision panel, the history of every round, the action form).

The maker-checker inbox (``/inbox``, 复核) is a different thing and lives in ``web.approvals``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.auth.roles import default_role_names
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.origination import applications, approvals
from microlend.origination.approval_views import Conditions
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, locale_of, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
INBOX_URL = "/approvals"
APPLICATION_URL = "/approvals/applications/{application_id}"
FORM_FIELDS = (
    "action",
    "opinion",
    "conditions.amount",
    "conditions.term_count",
    "conditions.extra_guarantor",
    "conditions.other",
)


def sla_text(seconds: int, gettext: Callable[[str], str]) -> str:
    """``3h 20m left`` or ``overdue 2h 5m`` (days beyond 48 hours)."""
    span = abs(seconds) // 60
    hours, minutes = divmod(span, 60)
    if hours >= 48:
        amount = gettext("%(days)sd %(hours)sh") % {"days": hours // 24, "hours": hours % 24}
    else:
        amount = gettext("%(hours)sh %(minutes)sm") % {"hours": hours, "minutes": minutes}
    if seconds < 0:
        return gettext("overdue %(time)s") % {"time": amount}
    return gettext("%(time)s left") % {"time": amount}


@router.get(INBOX_URL)
def approval_inbox_page(
    request: Request, viewer: Viewer = Depends(permitted("origination.approve"))
) -> Response:
    _ = gettext_for(request)
    with page_uow(request, read_only=True) as uow:
        items = approvals.inbox(uow, viewer.principal, now=request_now(request))
    timers = {item.application_id: sla_text(item.remaining_seconds, _) for item in items}
    return render_page(
        request, "origination/approval_inbox.html", {"items": items, "timers": timers}
    )


def render_approval(
    request: Request,
    viewer: Viewer,
    application_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    _ = gettext_for(request)
    with page_uow(request, read_only=True) as uow:
        application = applications.get_application(
            uow, viewer.principal, application_id=application_id
        )
        overview = approvals.approval_overview(uow, viewer.principal, application_id=application_id)
    approval = overview.approval
    current = approval.current_step if approval else None
    timer = None
    if current is not None and current.due_at is not None:
        remaining = int((current.due_at - request_now(request)).total_seconds())
        timer = (remaining < 0, sla_text(remaining, _))
    context: dict[str, Any] = {
        "a": application,
        "overview": overview,
        "approval": approval,
        "current": current,
        "timer": timer,
        "form": form or {"action": "approve"},
        "errors": errors or {},
        "may_act": overview.may_act and viewer.can("origination.approve"),
        "role_names": default_role_names(locale_of(request)),
    }
    return render_page(
        request, "origination/approval.html", context, notices=notices, status_code=status_code
    )


@router.get(APPLICATION_URL)
def approval_page(
    request: Request,
    application_id: int,
    viewer: Viewer = Depends(permitted("origination.view")),
) -> Response:
    return render_approval(request, viewer, application_id)


def _conditions(form: dict[str, str]) -> Conditions | None:
    if form["action"] != "approve_with_conditions":
        return None
    raw_amount = form["conditions.amount"]
    try:
        amount = Decimal(raw_amount) if raw_amount else None
    except InvalidOperation:
        raise ValidationFailed("an amount like 80000.00", field="conditions.amount") from None
    raw_term = form["conditions.term_count"]
    if raw_term and not raw_term.isdigit():
        raise ValidationFailed("a whole number of periods", field="conditions.term_count")
    return Conditions(
        amount=amount,
        term_count=int(raw_term) if raw_term else None,
        extra_guarantor=form["conditions.extra_guarantor"] == "on",
        other=form["conditions.other"],
    )


@router.post(APPLICATION_URL)
async def act_on_application(
    request: Request,
    application_id: int,
    viewer: Viewer = Depends(permitted("origination.approve")),
) -> Response:
    _ = gettext_for(request)
    form = form_texts(await request.form(), FORM_FIELDS)
    try:
        conditions = _conditions(form)
        with page_uow(request) as uow:
            view = approvals.act_on_application(
                uow,
                viewer.principal,
                application_id=application_id,
                action=form["action"],
                opinion=form["opinion"],
                conditions=conditions,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, FORM_FIELDS, _)
        return render_approval(
            request,
            viewer,
            application_id,
            form=form,
            errors=errors,
            notices=notices,
            status_code=error.status,
        )
    messages = {
        "in_progress": _("Your decision is recorded."),
        "approved": _("The application is approved."),
        "conditionally_approved": _("The application is approved with conditions."),
        "rejected": _("The application is rejected."),
        "returned": _("The application is returned to the officer for more information."),
    }
    return see_other(request, INBOX_URL, Notice("success", messages.get(view.status, "")))

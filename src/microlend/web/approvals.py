"""Maker-checker pages: the checker's inbox (approve or reject with htmx; a form elsewhere, such
as a loan's page, may name the page to go back to) and, for administrators, which commands need
a second person (each command's effective rule: the company's, or the command's default).

Pending commands come from every context, so these pages live in the web shell, above them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.db.commands import command_spec
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, NotFound
from microlend.orgs import service as orgs
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.i18n import bilingual
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import current_viewer, permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import (
    gettext_for,
    is_fragment_request,
    locale_of,
    render_page,
    see_other,
)
from microlend.web.kit.viewer import Viewer
from microlend.web.pages import safe_next

router = page_router()
INBOX_URL = "/inbox"
RULES_URL = "/admin/maker-checker"
RECENT_DECISIONS = 15


def command_label(command: str, locale: str) -> str:
    """A command's name for people: the name of the permission it is named after."""
    en, zh = PERMISSIONS.get(command, (command, command))
    return bilingual(locale, en=en, zh=zh)


@dataclass(frozen=True)
class InboxItem:
    id: int
    command: str
    label: str
    summary: str
    maker_username: str
    is_mine: bool
    office_name: str
    created_at: datetime
    can_decide: bool
    status: str
    checker_username: str | None
    decided_at: datetime | None
    reason: str | None


def _items(
    views: list[auth.PendingView], viewer: Viewer, locale: str, uow: UnitOfWork
) -> list[InboxItem]:
    offices: dict[int, str] = {}

    def office_name(office_id: int) -> str:
        if office_id not in offices:
            try:
                offices[office_id] = orgs.find_office(uow, office_id=office_id).name
            except NotFound:
                offices[office_id] = str(office_id)
        return offices[office_id]

    return [
        InboxItem(
            view.id,
            view.command,
            command_label(view.command, locale),
            view.summary,
            view.maker_username,
            view.maker_id == viewer.principal.user_id,
            office_name(view.office_id),
            view.created_at,
            view.can_decide,
            view.status,
            view.checker_username,
            view.decided_at,
            view.reason,
        )
        for view in views
    ]


def render_inbox(
    request: Request, viewer: Viewer, *, notices: list[Notice] | None = None, status_code: int = 200
) -> Response:
    locale = locale_of(request)
    with page_uow(request, read_only=True) as uow:
        waiting = _items(auth.list_pending(uow, viewer.principal), viewer, locale, uow)
        decided = [
            *auth.list_pending(uow, viewer.principal, status="approved"),
            *auth.list_pending(uow, viewer.principal, status="rejected"),
        ]
        decided.sort(key=lambda view: view.decided_at or view.created_at, reverse=True)
        recent = _items(decided[:RECENT_DECISIONS], viewer, locale, uow)
    context = {"items": waiting, "decided": recent}
    return render_page(
        request, "auth/inbox.html", context, notices=notices, status_code=status_code
    )


@router.get(INBOX_URL)
def inbox_page(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    return render_inbox(request, viewer)


def _after_decision(
    request: Request, viewer: Viewer, notice: Notice, status_code: int, back_to: str = ""
) -> Response:
    """htmx gets the refreshed inbox in place; a plain form is redirected (or shown the error),
    to ``back_to`` when the form came from another page."""
    if back_to and not is_fragment_request(request):
        return see_other(request, safe_next(back_to), notice)
    if status_code < 400 and not is_fragment_request(request):
        return see_other(request, INBOX_URL, notice)
    return render_inbox(request, viewer, notices=[notice], status_code=status_code)


@router.post(INBOX_URL + "/{pending_id:int}/approve")
def approve(
    request: Request,
    pending_id: int,
    viewer: Viewer = Depends(current_viewer),
    back_to: str = Form("", alias="next"),
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            auth.approve_pending(
                uow, viewer.principal, pending_id=pending_id, now=request_now(request)
            )
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return _after_decision(request, viewer, notice, error.status, back_to)
    message = _("Approved #%(id)s: the command has run.") % {"id": pending_id}
    return _after_decision(request, viewer, Notice("success", message), 200, back_to)


@router.post(INBOX_URL + "/{pending_id:int}/reject")
def reject(
    request: Request,
    pending_id: int,
    viewer: Viewer = Depends(current_viewer),
    reason: str = Form(""),
    back_to: str = Form("", alias="next"),
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            auth.reject_pending(
                uow, viewer.principal, pending_id=pending_id, reason=reason,
                now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return _after_decision(request, viewer, notice, error.status, back_to)
    message = _("Rejected #%(id)s.") % {"id": pending_id}
    return _after_decision(request, viewer, Notice("success", message), 200, back_to)


# --- which commands need a checker ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    command: str
    label: str
    enabled: bool  # in effect now
    by_default: bool  # what the command does where the company set no rule


@router.get(RULES_URL)
def rules_page(
    request: Request, viewer: Viewer = Depends(permitted("makerchecker.configure"))
) -> Response:
    locale = locale_of(request)
    with page_uow(request, read_only=True) as uow:
        enabled = auth.maker_checker_rules(uow, viewer.principal)
    rules = [
        RuleRow(name, command_label(name, locale), on, command_spec(name).checked_by_default)
        for name, on in sorted(enabled.items())
    ]
    return render_page(request, "auth/maker_checker.html", {"rules": rules})


@router.post(RULES_URL)
def configure(
    request: Request,
    viewer: Viewer = Depends(permitted("makerchecker.configure")),
    command: str = Form(""),
    enabled: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    switch_on = enabled == "on"
    label = command_label(command, locale_of(request))
    with page_uow(request) as uow:
        outcome = auth.configure_maker_checker(
            uow, viewer.principal, command_name=command, enabled=switch_on,
            now=request_now(request),
        )  # fmt: skip
        uow.commit()
    if isinstance(outcome, auth.Pending):
        text = _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id}
        return see_other(request, RULES_URL, Notice("info", text))
    if switch_on:
        text = _("%(command)s now needs a checker's approval.") % {"command": label}
    else:
        text = _("%(command)s no longer needs a checker.") % {"command": label}
    return see_other(request, RULES_URL, Notice("success", text))

"""Chart of accounts pages: the chart with a form to add an account, and the commands of an
account's page (rename, deactivate, reactivate). Each form posts the command the API posts."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.accounting import service
from microlend.accounting.pages_journal import render_account
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.forms import FieldErrors, feedback
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "accounting.view"
CHART_URL = "/accounting/accounts"
ACCOUNT_FIELDS = ("code", "name_zh", "name_en", "type", "parent_code", "normal_side")
LABELS = {  # the forms' names of the fields the service names
    "code": N_("Code"),
    "name_zh": N_("Chinese name"),
    "name_en": N_("English name"),
    "type": N_("Type"),
    "parent_code": N_("Parent account"),
    "normal_side": N_("Normal side"),
}
CHANGES = {"deactivate": False, "activate": True}


@dataclass(frozen=True)
class AccountForm:
    code: str = ""
    name_zh: str = ""
    name_en: str = ""
    type: str = "asset"
    parent_code: str = ""
    normal_side: str = ""


def render_chart(
    request: Request,
    viewer: Viewer,
    *,
    form: AccountForm,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        accounts = service.list_accounts(uow, viewer.principal)
    context = {"accounts": accounts, "form": form, "errors": errors or {}}
    return render_page(
        request, "accounting/accounts.html", context, notices=notices, status_code=status
    )


@router.get(CHART_URL)
def accounts_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return render_chart(request, viewer, form=AccountForm())


@router.post(CHART_URL)
def add_account(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    code: str = Form(""),
    name_zh: str = Form(""),
    name_en: str = Form(""),
    type: str = Form(""),
    parent_code: str = Form(""),
    normal_side: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    form = AccountForm(code, name_zh, name_en, type, parent_code, normal_side)
    try:
        with page_uow(request) as uow:
            outcome = service.create_account(
                uow,
                viewer.principal,
                code=code.strip(),
                name_zh=name_zh,
                name_en=name_en,
                type=type,
                parent_code=parent_code.strip() or None,
                normal_side=normal_side or None,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, ACCOUNT_FIELDS, _, LABELS)
        return render_chart(
            request, viewer, form=form, errors=errors, notices=notices, status=error.status
        )
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
        return see_other(request, CHART_URL, notice)
    notice = Notice("success", _("Account %(code)s added.") % {"code": outcome.code})
    return see_other(request, f"{CHART_URL}/{outcome.code}", notice)


@router.post(CHART_URL + "/{code}")
def change_account(
    code: str,
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    action: str = Form("rename"),
    name_zh: str = Form(""),
    name_en: str = Form(""),
) -> Response:
    """Rename the account, or deactivate (no new postings) or reactivate it."""
    _ = gettext_for(request)
    renamed = action not in CHANGES
    try:
        with page_uow(request) as uow:
            outcome = service.update_account(
                uow,
                viewer.principal,
                code=code,
                name_zh=name_zh if renamed else None,
                name_en=name_en if renamed else None,
                active=CHANGES.get(action),
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, ("name_zh", "name_en"), _, LABELS)
        return render_account(
            request,
            viewer,
            code,
            names=(name_zh, name_en),
            errors=errors,
            notices=notices,
            status=error.status,
        )
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
    elif renamed:
        notice = Notice("success", _("Account %(code)s renamed.") % {"code": code})
    elif outcome.active:
        notice = Notice("success", _("Account %(code)s reactivated.") % {"code": code})
    else:
        notice = Notice("success", _("Account %(code)s deactivated.") % {"code": code})
    return see_other(request, f"{CHART_URL}/{code}", notice)

"""Ledger pages on the journal: one voucher (its lines, attachments and the reversal button), an
attachment's file, and an account's detail (明细账) with its running balance (its edit form posts
to ``pages_chart``)."""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.accounting import service
from microlend.accounting.pages import parse_day
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.downloads import file_response
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import FieldErrors
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "accounting.view"
REVERSE = "accounting.voucher.reverse"
MANAGE = "accounting.coa.manage"


def render_voucher(
    request: Request,
    viewer: Viewer,
    voucher_id: int,
    *,
    notices: list[Notice] | None = None,
    status: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        voucher = service.get_voucher(uow, viewer.principal, voucher_id=voucher_id)
        attachments = service.list_attachments(uow, viewer.principal, voucher_id=voucher_id)
        reversal = service.reversal_of(uow, viewer.principal, voucher_id=voucher_id)
    context = {
        "voucher": voucher,
        "reversal": reversal,
        "attachments": attachments,
        "today": request_now(request).date().isoformat(),
    }
    return render_page(
        request, "accounting/voucher.html", context, notices=notices, status_code=status
    )


@router.get("/accounting/vouchers/{voucher_id}")
def voucher_page(
    voucher_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    return render_voucher(request, viewer, voucher_id)


@router.get("/accounting/vouchers/{voucher_id}/attachments/{attachment_id}")
def attachment_file(
    voucher_id: int, attachment_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """The attachment's file; a file lost from storage is an error page saying so."""
    with page_uow(request, read_only=True) as uow:
        attachment, content = service.read_attachment(
            uow, viewer.principal, voucher_id=voucher_id, attachment_id=attachment_id
        )
    return file_response(content, attachment.media_type, attachment.filename, inline=False)


@router.post("/accounting/vouchers/{voucher_id}/reverse")
def reverse_voucher(
    voucher_id: int,
    request: Request,
    viewer: Viewer = Depends(permitted(REVERSE)),
    business_date: str = Form(""),
    reason: str = Form(""),
) -> Response:
    """Post the red-ink reversal; maker-checker may hold it for a checker."""
    _ = gettext_for(request)
    try:
        day = parse_day(business_date, request_now(request).date(), "business_date")
        with page_uow(request) as uow:
            outcome = service.reverse_voucher(
                uow,
                viewer.principal,
                voucher_id=voucher_id,
                business_date=day,
                reason=reason,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return render_voucher(request, viewer, voucher_id, notices=[notice], status=error.status)
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
        return see_other(request, f"/accounting/vouchers/{voucher_id}", notice)
    notice = Notice("success", _("Reversal %(number)s posted.") % {"number": outcome.number})
    return see_other(request, f"/accounting/vouchers/{outcome.id}", notice)


def render_account(
    request: Request,
    viewer: Viewer,
    code: str,
    *,
    date_from: str = "",
    date_to: str = "",
    names: tuple[str, str] | None = None,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status: int = 200,
) -> Response:
    """The account's detail, with the form to rename or (de)activate it for who may (``names``:
    the Chinese and English names as posted, shown again when the change was refused)."""
    today = request_now(request).date()
    first = parse_day(date_from, today.replace(day=1), "date_from")
    last = parse_day(date_to, today, "date_to")
    with page_uow(request, read_only=True) as uow:
        detail = service.account_detail(
            uow, viewer.principal, code=code, date_from=first, date_to=last
        )
        chart = service.list_accounts(uow, viewer.principal) if viewer.can(MANAGE) else []
    account = next((row for row in chart if row.code == code), None)
    context = {
        "detail": detail,
        "query": f"date_from={first}&date_to={last}",
        "account": account,
        "names": names or (detail.name_zh, detail.name_en),
        "errors": errors or {},
    }
    return render_page(
        request, "accounting/account.html", context, notices=notices, status_code=status
    )


@router.get("/accounting/accounts/{code}")
def account_page(
    code: str,
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    date_from: str = "",
    date_to: str = "",
) -> Response:
    """明细账: the account's lines (and its sub-accounts') with the running balance."""
    return render_account(request, viewer, code, date_from=date_from, date_to=date_to)

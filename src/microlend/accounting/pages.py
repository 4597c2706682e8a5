"""Ledger pages: vouchers and manual entry, trial balance, statements, period close. One voucher
and an account's detail are in ``pages_journal``, the chart of accounts in ``pages_chart``, the
posting rules in ``pages_rules``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.accounting import service
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import optional_date, optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "accounting.view"
PERIODS_URL = "/accounting/periods"
POST = "accounting.voucher.post"
ENTRY_URL = "/accounting/vouchers/new"
LINE_ROWS = 4


def parse_day(text: str | None, default: date, field: str) -> date:
    return optional_date(text, field) or default


@router.get("/accounting/vouchers")
def vouchers_page(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    period: str = "",
    cursor: str | None = None,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        page = service.list_vouchers(
            uow, viewer.principal, period=period or None, cursor=cursor, limit=50
        )
    context = {"vouchers": page.items, "next_cursor": page.next_cursor, "period": period}
    return render_page(request, "accounting/vouchers.html", context)


@dataclass(frozen=True)
class EntryForm:
    business_date: str = ""
    summary: str = ""
    office_id: str = ""
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)


def render_entry(
    request: Request,
    viewer: Viewer,
    form: EntryForm,
    *,
    notices: list[Notice] | None = None,
    status: int = 200,
) -> Response:
    rows = form.lines + [("", "D", "", "")] * (LINE_ROWS - len(form.lines))
    context = {"form": form, "rows": rows}
    return render_page(
        request, "accounting/voucher_new.html", context, notices=notices, status_code=status
    )


@router.get(ENTRY_URL)
def entry_page(request: Request, viewer: Viewer = Depends(permitted(POST))) -> Response:
    today = request_now(request).date().isoformat()
    form = EntryForm(business_date=today, office_id=str(viewer.principal.office_id))
    return render_entry(request, viewer, form)


@router.post(ENTRY_URL)
def enter_voucher(
    request: Request,
    viewer: Viewer = Depends(permitted(POST)),
    business_date: str = Form(""),
    summary: str = Form(""),
    office_id: str = Form(""),
    account_code: list[str] = Form(default_factory=list),
    side: list[str] = Form(default_factory=list),
    amount: list[str] = Form(default_factory=list),
    memo: list[str] = Form(default_factory=list),
) -> Response:
    _ = gettext_for(request)
    filled = [
        row
        for row in zip(account_code, side, amount, memo + [""] * len(amount), strict=False)
        if row[0].strip() or row[2].strip()
    ]
    form = EntryForm(business_date, summary, office_id, filled)
    lines = [
        {"account_code": code.strip(), "side": way, "amount": value.strip(), "memo": note}
        for code, way, value, note in filled
    ]
    try:
        day = parse_day(business_date, date.min, "business_date")
        with page_uow(request) as uow:
            outcome = service.post_manual_voucher(
                uow,
                viewer.principal,
                office_id=optional_int(office_id) or viewer.principal.office_id,
                business_date=day,
                summary=summary,
                lines=lines,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return render_entry(request, viewer, form, notices=[notice], status=error.status)
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
        return see_other(request, "/accounting/vouchers", notice)
    notice = Notice("success", _("Voucher %(number)s posted.") % {"number": outcome.number})
    return see_other(request, f"/accounting/vouchers/{outcome.id}", notice)


@router.get("/accounting/trial-balance")
def trial_balance_page(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    date_from: str = "",
    date_to: str = "",
    consolidated: bool = False,
) -> Response:
    today = request_now(request).date()
    first = parse_day(date_from, today.replace(day=1), "date_from")
    last = parse_day(date_to, today, "date_to")
    with page_uow(request, read_only=True) as uow:
        report = service.trial_balance(
            uow, viewer.principal, date_from=first, date_to=last, consolidated=consolidated
        )
    query = f"date_from={first}&date_to={last}" + ("&consolidated=true" if consolidated else "")
    context = {"report": report, "consolidated": consolidated, "query": query}
    return render_page(request, "accounting/trial_balance.html", context)


@router.get("/accounting/statements")
def statements_page(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    date_from: str = "",
    date_to: str = "",
    consolidated: bool = False,
) -> Response:
    today = request_now(request).date()
    last = parse_day(date_to, today, "date_to")
    first = parse_day(date_from, last.replace(month=1, day=1), "date_from")
    with page_uow(request, read_only=True) as uow:
        sheet = service.balance_sheet(uow, viewer.principal, as_of=last, consolidated=consolidated)
        income = service.income_statement(
            uow, viewer.principal, date_from=first, date_to=last, consolidated=consolidated
        )
    context = {"sheet": sheet, "income": income, "consolidated": consolidated}
    return render_page(request, "accounting/statements.html", context)


def render_periods(
    request: Request, viewer: Viewer, *, notices: list[Notice] | None = None, status: int = 200
) -> Response:
    with page_uow(request, read_only=True) as uow:
        periods = service.list_periods(uow, viewer.principal)
    return render_page(
        request,
        "accounting/periods.html",
        {"periods": list(reversed(periods))},
        notices=notices,
        status_code=status,
    )


@router.get(PERIODS_URL)
def periods_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return render_periods(request, viewer)


@router.post(PERIODS_URL)
def change_period(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    period: str = Form(""),
    action: str = Form("close"),
    reason: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            if action == "reopen":
                outcome = service.reopen_period(
                    uow,
                    viewer.principal,
                    period=period,
                    reason=reason or "reopened on the web",
                    now=request_now(request),
                )
            else:
                outcome = service.close_period(
                    uow, viewer.principal, period=period, now=request_now(request)
                )
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return render_periods(request, viewer, notices=[notice], status=error.status)
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
    else:
        done = (
            _("Period %(period)s closed.")
            if action != "reopen"
            else _("Period %(period)s reopened.")
        )
        notice = Notice("success", done % {"period": outcome.period})
    return see_other(request, PERIODS_URL, notice)

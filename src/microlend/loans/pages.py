"""Loan pages: the list, the loan page (schedule with each installment's status, events, their
allocations and vouchers, fund usage), the repayment form with a live allocation preview (the
engine's ``post`` on the stored events, nothing saved), the payoff quote, and the waiver,
reschedule, write-off and fund usage forms (each a command: maker-checker may hold it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from microlend.accounting.tables import Voucher
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.loans import service
from microlend.loans.fund_usage import CATEGORIES, PROHIBITED
from microlend.loans.queries import STATUSES
from microlend.loans.tables import Loan
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "loans.view"


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown."""
    return message


@router.get("/loans")
def loans_page(
    request: Request, status: str = "", overdue: str = "", viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    chosen = status if status in STATUSES else None
    late = True if overdue == "1" else None
    with page_uow(request, read_only=True) as uow:
        rows = service.list_loans(uow, viewer.principal, status=chosen, overdue=late, limit=200)
    context = {"loans": rows, "status": chosen or "", "overdue": overdue, "statuses": STATUSES}
    return render_page(request, "loans/list.html", context)


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@router.get("/loans/{loan_id}")
def loan_page(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    actor = viewer.principal
    with page_uow(request, read_only=True) as uow:
        loan = service.get_loan(uow, actor, loan_id=loan_id)
        postings = service.postings(uow, actor, loan_id=loan_id)
        keys = [key for p in postings for key in p.voucher_keys]
        vouchers = (
            {
                row.idempotency_key: row
                for row in uow.session.scalars(
                    select(Voucher).where(
                        Voucher.company_id == loan.company_id, Voucher.idempotency_key.in_(keys)
                    )
                )
            }
            if keys
            else {}
        )
        context: dict[str, Any] = {
            "loan": loan,
            "installments": service.installments(uow, actor, loan_id=loan_id),
            "events": service.events(uow, actor, loan_id=loan_id),
            "postings": postings,
            "vouchers": vouchers,
            "usages": service.fund_usages(uow, actor, loan_id=loan_id),
            "quote": service.quote_payoff(uow, actor, loan_id=loan_id)
            if loan.status not in ("closed", "written_off")
            else None,
            "business_date": service.business_date(uow, loan.company_id),
            "undisbursed": service.undisbursed(uow, uow.session.get_one(Loan, loan_id)),
            "notes": service.notes(uow, actor, loan_id=loan_id),
            "categories": CATEGORIES + PROHIBITED,
        }
    return render_page(request, "loans/detail.html", context)


@router.get("/loans/{loan_id}/repayment-preview")
def preview_fragment(
    request: Request,
    loan_id: int,
    amount: str = "",
    value_date: str = "",
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    """The allocation the repayment form would make (htmx fragment)."""
    _ = gettext_for(request)
    posting, problem = None, ""
    if amount.strip():
        try:
            with page_uow(request, read_only=True) as uow:
                posting = service.preview(
                    uow,
                    viewer.principal,
                    loan_id=loan_id,
                    amount=amount.strip(),
                    value_date=_date(value_date),
                )
        except DomainError as error:
            problem = error_text.describe(error, _)
    return render_page(request, "loans/preview.html", {"posting": posting, "problem": problem})


async def _run(request: Request, loan_id: int, action: Any, done: str) -> Response:
    _ = gettext_for(request)
    url = f"/loans/{loan_id}"
    try:
        with page_uow(request) as uow:
            outcome = action(uow)
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", error_text.describe(error, _)))
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
        return see_other(request, url, notice)
    return see_other(request, url, Notice("success", _(done)))


def _field(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


@router.post("/loans/{loan_id}/repay")
async def repay(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted("loans.repay"))
) -> Response:
    form = await request.form()
    now = request_now(request)
    kind = _field(form, "kind")
    call = service.prepay if kind == "prepayment" else service.repay
    return await _run(
        request,
        loan_id,
        lambda uow: call(
            uow,
            viewer.principal,
            loan_id=loan_id,
            amount=_field(form, "amount"),
            value_date=_date(_field(form, "value_date")),
            channel=_field(form, "channel") or "bank",
            external_reference=_field(form, "external_reference") or None,
            now=now,
        ),
        N_("The repayment is recorded."),
    )


@router.post("/loans/{loan_id}/waive")
async def waive(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted("loans.waive"))
) -> Response:
    form = await request.form()
    now = request_now(request)
    return await _run(
        request,
        loan_id,
        lambda uow: service.waive(
            uow,
            viewer.principal,
            loan_id=loan_id,
            component=_field(form, "component"),
            amount=_field(form, "amount"),
            reason=_field(form, "reason"),
            now=now,
        ),
        N_("The waiver is recorded."),
    )


@router.post("/loans/{loan_id}/reschedule")
async def reschedule(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted("loans.reschedule"))
) -> Response:
    form = await request.form()
    now = request_now(request)
    rate = _field(form, "annual_rate") or None
    term = int(_field(form, "term")) if _field(form, "term").isdigit() else 0
    return await _run(
        request,
        loan_id,
        lambda uow: service.reschedule(
            uow,
            viewer.principal,
            loan_id=loan_id,
            term=term,
            annual_rate=Decimal(rate) if rate and rate.replace(".", "", 1).isdigit() else None,
            capitalise_arrears=bool(form.get("capitalise_arrears")),
            reason=_field(form, "reason"),
            now=now,
        ),
        N_("The loan is rescheduled."),
    )


@router.post("/loans/{loan_id}/write-off")
async def write_off(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted("loans.writeoff"))
) -> Response:
    form = await request.form()
    now = request_now(request)
    return await _run(
        request,
        loan_id,
        lambda uow: service.write_off(
            uow, viewer.principal, loan_id=loan_id, reason=_field(form, "reason"), now=now
        ),
        N_("The loan is written off."),
    )


@router.post("/loans/{loan_id}/fund-usage")
async def fund_usage(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted("loans.fund_usage.record"))
) -> Response:
    form = await request.form()
    now = request_now(request)
    upload = form.get("evidence")
    content = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    name = getattr(upload, "filename", None) if content else None
    used_on = _date(_field(form, "used_on")) or date.min
    return await _run(
        request,
        loan_id,
        lambda uow: service.record_usage(
            uow,
            viewer.principal,
            loan_id=loan_id,
            amount=_field(form, "amount"),
            used_on=used_on,
            counterparty=_field(form, "counterparty"),
            category=_field(form, "category"),
            description=_field(form, "description"),
            evidence=content or None,
            evidence_name=name,
            now=now,
        ),
        N_("The fund usage is recorded."),
    )


@router.post("/loans/{loan_id}/events/{event_id}/reverse")
async def reverse(
    request: Request,
    loan_id: int,
    event_id: int,
    viewer: Viewer = Depends(permitted("loans.repayment.reverse")),
) -> Response:
    form = await request.form()
    now = request_now(request)
    return await _run(
        request,
        loan_id,
        lambda uow: service.reverse(
            uow,
            viewer.principal,
            loan_id=loan_id,
            event_id=event_id,
            reason=_field(form, "reason"),
            now=now,
        ),
        N_("The transaction is reversed."),
    )


@router.post("/loans/{loan_id}/notes")
async def add_note(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    form = await request.form()
    now = request_now(request)
    return await _run(
        request,
        loan_id,
        lambda uow: service.add_note(
            uow, viewer.principal, loan_id=loan_id, body=_field(form, "body"), now=now
        ),
        N_("The note is added."),
    )

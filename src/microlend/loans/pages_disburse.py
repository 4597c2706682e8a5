"""放款 pages: the queue of contracted applications with a disbursement form each (in full or a
first tranche), and the later-tranche form of the loan page (分次放款)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.loans import service
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import optional_date
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
DISBURSE = "loans.disburse"
QUEUE = "/loans/disbursements"


def _field(form: object, name: str) -> str:
    return str(form.get(name) or "").strip()  # type: ignore[attr-defined]


@router.get(QUEUE)
def queue_page(request: Request, viewer: Viewer = Depends(permitted(DISBURSE))) -> Response:
    with page_uow(request, read_only=True) as uow:
        waiting = service.awaiting_disbursement(uow, viewer.principal)
        today = service.business_date(uow, viewer.principal.company_id)
    context = {"waiting": waiting, "business_date": today}
    return render_page(request, "loans/disbursements.html", context)


@router.post(QUEUE + "/{application_id}")
async def disburse(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(DISBURSE))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    now = request_now(request)
    payee = _field(form, "payee") or "borrower"
    # the form offers both: the borrower's registered accounts, and the seller's name and account
    # for entrusted payment; only the chosen payee's fields are sent on
    seller = payee == "seller"
    try:
        with page_uow(request) as uow:
            done = service.disburse(
                uow,
                viewer.principal,
                application_id=application_id,
                amount=_field(form, "amount") or None,
                disbursement_date=optional_date(
                    _field(form, "disbursement_date"), "disbursement_date"
                ),
                payee=payee,
                payee_name=_field(form, "payee_name") if seller else "",
                payee_account=_field(form, "payee_account") if seller else "",
                payee_account_id=None if seller else _field(form, "payee_account_id") or None,
                fee_mode=_field(form, "fee_mode") or "deducted",
                now=now,
            )
            uow.commit()
    except DomainError as error:
        return see_other(request, QUEUE, Notice("error", error_text.describe(error, _)))
    if isinstance(done, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": done.pending_id})
        return see_other(request, QUEUE, notice)
    message = _("Loan %(number)s is disbursed.") % {"number": done.number}
    return see_other(request, f"/loans/{done.id}", Notice("success", message))


@router.post("/loans/{loan_id}/tranche")
async def tranche(
    request: Request, loan_id: int, viewer: Viewer = Depends(permitted(DISBURSE))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    now = request_now(request)
    url = f"/loans/{loan_id}"
    try:
        with page_uow(request) as uow:
            done = service.disburse_tranche(
                uow,
                viewer.principal,
                loan_id=loan_id,
                amount=_field(form, "amount"),
                value_date=optional_date(_field(form, "value_date"), "value_date"),
                now=now,
            )
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", error_text.describe(error, _)))
    if isinstance(done, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": done.pending_id})
        return see_other(request, url, notice)
    return see_other(request, url, Notice("success", _("The tranche is disbursed.")))

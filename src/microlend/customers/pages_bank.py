"""The bank accounts on the customer page: add one (refusals beside their fields), remove one."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers import service
from microlend.customers.pages import BANK_FIELDS, render_customer
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()


def _section(customer_id: int) -> str:
    return f"/customers/{customer_id}#bank-accounts"


@router.post("/customers/{customer_id:int}/bank-accounts")
async def add_account(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.update"))
) -> Response:
    _ = gettext_for(request)
    form = form_texts(await request.form(), BANK_FIELDS)
    try:
        with page_uow(request) as uow:
            added = service.add_bank_account(uow, viewer.principal, customer_id=customer_id,
                                             now=request_now(request), **form)  # fmt: skip
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, BANK_FIELDS, _)
        return render_customer(request, viewer, customer_id, bank_form=form, errors=errors,
                               notices=notices, status_code=error.status)  # fmt: skip
    if isinstance(added, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": added.pending_id})
    else:
        notice = Notice("success", _("Bank account %(number)s added.") % {
            "number": added.account_no})  # fmt: skip
    return see_other(request, _section(customer_id), notice)


@router.post("/customers/{customer_id:int}/bank-accounts/{account_id:int}/remove")
def remove_account(
    request: Request, customer_id: int, account_id: int,
    viewer: Viewer = Depends(permitted("customers.update")),
) -> Response:  # fmt: skip
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            service.remove_bank_account(
                uow, viewer.principal, customer_id=customer_id, account_id=account_id,
                now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        notice = Notice("error", error_text.describe(error, _))
        return see_other(request, _section(customer_id), notice)
    return see_other(request, _section(customer_id), Notice("success", _("Bank account removed.")))

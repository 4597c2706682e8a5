"""Customer pages: the list with search, the registration form (individual or enterprise) and
the customer 360."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers import file360, service, transfers
from microlend.customers.views import CustomerView
from microlend.db.commands import Pending
from microlend.kernel.errors import Conflict, DomainError, ValidationFailed
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
N_ = error_text.N_
DOCUMENT_TYPES = {  # credit_file.DOCUMENT_TYPES with their names
    "id_copy": N_("ID copy"),
    "business_licence": N_("Business licence"),
    "statement": N_("Financial statement"),
    "site_visit_photo": N_("Site-visit photo"),
    "other": N_("Other"),
}
# An enterprise's document number is its unified social credit code (customers.service._identity).
ENTERPRISE_LABELS = {"id_number": N_("Unified social credit code")}
LIST_URL = "/customers"
NEW_URL = "/customers/new"
INDIVIDUAL_FIELDS = (
    "id_kind",
    "id_number",
    "name",
    "phone",
    "address",
    "marital_status",
    "education",
    "employer",
    "monthly_income",
)
ENTERPRISE_FIELDS = (
    "id_number",
    "name",
    "phone",
    "address",
    "legal_representative",
    "registered_capital",
    "industry_code",
    "region_code",
    "founded_on",
    "employees",
)


@router.get(LIST_URL)
def customers_page(
    request: Request,
    q: str = "",
    by: str = "auto",
    cursor: str | None = None,
    viewer: Viewer = Depends(permitted("customers.view")),
) -> Response:
    _ = gettext_for(request)
    notices: list[Notice] = []
    items: list[CustomerView] = []
    next_cursor = None
    try:
        with page_uow(request, read_only=True) as uow:
            page = service.search_customers(
                uow, viewer.principal, q=q or None, by=by, cursor=cursor, limit=50
            )
        items, next_cursor = page.items, page.next_cursor
    except ValidationFailed as error:
        notices = feedback(error, (), _)[1]
    return render_page(
        request,
        "customers/list.html",
        {"customers": items, "next_cursor": next_cursor, "q": q, "by": by},
        notices=notices,
    )


def render_form(
    request: Request,
    *,
    kind: str,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "customers/new.html",
        {"kind": kind, "form": form, "errors": errors or {}},
        notices=notices,
        status_code=status_code,
    )


@router.get(NEW_URL)
def new_customer_page(
    request: Request,
    kind: str = "individual",
    viewer: Viewer = Depends(permitted("customers.create")),
) -> Response:
    kind = kind if kind in ("individual", "enterprise") else "individual"
    names = ENTERPRISE_FIELDS if kind == "enterprise" else INDIVIDUAL_FIELDS
    return render_form(request, kind=kind, form=dict.fromkeys(names, ""))


def _collision_notice(error: Conflict, _: Any) -> Notice:
    holder = error.extra.get("holder") or {}
    if error.code == "customer_in_pool":
        return Notice("warning", _("This customer is in the shared pool: claim it instead."))
    return Notice(
        "error",
        _("Already registered: held by %(officer)s (%(office)s, %(company)s) since %(since)s.")
        % {key: holder.get(key) or "-" for key in ("officer", "office", "company", "since")},
    )


@router.post(NEW_URL)
async def register_customer(
    request: Request, viewer: Viewer = Depends(permitted("customers.create"))
) -> Response:
    _ = gettext_for(request)
    submitted = await request.form()
    kind = "enterprise" if submitted.get("kind") == "enterprise" else "individual"
    names = ENTERPRISE_FIELDS if kind == "enterprise" else INDIVIDUAL_FIELDS
    form = form_texts(submitted, names)
    extra: dict[str, Any] = {k: v for k, v in form.items() if v and k not in ("id_number", "name")}
    try:
        with page_uow(request) as uow:
            created = service.register_customer(
                uow,
                viewer.principal,
                kind=kind,
                id_number=form["id_number"],
                name=form["name"],
                now=request_now(request),
                **extra,
            )
            uow.commit()
    except Conflict as error:
        return render_form(
            request,
            kind=kind,
            form=form,
            errors={},
            notices=[_collision_notice(error, _)],
            status_code=409,
        )
    except (DomainError, ValueError) as error:
        failure = error if isinstance(error, DomainError) else ValidationFailed(str(error))
        labels = ENTERPRISE_LABELS if kind == "enterprise" else None
        errors, notices = feedback(failure, names, _, labels)
        return render_form(
            request,
            kind=kind,
            form=form,
            errors=errors,
            notices=notices,
            status_code=getattr(failure, "status", 422),
        )
    if isinstance(created, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": created.pending_id})
        return see_other(request, LIST_URL, notice)
    notice = Notice("success", _("Customer %(name)s registered.") % {"name": created.name})
    return see_other(request, f"{LIST_URL}/{created.id}", notice)


BANK_FIELDS = ("bank_name", "account_no", "account_name")


def render_customer(
    request: Request,
    viewer: Viewer,
    customer_id: int,
    *,
    bank_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    """The customer 360; the bank-account form as submitted, with its errors, when refused."""
    _ = gettext_for(request)
    with page_uow(request, read_only=True) as uow:
        card = file360.customer_file(uow, viewer.principal, customer_id=customer_id)
        candidates = transfers.transfer_candidates(uow, viewer.principal)
    document_types = {key: _(label) for key, label in DOCUMENT_TYPES.items()}
    return render_page(request, "customers/detail.html", {
        "card": card, "c": card.customer, "document_types": document_types,
        "transfer_candidates": [(i, n) for i, n in candidates if i != card.holder.owner_id],
        "bank_form": bank_form or dict.fromkeys(BANK_FIELDS, ""), "errors": errors or {},
    }, notices=notices, status_code=status_code)  # fmt: skip


@router.get(LIST_URL + "/{customer_id:int}")
def customer_page(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.view"))
) -> Response:
    return render_customer(request, viewer, customer_id)

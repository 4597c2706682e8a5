"""The product form pages: create a product, revise it (a new version), and the inline check
that htmx runs as the form changes (it renders the form with each refusal beside its input)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers.credit_file import DOCUMENT_TYPES
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.products import service
from microlend.products.defaults import INDIVIDUAL_BUSINESS
from microlend.products.errors_text import describe
from microlend.products.readable import VALUE_LABELS, allocation_choices
from microlend.products.schemas import document_of, terms_from_document
from microlend.products.terms_form import (
    GRADES,
    document_from_form,
    fee_row_count,
    form_from_document,
    input_of,
)
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
MANAGE = "products.manage"
MULTI = ("customer_kinds", "methods", "required_documents")
REVISE_URL = re.compile(r"/products/(\d+)/revise")
FLAGS = ("prepayment_allowed", "collateral_required", "penalty_compound")


async def _submitted(request: Request) -> dict[str, Any]:
    raw = await request.form()
    form: dict[str, Any] = {key: str(raw.get(key) or "") for key in raw if key not in MULTI}
    for key in MULTI:
        form[key] = [str(v) for v in raw.getlist(key)]
    for key in FLAGS:  # an unticked box is not submitted
        form.setdefault(key, "")
    return form


def render_form(
    request: Request, *, form: dict[str, Any], action: str, product: Any = None,
    errors: dict[str, str] | None = None, notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    _ = gettext_for(request)
    return render_page(
        request,
        "products/form.html",
        {"form": form, "action": action, "product": product, "errors": errors or {},
         "grades": GRADES, "fee_rows": range(fee_row_count(form)),
         "document_choices": [(d, _(VALUE_LABELS.get(d, d))) for d in DOCUMENT_TYPES],
         "allocations": allocation_choices(_)},
        notices=notices,
        status_code=status_code,
    )  # fmt: skip


def _refusal(
    request: Request, error: DomainError, form: dict[str, Any]
) -> tuple[dict[str, str], list[Notice]]:
    _ = gettext_for(request)
    message = describe(error, _)
    where = input_of(error.field, document_from_form(form))
    if where and (where in form or where in MULTI or where in ("code", "name")):
        return {where: message}, []
    return {}, [Notice("error", message)]


@router.get("/products/new")
def new_product_page(request: Request, viewer: Viewer = Depends(permitted(MANAGE))) -> Response:
    form = form_from_document(document_of(INDIVIDUAL_BUSINESS.terms))
    form.update(code="", name="")
    return render_form(request, form=form, action="/products/new")


@router.post("/products/check")
async def check_product_form(
    request: Request, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    """The form again, with the first refusal beside its input (htmx, as the form changes)."""
    form = await _submitted(request)
    revising = REVISE_URL.fullmatch(form.get("action") or "")
    action, product = "/products/new", None
    if revising is not None:
        action = revising.group(0)
        with page_uow(request, read_only=True) as uow:
            product_id = int(revising.group(1))
            product = service.get_product(uow, viewer.principal, product_id=product_id)
    errors: dict[str, str] = {}
    notices: list[Notice] = []
    try:
        terms_from_document(document_from_form(form))
    except DomainError as error:
        errors, notices = _refusal(request, error, form)
    return render_form(request, form=form, action=action, product=product, errors=errors,
                       notices=notices)  # fmt: skip


@router.post("/products/new")
async def create_product(request: Request, viewer: Viewer = Depends(permitted(MANAGE))) -> Response:
    _ = gettext_for(request)
    form = await _submitted(request)
    try:
        terms = terms_from_document(document_from_form(form))
        with page_uow(request) as uow:
            created = service.create_product(
                uow, viewer.principal, company_id=viewer.principal.company_id,
                code=form.get("code", "").strip().upper(), name=form.get("name", ""),
                customer_kind=service.kind_of(terms), currency=terms.currency, terms=terms,
                now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        errors, notices = _refusal(request, error, form)
        return render_form(request, form=form, action="/products/new", errors=errors,
                           notices=notices, status_code=error.status)  # fmt: skip
    if isinstance(created, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": created.pending_id})
        return see_other(request, "/products", notice)
    notice = Notice("success", _("Product %(code)s created.") % {"code": created.code})
    return see_other(request, f"/products/{created.id}", notice)


@router.get("/products/{product_id}/revise")
def revise_product_page(
    request: Request, product_id: int, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        product = service.get_product(uow, viewer.principal, product_id=product_id)
    assert product.current is not None
    form = form_from_document(document_of(product.current.terms))
    return render_form(request, form=form, action=f"/products/{product_id}/revise",
                       product=product)  # fmt: skip


@router.post("/products/{product_id}/revise")
async def revise_product(
    request: Request, product_id: int, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    _ = gettext_for(request)
    form = await _submitted(request)
    action = f"/products/{product_id}/revise"
    try:
        terms = terms_from_document(document_from_form(form))
        with page_uow(request) as uow:
            revised = service.revise_product(uow, viewer.principal, product_id=product_id,
                                             terms=terms, now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        errors, notices = _refusal(request, error, form)
        with page_uow(request, read_only=True) as uow:
            product = service.get_product(uow, viewer.principal, product_id=product_id)
        return render_form(request, form=form, action=action, product=product, errors=errors,
                           notices=notices, status_code=error.status)  # fmt: skip
    if isinstance(revised, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": revised.pending_id})
        return see_other(request, f"/products/{product_id}", notice)
    notice = Notice(
        "success", _("Version %(version)s saved.") % {"version": revised.current_version}
    )
    return see_other(request, f"/products/{product_id}", notice)

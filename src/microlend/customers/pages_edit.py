"""Editing pages of a customer: the edit form (errors beside their fields), the related-party
editor with its graph, and the documents of the 360 (upload, download)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from microlend.customers import credit_file, file360, service
from microlend.customers.model import RelationKind
from microlend.db.commands import Pending
from microlend.db.documents import MAX_DOCUMENT_BYTES
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.downloads import file_response
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts, optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
PERSON_FIELDS = ("name", "phone", "address", "marital_status", "education", "employer",
                 "monthly_income")  # fmt: skip
FIRM_FIELDS = ("name", "phone", "address", "legal_representative", "registered_capital",
               "industry_code", "region_code", "founded_on", "employees")  # fmt: skip
RELATIONS = tuple(kind.value for kind in RelationKind)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _edit_form(request: Request, customer: Any, form: dict[str, str], *,
               errors: dict[str, str] | None = None, notices: list[Notice] | None = None,
               status_code: int = 200) -> Response:  # fmt: skip
    return render_page(
        request,
        "customers/edit.html",
        {"c": customer, "form": form, "errors": errors or {}},
        notices=notices,
        status_code=status_code,
    )


@router.get("/customers/{customer_id:int}/edit")
def edit_page(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.update"))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        customer = service.get_customer(uow, viewer.principal, customer_id=customer_id)
    names = FIRM_FIELDS if customer.kind == "enterprise" else PERSON_FIELDS
    return _edit_form(request, customer, {n: _text(getattr(customer, n)) for n in names})


@router.post("/customers/{customer_id:int}/edit")
async def save_edit(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.update"))
) -> Response:
    _ = gettext_for(request)
    submitted = await request.form()
    with page_uow(request, read_only=True) as uow:
        customer = service.get_customer(uow, viewer.principal, customer_id=customer_id)
    names = FIRM_FIELDS if customer.kind == "enterprise" else PERSON_FIELDS
    form = form_texts(submitted, names)
    changes = {name: (value or None) for name, value in form.items()}
    try:
        with page_uow(request) as uow:
            saved = service.update_customer(uow, viewer.principal, customer_id=customer_id,
                                            changes=changes, now=request_now(request))  # fmt: skip
            uow.commit()
    except (DomainError, ValueError) as error:
        failure = error if isinstance(error, DomainError) else ValidationFailed(str(error))
        errors, notices = feedback(failure, names, _)
        return _edit_form(request, customer, form, errors=errors, notices=notices,
                          status_code=getattr(failure, "status", 422))  # fmt: skip
    if isinstance(saved, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": saved.pending_id})
    else:
        notice = Notice("success", _("Customer %(name)s saved.") % {"name": saved.name})
    return see_other(request, f"/customers/{customer_id}", notice)


def _related_page(
    request: Request,
    viewer: Viewer,
    customer_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        card = file360.customer_file(uow, viewer.principal, customer_id=customer_id)
        graph = file360.related_graph(uow, viewer.principal, customer_id=customer_id)
    return render_page(request, "customers/related.html", {
        "card": card, "c": card.customer, "graph": graph, "relations": RELATIONS,
        "form": form or {"to_id": "", "relation": "", "share_percent": ""},
        "errors": errors or {}}, notices=notices, status_code=status_code)  # fmt: skip


@router.get("/customers/{customer_id:int}/related-parties")
def related_page(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.view"))
) -> Response:
    return _related_page(request, viewer, customer_id)


@router.post("/customers/{customer_id:int}/related-parties")
async def add_link(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.update"))
) -> Response:
    _ = gettext_for(request)
    form = form_texts(await request.form(), ("to_id", "relation", "share_percent"))
    try:
        to_id = optional_int(form["to_id"])
        if to_id is None:
            raise ValidationFailed("the customer number of the related party", field="to_id")
        with page_uow(request) as uow:
            credit_file.link_customers(uow, viewer.principal, from_id=customer_id, to_id=to_id,
                                       relation=form["relation"],
                                       share_percent=form["share_percent"] or None,
                                       now=request_now(request))  # fmt: skip
            uow.commit()
    except (DomainError, ArithmeticError) as error:
        failure = (
            error
            if isinstance(error, DomainError)
            else ValidationFailed("a percentage, e.g. 51.5", field="share_percent")
        )
        errors, notices = feedback(failure, tuple(form), _)
        return _related_page(request, viewer, customer_id, form=form, errors=errors,
                             notices=notices, status_code=failure.status)  # fmt: skip
    return see_other(request, f"/customers/{customer_id}/related-parties",
                     Notice("success", _("Related party added.")))  # fmt: skip


@router.post("/customers/{customer_id:int}/related-parties/{link_id:int}/remove")
def remove_link(
    request: Request, customer_id: int, link_id: int,
    viewer: Viewer = Depends(permitted("customers.update")),
) -> Response:  # fmt: skip
    _ = gettext_for(request)
    url = f"/customers/{customer_id}/related-parties"
    try:
        with page_uow(request) as uow:
            credit_file.unlink_customers(uow, viewer.principal, customer_id=customer_id,
                                         link_id=link_id, now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", error_text.describe(error, _)))
    return see_other(request, url, Notice("success", _("Related party removed.")))


@router.post("/customers/{customer_id:int}/documents")
async def upload(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.update"))
) -> Response:
    _ = gettext_for(request)
    url = f"/customers/{customer_id}"
    submitted = await request.form(max_part_size=MAX_DOCUMENT_BYTES)
    document = submitted.get("document")
    if not isinstance(document, UploadFile) or not document.filename:
        return see_other(request, url, Notice("error", _("Choose a file to upload.")))
    content = await document.read()
    try:
        with page_uow(request) as uow:
            credit_file.upload_document(
                uow, viewer.principal, customer_id=customer_id,
                doc_type=str(submitted.get("doc_type") or "other"), filename=document.filename,
                media_type=document.content_type or "application/octet-stream",
                content=content, now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", error_text.describe(error, _)))
    notice = Notice("success", _("Document %(name)s uploaded.") % {"name": document.filename})
    return see_other(request, url, notice)


@router.get("/customers/{customer_id:int}/documents/{document_id:int}")
def download(
    request: Request,
    customer_id: int,
    document_id: int,
    viewer: Viewer = Depends(permitted("customers.view")),
) -> Response:
    """The document's file; a file lost from storage is an error page saying so."""
    with page_uow(request, read_only=True) as uow:
        document, content = credit_file.read_document(
            uow, viewer.principal, customer_id=customer_id, document_id=document_id
        )
    return file_response(content, document.media_type, document.filename, inline=False)

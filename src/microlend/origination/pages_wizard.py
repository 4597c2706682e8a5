"""The application wizard: customer -> product and amount (with a live quote over htmx) ->
co-borrowers, guarantors and collateral -> review and submit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers import service as customers
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.origination import service
from microlend.origination.pages import PAGE_URL, done
from microlend.origination.parties import COLLATERAL_KINDS
from microlend.products import service as products
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, form_texts, optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
NEW_URL = "/applications/new"
QUOTE_URL = "/applications/quote"
APPLY = "origination.apply"
REQUEST_FIELDS = ("product_version_id", "amount", "term_count", "annual_rate", "method", "purpose")
PARTY_FIELDS = ("party_q", "role", "relation")
COLLATERAL_FIELDS = ("kind", "description", "value", "appraisal_value", "appraiser", "appraised_on")


def render_request(
    request: Request,
    viewer: Viewer,
    *,
    customer_id: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        customer = customers.get_customer(uow, viewer.principal, customer_id=customer_id)
        offered = [
            p
            for p in products.list_products(uow, viewer.principal)
            if p.current is not None and customer.kind in p.current.terms.customer_kinds
        ]
    form = form or dict.fromkeys(REQUEST_FIELDS, "")
    if not form["product_version_id"] and offered and offered[0].current is not None:
        terms = offered[0].current.terms
        form.update(
            product_version_id=str(offered[0].current.id),
            method=terms.methods[0].value,
            term_count=str(terms.min_term),
            annual_rate=str(terms.max_rate),
        )
    context = {
        "customer": customer,
        "products": offered,
        "form": form,
        "errors": errors or {},
        "quote": None,
        "quote_error": None,
    }
    return render_page(
        request,
        "origination/wizard_request.html",
        context,
        notices=notices,
        status_code=status_code,
    )


@router.get(NEW_URL)
def new_application(
    request: Request, q: str = "", customer_id: str = "", viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    """Step 1 picks the customer (search); with ``customer_id``, step 2 asks for the loan."""
    chosen = optional_int(customer_id)
    if chosen is not None:
        return render_request(request, viewer, customer_id=chosen)
    _ = gettext_for(request)
    found: list[Any] = []
    notices: list[Notice] = []
    if q.strip():
        try:
            with page_uow(request, read_only=True) as uow:
                found = customers.search_customers(
                    uow, viewer.principal, q=q, by="auto", limit=20
                ).items
        except DomainError as error:
            notices = feedback(error, (), _)[1]
    return render_page(
        request, "origination/wizard_customer.html", {"q": q, "found": found}, notices=notices
    )


@router.post(QUOTE_URL)
async def live_quote(request: Request, viewer: Viewer = Depends(permitted(APPLY))) -> Response:
    """The quote panel for the request typed so far (an htmx fragment: ``#quote-panel``)."""
    _ = gettext_for(request)
    form = form_texts(await request.form(), REQUEST_FIELDS)
    quote, problem = None, None
    try:
        with page_uow(request, read_only=True) as uow:
            quote = service.preview_quote(
                uow,
                viewer.principal,
                product_version_id=optional_int(form["product_version_id"]) or 0,
                amount=form["amount"] or "0",
                term_count=form["term_count"] or "0",
                annual_rate=form["annual_rate"] or "0",
                method=form["method"],
            )
    except (DomainError, ValueError) as error:
        failure = error if isinstance(error, DomainError) else ValidationFailed(str(error))
        problem = feedback(failure, (), _)[1][0].text
    return render_page(
        request,
        "origination/wizard_request.html",
        {
            "quote": quote,
            "quote_error": problem,
            "form": form,
            "errors": {},
            "customer": None,
            "products": [],
        },
    )


@router.post(NEW_URL)
async def create(request: Request, viewer: Viewer = Depends(permitted(APPLY))) -> Response:
    _ = gettext_for(request)
    submitted = await request.form()
    form = form_texts(submitted, REQUEST_FIELDS)
    customer_id = optional_int(str(submitted.get("customer_id") or "")) or 0
    try:
        with page_uow(request) as uow:
            created = service.create_application(
                uow,
                viewer.principal,
                customer_id=customer_id,
                product_version_id=optional_int(form["product_version_id"]) or 0,
                amount=form["amount"] or "0",
                term_count=optional_int(form["term_count"]) or 0,
                annual_rate=form["annual_rate"] or "0",
                method=form["method"],
                purpose=form["purpose"],
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, REQUEST_FIELDS, _)
        if error.field == "customer_id":
            notices = [Notice("error", error_text.problem(error, _))]
        return render_request(
            request,
            viewer,
            customer_id=customer_id,
            form=form,
            errors=errors,
            notices=notices,
            status_code=error.status,
        )
    if isinstance(created, Pending):
        return done(request, 0, created, "")
    notice = Notice("success", _("Application %(number)s drafted.") % {"number": created.number})
    return see_other(request, f"/applications/{created.id}/parties", notice)


def render_parties(
    request: Request,
    viewer: Viewer,
    application_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        detail = service.application_detail(uow, viewer.principal, application_id=application_id)
    context = {
        "d": detail,
        "a": detail.application,
        "form": form or {},
        "errors": errors or {},
        "collateral_kinds": COLLATERAL_KINDS,
    }
    return render_page(
        request,
        "origination/wizard_parties.html",
        context,
        notices=notices,
        status_code=status_code,
    )


@router.get(PAGE_URL + "/parties")
def parties_page(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    return render_parties(request, viewer, application_id)


def _one_customer(uow: UnitOfWork, viewer: Viewer, q: str) -> int:
    if not q:
        raise ValidationFailed(
            "type the ID number or the name of a registered customer", field="party_q"
        )
    found = customers.search_customers(uow, viewer.principal, q=q, by="auto", limit=2).items
    if not found:
        raise ValidationFailed("no customer found", field="party_q")
    if len(found) > 1:
        raise ValidationFailed("several customers match: be precise", field="party_q")
    return int(found[0].id)


def _change_parties(
    request: Request,
    viewer: Viewer,
    application_id: int,
    change: Callable[[UnitOfWork], object],
    *,
    done: str,
    form: dict[str, str] | None = None,
    fields: tuple[str, ...] = (),
    shown_as: dict[str, str] | None = None,
) -> Response:
    """Run ``change`` (a party or collateral command) and go back to the parties page with the
    ``done`` notice; refused, show the page again with the error beside its field (``fields``;
    ``shown_as`` moves a field's error to the form field that stands for it) or above the form."""
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            change(uow)
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, fields, _)
        for field, shown in (shown_as or {}).items():
            if field in errors:
                errors[shown] = errors.pop(field)
        return render_parties(
            request,
            viewer,
            application_id,
            form=form,
            errors=errors,
            notices=notices,
            status_code=error.status,
        )
    return see_other(request, f"/applications/{application_id}/parties", Notice("success", done))


@router.post(PAGE_URL + "/parties")
async def add_party(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    _ = gettext_for(request)
    form = form_texts(await request.form(), PARTY_FIELDS)

    def change(uow: UnitOfWork) -> object:
        return service.add_party(
            uow,
            viewer.principal,
            application_id=application_id,
            role=form["role"],
            customer_id=_one_customer(uow, viewer, form["party_q"]),
            relation=form["relation"],
            now=request_now(request),
        )

    return _change_parties(
        request,
        viewer,
        application_id,
        change,
        done=_("Party added."),
        form=form,
        fields=(*PARTY_FIELDS, "customer_id"),
        shown_as={"customer_id": "party_q"},
    )


@router.post(PAGE_URL + "/parties/{party_id}/remove")
def remove_party(
    request: Request, application_id: int, party_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    _ = gettext_for(request)
    change = partial(
        service.remove_party,
        actor=viewer.principal,
        application_id=application_id,
        party_id=party_id,
        now=request_now(request),
    )
    return _change_parties(request, viewer, application_id, change, done=_("Party removed."))


@router.post(PAGE_URL + "/collateral")
async def add_collateral(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    _ = gettext_for(request)
    form = form_texts(await request.form(), COLLATERAL_FIELDS)
    change = partial(
        service.add_collateral,
        actor=viewer.principal,
        application_id=application_id,
        kind=form["kind"],
        description=form["description"],
        value=form["value"],
        appraisal_value=form["appraisal_value"] or None,
        appraiser=form["appraiser"] or None,
        appraised_on=form["appraised_on"] or None,
        now=request_now(request),
    )
    return _change_parties(
        request,
        viewer,
        application_id,
        change,
        done=_("Collateral added."),
        form=form,
        fields=COLLATERAL_FIELDS,
    )


@router.post(PAGE_URL + "/collateral/{collateral_id}/remove")
def remove_collateral(
    request: Request,
    application_id: int,
    collateral_id: int,
    viewer: Viewer = Depends(permitted(APPLY)),
) -> Response:
    _ = gettext_for(request)
    change = partial(
        service.remove_collateral,
        actor=viewer.principal,
        application_id=application_id,
        collateral_id=collateral_id,
        now=request_now(request),
    )
    return _change_parties(request, viewer, application_id, change, done=_("Collateral removed."))


def render_review(
    request: Request,
    viewer: Viewer,
    application_id: int,
    *,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    _ = gettext_for(request)
    quote, problem = None, None
    with page_uow(request, read_only=True) as uow:
        detail = service.application_detail(uow, viewer.principal, application_id=application_id)
        a = detail.application
        try:
            quote = service.preview_quote(
                uow,
                viewer.principal,
                product_version_id=a.product_version_id,
                amount=a.amount,
                term_count=a.term_count,
                annual_rate=a.annual_rate,
                method=a.method,
            )
        except DomainError as error:
            problem = feedback(error, (), _)[1][0].text
    context = {"d": detail, "a": detail.application, "quote": quote, "quote_error": problem}
    return render_page(
        request, "origination/wizard_review.html", context, notices=notices, status_code=status_code
    )


@router.get(PAGE_URL + "/review")
def review_page(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    return render_review(request, viewer, application_id)


@router.post(PAGE_URL + "/submit")
def submit(
    request: Request, application_id: int, viewer: Viewer = Depends(permitted(APPLY))
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            outcome = service.submit_application(
                uow, viewer.principal, application_id=application_id, now=request_now(request)
            )
            uow.commit()
    except DomainError as error:
        notices = feedback(error, (), _)[1]
        for problem in error.extra.get("problems", [])[1:]:
            text = error_text.translated(problem["template"], problem["params"], _)
            notices.append(Notice("error", text))
        return render_review(
            request, viewer, application_id, notices=notices, status_code=error.status
        )
    return done(request, application_id, outcome, _("Application submitted."))

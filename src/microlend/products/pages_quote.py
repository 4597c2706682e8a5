"""The quote calculator page: pick a product, amount, term, rate and method; see the schedule,
the APR (IRR, fees included) and what the loan costs. Refusals (outside the product, above the
APR cap) are shown beside the input they concern."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.products import service
from microlend.products.errors_text import describe
from microlend.products.pricing import Quote
from microlend.products.readable import VALUE_LABELS
from microlend.products.views import ProductView
from microlend.web.kit.edge import page_uow
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page
from microlend.web.kit.viewer import Viewer

router = page_router()
INPUT_OF = {"amount": "amount", "term_count": "term", "annual_rate": "rate", "method": "method",
            "first_due_date": "date", "disbursement_date": "date"}  # fmt: skip


def _decimal(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed("a number", field=name) from None
    if not value.is_finite():
        raise ValidationFailed("a number", field=name)
    return value


def _parsed(form: dict[str, str]) -> dict[str, Any]:
    try:
        term = int(form["term"])
    except ValueError:
        raise ValidationFailed("a whole number", field="term_count") from None
    try:
        when = date.fromisoformat(form["date"])
    except ValueError:
        raise ValidationFailed("a date like 2026-01-31", field="disbursement_date") from None
    return {"amount": _decimal(form["amount"], "amount"), "term_count": term,
            "annual_rate": _decimal(form["rate"], "annual_rate"), "method": form["method"],
            "disbursement_date": when}  # fmt: skip


@router.get("/products/quote")
def quote_page(
    request: Request,
    product_id: int | None = None,
    amount: str = "",
    term: str = "",
    rate: str = "",
    method: str = "",
    viewer: Viewer = Depends(permitted("products.view")),
) -> Response:
    _ = gettext_for(request)
    date_text = request.query_params.get("date", "")
    with page_uow(request, read_only=True) as uow:
        products = service.list_products(uow, viewer.principal)
        chosen: ProductView | None = next(
            (p for p in products if p.id == product_id), products[0] if products else None
        )
        today = service.business_date_of(uow, viewer.principal.company_id)
        form = {"product_id": str(chosen.id) if chosen else "", "amount": amount, "term": term,
                "rate": rate, "method": method, "date": date_text or today.isoformat()}  # fmt: skip
        priced: Quote | None = None
        errors: dict[str, str] = {}
        notices: list[Notice] = []
        if chosen is not None and chosen.current is not None:
            terms = chosen.current.terms
            form["method"] = method or terms.methods[0].value
            if amount and term and rate:
                try:
                    _version, priced = service.quote_product(
                        uow, viewer.principal, product_id=chosen.id, **_parsed(form)
                    )
                except DomainError as error:
                    where = INPUT_OF.get(error.field or "")
                    message = describe(error, _)
                    if where:
                        errors[where] = message
                    else:
                        notices.append(Notice("error", message))
    options = [(str(p.id), f"{p.name} ({p.code})") for p in products]
    context: dict[str, Any] = {
        "products": products,
        "product": chosen,
        "form": form,
        "quote": priced,
        "errors": errors,
        "product_options": options,
    }
    if chosen is not None and chosen.current is not None:
        terms = chosen.current.terms
        context["method_options"] = [(m.value, _(VALUE_LABELS[m.value])) for m in terms.methods]
        grades = " · ".join(f"{grade} {rate}%" for grade, rate in terms.grade_rates.items())
        span = f"{terms.min_rate}% – {terms.max_rate}%"
        context["grade_hint"] = (
            _("%(span)s; by grade: %(grades)s") % {"span": span, "grades": grades}
            if grades
            else span
        )
    return render_page(request, "products/quote.html", context, notices=notices)

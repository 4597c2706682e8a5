"""Product pages: the list, the product page (current terms, version history with what changed,
GL mapping with per-product overrides through the ledger's posting rules), and retirement.

The form pages (``pages_form``) and the quote calculator (``pages_quote``) are separate routers that
the web shell mounts before this one, so that their fixed paths (``/products/new``,
``/products/quote``) win over ``/products/{id}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.accounting import service as ledger
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError
from microlend.kernel.principal import Principal
from microlend.products import service
from microlend.products.errors_text import describe
from microlend.products.readable import VALUE_LABELS, terms_sections, version_changes
from microlend.products.schemas import document_of
from microlend.products.views import ProductView
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.i18n import bilingual
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, locale_of, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW, MANAGE, COA = "products.view", "products.manage", "accounting.coa.manage"


@dataclass(frozen=True)
class MappingRow:
    """One (event type, amount role) of the product's effective posting rules."""

    event_type: str
    role: str
    debit_code: str
    credit_code: str
    debit_name: str
    credit_name: str
    own: bool  # the product's own rule (else the company default)


def gl_mapping(
    uow: UnitOfWork, actor: Principal, product: ProductView, *, locale: str
) -> list[MappingRow]:
    """The posting rules loans of ``product`` post with: its own, else the company's defaults
    (the accounts named in ``locale``)."""
    rules = ledger.list_rules(uow, actor)
    accounts = ledger.list_accounts(uow, actor)
    names = {a.code: bilingual(locale, en=a.name_en, zh=a.name_zh) for a in accounts}
    effective: dict[tuple[str, str], tuple[str, str, bool]] = {}
    for rule in sorted(rules, key=lambda r: r.product_code != ""):
        if rule.product_code in ("", product.code):
            own = rule.product_code == product.code
            effective[(rule.event_type, rule.role)] = (rule.debit_code, rule.credit_code, own)
    return [
        MappingRow(event, role, debit, credit, names.get(debit, ""), names.get(credit, ""), own)
        for (event, role), (debit, credit, own) in sorted(effective.items())
    ]


@router.get("/products")
def products_page(
    request: Request, retired: bool = False, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        products = service.list_products(uow, viewer.principal, active_only=not retired)
    context = {"products": products, "retired": retired, "labels": VALUE_LABELS}
    return render_page(request, "products/list.html", context)


@router.get("/products/{product_id}")
def product_page(
    request: Request, product_id: int, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    _ = gettext_for(request)
    actor = viewer.principal
    with page_uow(request, read_only=True) as uow:
        product = service.get_product(uow, actor, product_id=product_id)
        own_books = product.company_id == actor.company_id and actor.can("accounting.view")
        locale = locale_of(request)
        mapping = gl_mapping(uow, actor, product, locale=locale) if own_books else []
    documents = [document_of(v.terms) for v in product.versions]
    history = [
        (version, version_changes(documents[i + 1], documents[i], _)
         if i + 1 < len(documents) else [])
        for i, version in enumerate(product.versions)
    ]  # fmt: skip
    current = document_of(product.current.terms) if product.current else {}
    return render_page(
        request,
        "products/detail.html",
        {"product": product, "sections": terms_sections(current, _), "history": history,
         "mapping": mapping, "own_books": own_books,
         "may_map": own_books and actor.can(COA) and product.active},
    )  # fmt: skip


@router.post("/products/{product_id}/retire")
def retire_product(
    request: Request, product_id: int, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    _ = gettext_for(request)
    url = f"/products/{product_id}"
    try:
        with page_uow(request) as uow:
            retired = service.retire_product(uow, viewer.principal, product_id=product_id,
                                             now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", describe(error, _)))
    if isinstance(retired, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": retired.pending_id})
        return see_other(request, url, notice)
    return see_other(request, url, Notice("success", _("The product is retired.")))


@router.post("/products/{product_id}/gl-mapping")
async def set_gl_mapping(
    request: Request, product_id: int, viewer: Viewer = Depends(permitted(COA))
) -> Response:
    """Override one (event type, role) rule for this product (the ledger's ``set_rule``)."""
    _ = gettext_for(request)
    form = await request.form()
    url = f"/products/{product_id}#gl-mapping"
    try:
        with page_uow(request) as uow:
            product = service.get_product(uow, viewer.principal, product_id=product_id)
            ruled = ledger.set_rule(
                uow, viewer.principal, event_type=str(form.get("event_type") or ""),
                role=str(form.get("role") or ""),
                debit_code=str(form.get("debit_code") or "").strip(),
                credit_code=str(form.get("credit_code") or "").strip(),
                product_code=product.code, now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        return see_other(request, url, Notice("error", describe(error, _)))
    if isinstance(ruled, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": ruled.pending_id})
        return see_other(request, url, notice)
    return see_other(request, url, Notice("success", _("Posting rule saved for this product.")))

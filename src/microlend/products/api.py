"""``/api/v1/products`` routes: list, create, get (with versions), revise, retire, a version,
the default products, and the quote calculator."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.kernel.ids import Id
from microlend.products import service
from microlend.products.pricing import Quote
from microlend.products.schemas import (
    AprOut,
    InstallmentOut,
    ProductIn,
    ProductOut,
    ProductReviseIn,
    ProductVersionOut,
    QuoteIn,
    QuoteOut,
    document_of,
)
from microlend.products.views import ProductVersionView, ProductView
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut

router = APIRouter(prefix="/api/v1", tags=["products"])
DONE: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Pending (maker-checker)"},
}


def version_out(view: ProductVersionView) -> ProductVersionOut:
    return ProductVersionOut(
        id=view.id, product_id=view.product_id, company_id=view.company_id, code=view.code,
        name=view.name, version=view.version, customer_kind=view.customer_kind,
        currency=view.currency, terms=document_of(view.terms), created_by=view.created_by,
        created_at=view.created_at,
    )  # fmt: skip


def product_out(view: ProductView) -> ProductOut:
    return ProductOut(
        id=view.id, company_id=view.company_id, code=view.code, name=view.name,
        customer_kind=view.customer_kind, currency=view.currency, status=view.status,
        current_version=view.current_version, created_at=view.created_at,
        updated_at=view.updated_at,
        current=version_out(view.current) if view.current is not None else None,
        versions=[version_out(v) for v in view.versions],
    )  # fmt: skip


def quote_out(version: ProductVersionView, body: QuoteIn, priced: Quote) -> QuoteOut:
    schedule = priced.schedule
    return QuoteOut(
        product_id=version.product_id, version_id=version.id, version=version.version,
        currency=version.currency, amount=body.amount, term=body.term, rate=body.rate,
        method=body.method,
        apr=AprOut(nominal=priced.apr.nominal, effective=priced.apr.effective),
        total_interest=priced.total_interest, total_fees=priced.total_fees,
        upfront_fees=priced.upfront_fees, net_disbursed=priced.net_disbursed,
        first_installment=priced.first_installment, total_repayment=priced.total_repayment,
        total_cost=priced.total_cost,
        installments=[InstallmentOut.model_validate(i) for i in schedule.installments],
    )  # fmt: skip


@router.get("/products", response_model=list[ProductOut])
def list_products(
    uow: UowDep, actor: PrincipalDep, active_only: bool = True, company_id: Id | None = None
) -> list[ProductOut]:
    """The products of the companies the user reaches, each with its current version."""
    views = service.list_products(uow, actor, active_only=active_only, company_id=company_id)
    return [product_out(view) for view in views]


@router.post("/products", status_code=201, response_model=ProductOut, responses=DONE)
def create_product(body: ProductIn, command: CommandDep) -> Response:
    terms = body.terms.to_terms()
    kind = service.kind_of(terms)
    return command.respond(
        lambda: service.create_product(
            command.uow, command.actor, company_id=body.company_id or command.actor.company_id,
            code=body.code, name=body.name, customer_kind=kind, currency=terms.currency,
            terms=terms, now=command.now,
        ),
        product_out,
    )  # fmt: skip


@router.post("/products/defaults", status_code=201, response_model=list[int], responses=DONE)
def seed_default_products(command: CommandDep) -> Response:
    """The default products for the user's company if it has none (the ids created)."""
    return command.respond(
        lambda: service.seed_default_products(
            command.uow, command.actor, company_id=command.actor.company_id, now=command.now
        )
    )


@router.get("/products/versions/{version_id}", response_model=ProductVersionOut)
def get_version(version_id: Id, uow: UowDep, actor: PrincipalDep) -> ProductVersionOut:
    return version_out(service.get_version(uow, actor, version_id=version_id))


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: Id, uow: UowDep, actor: PrincipalDep) -> ProductOut:
    """The product with every version, newest first."""
    return product_out(service.get_product(uow, actor, product_id=product_id))


@router.post("/products/{product_id}/versions", status_code=201, response_model=ProductOut,
             responses=DONE)  # fmt: skip
def revise_product(product_id: Id, body: ProductReviseIn, command: CommandDep) -> Response:
    """A new version with these terms (earlier versions stay as they were)."""
    terms = body.terms.to_terms()
    return command.respond(
        lambda: service.revise_product(command.uow, command.actor, product_id=product_id,
                                       terms=terms, now=command.now),
        product_out,
    )  # fmt: skip


@router.post("/products/{product_id}/retire", response_model=ProductOut, responses=DONE)
def retire_product(product_id: Id, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.retire_product(command.uow, command.actor, product_id=product_id,
                                       now=command.now),
        product_out,
        status_code=200,
    )  # fmt: skip


@router.post("/products/{product_id}/quote", response_model=QuoteOut)
def quote_product(product_id: Id, body: QuoteIn, uow: UowDep, actor: PrincipalDep) -> QuoteOut:
    """The schedule, APR (IRR with fees) and total cost; 422 ``apr_above_cap`` above the cap,
    422 with the request's field when it does not fit the product."""
    version, priced = service.quote_product(
        uow, actor, product_id=product_id, version_id=body.version_id, amount=body.amount,
        term_count=body.term, annual_rate=body.rate, method=body.method,
        disbursement_date=body.date, first_due_date=body.first_due_date,
    )  # fmt: skip
    return quote_out(version, body, priced)

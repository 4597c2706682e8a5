"""Use cases of products: create, revise (a new immutable version), retire, read, seed defaults.

Products are company rows: a user sees the products of the companies their scope reaches
(``apply_scope`` on ``company_id``; products have no office). Commands need ``products.manage``,
queries ``products.view``. Every command is audited and maker-checker capable.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from microlend.customers.credit_file import DOCUMENT_TYPES
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import apply_scope, get_scoped, scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans.calculator.model import RepaymentMethod
from microlend.orgs.tables import Company
from microlend.products.defaults import DEFAULT_PRODUCTS
from microlend.products.model import ProductTerms
from microlend.products.pricing import Quote, quote
from microlend.products.schemas import document_of, terms_from_document
from microlend.products.tables import Product, ProductVersion
from microlend.products.views import ProductVersionView, ProductView

VIEW, MANAGE = "products.view", "products.manage"
ACTIVE, RETIRED = "active", "retired"
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,29}$")


def kind_of(terms: ProductTerms) -> str:
    """The product's customer kind column: the one eligible kind, or ``any``."""
    kinds = set(terms.customer_kinds)
    return kinds.pop() if len(kinds) == 1 else "any"


def _check_documents(terms: ProductTerms) -> None:
    unknown = [d for d in terms.required_documents if d not in DOCUMENT_TYPES]
    if unknown:
        raise ValidationFailed(
            "unknown document type %(unknown)s; use %(document_types)s",
            field="terms.required_documents",
            params={"unknown": repr(unknown[0]), "document_types": ", ".join(DOCUMENT_TYPES)},
        )


def version_view(row: ProductVersion, product: Product) -> ProductVersionView:
    """The version as it was made (its own customer kinds), with the product's code and name."""
    terms = terms_from_document(row.terms)
    return ProductVersionView(
        id=row.id,
        product_id=product.id,
        code=product.code,
        name=product.name,
        version=row.version,
        customer_kind=kind_of(terms),
        currency=terms.currency,
        terms=terms,
        created_at=row.created_at,
        company_id=row.company_id,
        created_by=row.created_by,
        status=product.status,
        current=row.version == product.current_version,
    )


def product_view(
    product: Product,
    current: ProductVersion | None,
    versions: list[ProductVersion] | None = None,
) -> ProductView:
    return ProductView(
        id=product.id,
        company_id=product.company_id,
        code=product.code,
        name=product.name,
        customer_kind=product.customer_kind,
        currency=product.currency,
        status=product.status,
        current_version=product.current_version,
        created_at=product.created_at,
        updated_at=product.updated_at,
        current=version_view(current, product) if current is not None else None,
        versions=tuple(version_view(v, product) for v in versions or ()),
    )


def _version_row(uow: UnitOfWork, product: Product, version: int) -> ProductVersion:
    return uow.session.scalars(
        select(ProductVersion).where(
            ProductVersion.product_id == product.id, ProductVersion.version == version
        )
    ).one()


def _add_version(
    uow: UnitOfWork, product: Product, terms: ProductTerms, *, by: int | None, now: datetime
) -> ProductVersion:
    row = ProductVersion(company_id=product.company_id, product_id=product.id,
                         version=product.current_version, terms=document_of(terms),
                         created_by=by, created_at=now)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return row


def _insert_product(
    uow: UnitOfWork, *, company_id: int, code: str, name: str, terms: ProductTerms,
    by: int | None, now: datetime,
) -> tuple[Product, ProductVersion]:  # fmt: skip
    if not CODE.match(code):
        raise ValidationFailed("1-30 capitals, digits, '-' or '_'", field="code")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("1 to 100 characters", field="name")
    _check_documents(terms)
    taken = uow.session.scalars(
        select(Product.id).where(Product.company_id == company_id, Product.code == code)
    ).first()
    if taken is not None:
        raise Conflict("the company has a product %(code)s already", code="product_code_taken",
                       field="code", params={"code": code})  # fmt: skip
    product = Product(company_id=company_id, code=code, name=name, customer_kind=kind_of(terms),
                      currency=terms.currency, status=ACTIVE, current_version=1,
                      created_at=now, updated_at=now)  # fmt: skip
    try:
        with uow.session.begin_nested():  # a concurrent creation of the same code loses here
            uow.session.add(product)
            uow.session.flush()
    except IntegrityError:
        raise Conflict("the company has a product %(code)s already", code="product_code_taken",
                       field="code", params={"code": code}) from None  # fmt: skip
    return product, _add_version(uow, product, terms, by=by, now=now)


def _reachable_company(uow: UnitOfWork, actor: Principal, company_id: int) -> None:
    if not actor.sees_company(company_id) or uow.session.get(Company, company_id) is None:
        raise NotFound("company %(company_id)s not found", code="company_not_found",
                       field="company_id", params={"company_id": company_id})  # fmt: skip


@command("products.create", permission=MANAGE, entity_type="product",
         summary=lambda p: f"product {p['code']} {p['name']}")  # fmt: skip
def _create(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company_id = int(payload["company_id"])
    _reachable_company(uow, actor, company_id)
    terms = terms_from_document(payload["terms"])
    if payload["currency"] != terms.currency:
        raise ValidationFailed(
            "the terms are in %(currency)s", field="currency", params={"currency": terms.currency}
        )
    if payload["customer_kind"] != kind_of(terms):
        raise ValidationFailed("the terms are for %(kind)s customers",
                               field="customer_kind", params={"kind": kind_of(terms)})  # fmt: skip
    product, version = _insert_product(uow, company_id=company_id, code=payload["code"],
                                       name=payload["name"], terms=terms, by=actor.user_id,
                                       now=now)  # fmt: skip
    return Done(entity_id=product.id, value=product_view(product, version, [version]),
                change={"id": product.id, "version": 1, "version_id": version.id})  # fmt: skip


def create_product(
    uow: UnitOfWork, actor: Principal, *, company_id: int, code: str, name: str,
    customer_kind: str, currency: str, terms: ProductTerms, now: datetime,
) -> ProductView | Pending:  # fmt: skip
    """A new product with its version 1 (``customer_kind``: individual, enterprise or any,
    matching ``terms.customer_kinds``; ``currency`` = ``terms.currency``)."""
    payload = {"company_id": company_id, "code": code.strip(), "name": name,
               "customer_kind": customer_kind, "currency": currency,
               "terms": document_of(terms)}  # fmt: skip
    return value_or_pending(run_command(uow, actor, "products.create", payload, now=now),
                            ProductView)  # fmt: skip


@command("products.revise", permission=MANAGE, entity_type="product",
         summary=lambda p: f"new version of product {p['id']}")  # fmt: skip
def _revise(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    product = get_scoped(uow.session, actor, Product, int(payload["id"]), for_update=True)
    if product.status != ACTIVE:
        raise RuleViolation("a retired product is not revised", code="product_retired")
    terms = terms_from_document(payload["terms"])
    _check_documents(terms)
    if terms.currency != product.currency:
        raise ValidationFailed("a product keeps its currency: create another product",
                               field="terms.currency")  # fmt: skip
    current = _version_row(uow, product, product.current_version)
    if terms_from_document(current.terms) == terms:
        raise Conflict("the terms are those of the current version", code="terms_unchanged",
                       field="terms")  # fmt: skip
    product.current_version += 1
    product.customer_kind = kind_of(terms)
    product.updated_at = now
    version = _add_version(uow, product, terms, by=actor.user_id, now=now)
    return Done(entity_id=product.id, value=product_view(product, version),
                change={"version": product.current_version, "version_id": version.id})  # fmt: skip


def revise_product(
    uow: UnitOfWork, actor: Principal, *, product_id: int, terms: ProductTerms, now: datetime
) -> ProductView | Pending:
    """The product's next version with ``terms``; earlier versions stay as they were."""
    payload = {"id": product_id, "terms": document_of(terms)}
    return value_or_pending(run_command(uow, actor, "products.revise", payload, now=now),
                            ProductView)  # fmt: skip


@command("products.retire", permission=MANAGE, entity_type="product",
         summary=lambda p: f"retire product {p['id']}")  # fmt: skip
def _retire(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    product = get_scoped(uow.session, actor, Product, int(payload["id"]), for_update=True)
    if product.status == RETIRED:
        raise Conflict("the product is retired already", code="product_retired")
    product.status = RETIRED
    product.updated_at = now
    uow.session.flush()
    current = _version_row(uow, product, product.current_version)
    return Done(entity_id=product.id, value=product_view(product, current),
                change={"status": RETIRED})  # fmt: skip


def retire_product(
    uow: UnitOfWork, actor: Principal, *, product_id: int, now: datetime
) -> ProductView | Pending:
    """No new applications under the product; its versions (and loans under them) remain."""
    outcome = run_command(uow, actor, "products.retire", {"id": product_id}, now=now)
    return value_or_pending(outcome, ProductView)


# ---- queries ----------------------------------------------------------------------------------


def list_products(
    uow: UnitOfWork, actor: Principal, *, active_only: bool = True, company_id: int | None = None
) -> list[ProductView]:
    """The products the actor reaches, each with its current version (``versions`` empty)."""
    require(actor, VIEW)
    stmt = select(Product, ProductVersion).join(
        ProductVersion,
        and_(ProductVersion.product_id == Product.id,
             ProductVersion.version == Product.current_version),
    )  # fmt: skip
    stmt = stmt.where(scope_condition(actor, Product))
    if active_only:
        stmt = stmt.where(Product.status == ACTIVE)
    if company_id is not None:
        stmt = stmt.where(Product.company_id == company_id)
    rows = uow.session.execute(stmt.order_by(Product.company_id, Product.code)).all()
    return [product_view(product, version) for product, version in rows]


def get_product(uow: UnitOfWork, actor: Principal, *, product_id: int) -> ProductView:
    """The product with every version, newest first."""
    require(actor, VIEW)
    product = get_scoped(uow.session, actor, Product, product_id)
    versions = list(uow.session.scalars(
        select(ProductVersion).where(ProductVersion.product_id == product.id)
        .order_by(ProductVersion.version.desc())
    ))  # fmt: skip
    current = next(v for v in versions if v.version == product.current_version)
    return product_view(product, current, versions)


def get_version(uow: UnitOfWork, actor: Principal, *, version_id: int) -> ProductVersionView:
    require(actor, VIEW)
    row = get_scoped(uow.session, actor, ProductVersion, version_id)
    product = uow.session.get_one(Product, row.product_id)
    return version_view(row, product)


def current_version(uow: UnitOfWork, actor: Principal, *, product_id: int) -> ProductVersionView:
    require(actor, VIEW)
    product = get_scoped(uow.session, actor, Product, product_id)
    return version_view(_version_row(uow, product, product.current_version), product)


def business_date_of(uow: UnitOfWork, company_id: int) -> date:
    """The company's business date (the quote calculator's default disbursement date)."""
    return uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()


def find_product(uow: UnitOfWork, actor: Principal, *, company_id: int, code: str) -> ProductView:
    """A product by its code in a company (``NotFound`` when missing or out of reach)."""
    require(actor, VIEW)
    stmt = apply_scope(select(Product), actor, Product).where(
        Product.company_id == company_id, Product.code == code
    )
    product = uow.session.scalars(stmt).one_or_none()
    if product is None:
        raise NotFound(
            "product %(code)s not found", code="products_not_found", params={"code": code}
        )
    return product_view(product, _version_row(uow, product, product.current_version))


def quote_product(
    uow: UnitOfWork, actor: Principal, *, product_id: int, amount: Decimal, term_count: int,
    annual_rate: Decimal, method: RepaymentMethod | str, disbursement_date: date,
    first_due_date: date | None = None, version_id: int | None = None,
) -> tuple[ProductVersionView, Quote]:  # fmt: skip
    """A quote under the product's current version (or ``version_id``, one of its versions);
    a retired product quotes no more. Refusals as ``pricing.quote``."""
    version = (
        current_version(uow, actor, product_id=product_id)
        if version_id is None
        else get_version(uow, actor, version_id=version_id)
    )
    if version.product_id != product_id:
        raise NotFound(
            "product version %(version_id)s not found",
            code="product_versions_not_found",
            params={"version_id": version_id},
        )
    if version.status != ACTIVE:
        raise RuleViolation("a retired product quotes no more", code="product_retired")
    priced = quote(version.terms, amount=amount, term_count=term_count, annual_rate=annual_rate,
                   method=method, disbursement_date=disbursement_date,
                   first_due_date=first_due_date)  # fmt: skip
    return version, priced


# ---- default products -------------------------------------------------------------------------


def _seed(uow: UnitOfWork, *, company_id: int, by: int | None, now: datetime) -> list[int]:
    has_any = uow.session.scalars(
        select(Product.id).where(Product.company_id == company_id)
    ).first()
    if has_any is not None:
        return []
    created = []
    for spec in DEFAULT_PRODUCTS:
        product, _ = _insert_product(uow, company_id=company_id, code=spec.code, name=spec.name,
                                     terms=spec.terms, by=by, now=now)  # fmt: skip
        created.append(product.id)
    return created


@command("products.seed", permission=MANAGE, entity_type="company")
def _seed_command(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company_id = int(payload["company_id"])
    _reachable_company(uow, actor, company_id)
    created = _seed(uow, company_id=company_id, by=actor.user_id, now=now)
    return Done(entity_id=company_id, value=created, change={"products": created})


def seed_default_products(
    uow: UnitOfWork, actor: Principal | None, *, company_id: int, now: datetime
) -> list[int] | Pending:
    """The default products (个人经营贷, 个人消费贷, 小微企业流动资金贷) for a company that has no
    product yet; the ids created (none if it had products). Without an actor (``init``, tests)
    it writes directly, unaudited, as the ledger's default books are seeded."""
    if actor is None:
        return _seed(uow, company_id=company_id, by=None, now=now)
    outcome = run_command(uow, actor, "products.seed", {"company_id": company_id}, now=now)
    if isinstance(outcome, Pending):
        return outcome
    value: list[int] = outcome.value
    return value

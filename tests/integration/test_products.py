"""Products against a real database (SQLite and PostgreSQL): versioning leaves old versions
untouched, scope by company, permissions, audit, default products."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.db.commands import Pending
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from microlend.loans.calculator.model import RepaymentMethod
from microlend.products import service as products
from microlend.products.model import ProductFee, ProductTerms
from microlend.products.tables import ProductVersion
from microlend.products.views import ProductView
from tests.seed import World

D = Decimal
TERMS = ProductTerms(
    customer_kinds=("individual",),
    currency="CNY",
    min_amount=D("1000.00"),
    max_amount=D("100000.00"),
    min_term=3,
    max_term=24,
    methods=(RepaymentMethod.EQUAL_INSTALLMENT,),
    min_rate=D("10"),
    max_rate=D("20"),
    grade_rates={"A": D("10"), "B": D("15")},
    fees=(ProductFee("服务费", "upfront", amount=D("100.00")),),
)


def create(
    world: World, username: str = "admin", code: str = "P1", **overrides: object
) -> ProductView:
    fields: dict[str, object] = {
        "company_id": world.company_id,
        "code": code,
        "name": "经营贷",
        "customer_kind": "individual",
        "currency": "CNY",
        "terms": TERMS,
    }
    fields.update(overrides)
    with world.make_uow() as uow:
        view = products.create_product(uow, world.principal(username), now=world.now, **fields)  # type: ignore[arg-type]
        uow.commit()
    assert isinstance(view, ProductView)
    return view


def test_create_stores_version_one_with_the_terms(world: World) -> None:
    view = create(world)
    assert (view.code, view.status, view.current_version, view.customer_kind) == (
        "P1",
        "active",
        1,
        "individual",
    )
    with world.make_uow(read_only=True) as uow:
        current = products.current_version(uow, world.principal("officer_a"), product_id=view.id)
    assert current.version == 1
    assert current.terms == TERMS
    assert current.terms.rate_for_grade("B") == D("15")


def test_a_revision_is_a_new_version_and_the_old_one_is_untouched(world: World) -> None:
    view = create(world)
    with world.make_uow(read_only=True) as uow:
        first = products.current_version(uow, world.principal("admin"), product_id=view.id)
        stored_before = dict(uow.session.get_one(ProductVersion, first.id).terms)
    revised_terms = dataclasses.replace(TERMS, max_amount=D("150000.00"), max_rate=D("22"))
    with world.make_uow() as uow:
        revised = products.revise_product(
            uow, world.principal("admin"), product_id=view.id, terms=revised_terms, now=world.now
        )
        uow.commit()
    assert isinstance(revised, ProductView)
    assert revised.current_version == 2
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("admin")
        old = products.get_version(uow, actor, version_id=first.id)
        full = products.get_product(uow, actor, product_id=view.id)
        stored_after = dict(uow.session.get_one(ProductVersion, first.id).terms)
    assert old.terms == TERMS and old.version == 1 and not old.current
    assert stored_after == stored_before
    assert [v.version for v in full.versions] == [2, 1]
    assert full.versions[0].terms.max_amount == D("150000.00")
    assert full.current is not None and full.current.terms == revised_terms


def test_unchanged_terms_and_currency_changes_are_refused(world: World) -> None:
    view = create(world)
    with world.make_uow() as uow, pytest.raises(Conflict) as unchanged:
        products.revise_product(
            uow, world.principal("admin"), product_id=view.id, terms=TERMS, now=world.now
        )
    assert unchanged.value.code == "terms_unchanged"
    usd = dataclasses.replace(TERMS, currency="USD")
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as currency:
        products.revise_product(
            uow, world.principal("admin"), product_id=view.id, terms=usd, now=world.now
        )
    assert currency.value.field == "terms.currency"


def test_create_checks_code_kind_currency_and_documents(world: World) -> None:
    create(world)
    with pytest.raises(Conflict) as taken:
        create(world)
    assert taken.value.code == "product_code_taken"
    with pytest.raises(ValidationFailed) as kind:
        create(world, code="P2", customer_kind="enterprise")
    assert kind.value.field == "customer_kind"
    with pytest.raises(ValidationFailed) as code:
        create(world, code="bad code")
    assert code.value.field == "code"
    with pytest.raises(ValidationFailed) as documents:
        create(world, code="P3", terms=dataclasses.replace(TERMS, required_documents=("passport",)))
    assert documents.value.field == "terms.required_documents"


def test_retire_hides_the_product_from_the_active_list(world: World) -> None:
    view = create(world)
    with world.make_uow() as uow:
        products.retire_product(uow, world.principal("admin"), product_id=view.id, now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("admin")
        assert [p.code for p in products.list_products(uow, actor)] == []
        listed = products.list_products(uow, actor, active_only=False)
        assert [(p.code, p.status) for p in listed] == [("P1", "retired")]
        assert products.current_version(uow, actor, product_id=view.id).status == "retired"
    with world.make_uow() as uow, pytest.raises(RuleViolation) as retired:
        products.revise_product(
            uow,
            world.principal("admin"),
            product_id=view.id,
            terms=dataclasses.replace(TERMS, max_rate=D("19")),
            now=world.now,
        )
    assert retired.value.code == "product_retired"


def test_products_are_scoped_by_company(world: World) -> None:
    view = create(world)
    with world.make_uow(read_only=True) as uow:
        assert products.list_products(uow, world.principal("mld_admin")) == []
        with pytest.raises(NotFound):
            products.get_product(uow, world.principal("mld_admin"), product_id=view.id)
        assert products.get_product(uow, world.principal("group_auditor"), product_id=view.id)
    with world.make_uow() as uow, pytest.raises(NotFound):
        products.retire_product(
            uow, world.principal("mld_admin"), product_id=view.id, now=world.now
        )
    with pytest.raises(NotFound) as other_company:
        create(world, "mld_admin", code="P9")
    assert other_company.value.field == "company_id"


def test_managing_needs_products_manage_and_every_outcome_is_audited(world: World) -> None:
    with pytest.raises(Forbidden):
        create(world, "officer_a")
    view = create(world)
    with world.make_uow(read_only=True) as uow:
        records = uow.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.command == "products.create")
            .order_by(AuditRecord.seq)
        ).all()
    assert [(r.outcome, r.entity_id) for r in records] == [("denied", None), ("ok", str(view.id))]


def test_default_products_are_seeded_once(world: World) -> None:
    with world.make_uow() as uow:
        created = products.seed_default_products(
            uow, None, company_id=world.company_id, now=world.now
        )
        again = products.seed_default_products(
            uow, world.principal("admin"), company_id=world.company_id, now=world.now
        )
        uow.commit()
    assert isinstance(created, list) and len(created) == 3 and again == []
    with world.make_uow(read_only=True) as uow:
        listed = products.list_products(uow, world.principal("officer_a"))
    by_code = {p.code: p for p in listed}
    assert set(by_code) == {"IND-BIZ", "IND-CON", "SME-WC"}
    business = by_code["IND-BIZ"].current
    assert business is not None and business.terms.max_amount == D("200000.00")
    assert by_code["SME-WC"].customer_kind == "enterprise"
    assert business.created_by is None


def test_a_revision_under_maker_checker_waits_for_a_second_admin(world: World) -> None:
    view = create(world)
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow,
            world.principal("admin"),
            command_name="products.revise",
            enabled=True,
            now=world.now,
        )
        uow.commit()
    revised_terms = dataclasses.replace(TERMS, max_rate=D("18"))
    with world.make_uow() as uow:
        pending = products.revise_product(
            uow, world.principal("admin"), product_id=view.id, terms=revised_terms, now=world.now
        )
        uow.commit()
    assert isinstance(pending, Pending)
    with world.make_uow(read_only=True) as uow:
        assert (
            products.get_product(uow, world.principal("admin"), product_id=view.id).current_version
            == 1
        )
    with world.make_uow() as uow:
        auth.approve_pending(
            uow, world.principal("admin2"), pending_id=pending.pending_id, now=world.now
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        current = products.current_version(uow, world.principal("admin"), product_id=view.id)
    assert (current.version, current.terms) == (2, revised_terms)
    assert current.created_by == world.user_ids["admin"]  # the maker

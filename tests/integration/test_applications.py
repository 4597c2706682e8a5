"""Taking applications: create, parties and collateral, submission checks, withdrawal, numbers,
scope and audit (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.customers import credit_file
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from microlend.origination import service as origination
from microlend.origination.tables import ApplicationEvent
from microlend.origination.views import ApplicationView, CollateralView
from microlend.products.model import ProductFee
from tests.integration.applications_support import (
    LI,
    WANG,
    ZHANG,
    apply,
    blacklist,
    make_product,
    ready_application,
    register,
    upload_id_copy,
)
from tests.seed import PASSWORD, World


@pytest.fixture(autouse=True)
def _documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def submit(world: World, username: str, application_id: int) -> ApplicationView:
    with world.make_uow() as uow:
        view = origination.submit_application(
            uow, world.principal(username), application_id=application_id, now=world.now
        )
        uow.commit()
    assert isinstance(view, ApplicationView)
    return view


def test_a_draft_is_numbered_per_company_and_year(world: World) -> None:
    version = make_product(world)
    applicant = register(world, "officer_a", ZHANG, "张三")
    first = apply(world, "officer_a", applicant, version)
    second = apply(world, "officer_a", applicant, version, amount="1000.00", term_count=3)
    # the business date of the seeded company is 2025-03-03
    assert (first.number, second.number) == ("SQ2025000001", "SQ2025000002")
    assert first.status == "draft" and first.owner_name == "Officer_A"
    assert (first.amount, first.term_count, first.annual_rate) == (
        Decimal("50000.00"),
        12,
        Decimal("12"),
    )
    assert first.customer_name == "张三" and first.product_name == "测试贷 TEST"
    assert set(first.actions) == {"submit", "withdraw"}


def test_a_request_outside_the_product_is_refused_naming_the_field(world: World) -> None:
    version = make_product(world)
    applicant = register(world, "officer_a", ZHANG, "张三")
    with pytest.raises(RuleViolation) as above:
        apply(world, "officer_a", applicant, version, amount="100000.01")
    assert (above.value.code, above.value.field) == ("amount_above_maximum", "amount")
    with pytest.raises(RuleViolation) as method:
        apply(world, "officer_a", applicant, version, method="bullet", term_count=30)
    assert [p["code"] for p in method.value.extra["problems"]] == [
        "term_out_of_range",
        "method_not_offered",
    ]
    with pytest.raises(ValidationFailed) as purpose:
        apply(world, "officer_a", applicant, version, purpose=" ")
    assert purpose.value.field == "purpose"


def test_the_apr_cap_refuses_a_quote_above_it(world: World) -> None:
    # 20 % nominal over 3 months plus a 5 % upfront fee: 95 received for about 101.7 repaid
    # within 3 months, an IRR near 50 % a year, far above the 24 % cap.
    fee = ProductFee("服务费", "upfront", percent=Decimal(5))
    version = make_product(world, fees=(fee,), max_rate=Decimal("20"))
    applicant = register(world, "officer_a", ZHANG, "张三")
    with pytest.raises(RuleViolation) as refused:
        apply(world, "officer_a", applicant, version, annual_rate="20", term_count=3)
    assert (refused.value.code, refused.value.field) == ("apr_above_cap", "annual_rate")
    assert Decimal(refused.value.extra["apr"]) > Decimal(40)


def test_a_customer_held_by_another_officer_cannot_be_applied_for(world: World) -> None:
    version = make_product(world)
    applicant = register(world, "officer_a", ZHANG, "张三")
    with world.make_uow() as uow:
        colleague = auth.create_user(
            uow,
            world.principal("admin"),
            username="officer_a2",
            password=PASSWORD,
            display_name="Officer A2",
            office_id=world.offices["a"],
            roles=["loan_officer"],
            scope="office",
            phone=None,
            now=world.now,
        )
        uow.commit()
    assert isinstance(colleague, auth.UserView)
    world.user_ids["officer_a2"] = colleague.id
    with pytest.raises(Conflict) as held:
        apply(world, "officer_a2", applicant, version)
    assert held.value.code == "customer_held_by_other"
    assert held.value.extra["holder"].startswith("Officer_A (Branch A")


def test_parties_and_collateral_with_loan_to_value(world: World) -> None:
    version = make_product(world)
    view, applicant, guarantor = ready_application(world, version)
    co_borrower = register(world, "officer_a", WANG, "王五")
    actor = world.principal("officer_a")
    with world.make_uow() as uow:
        origination.add_party(
            uow,
            actor,
            application_id=view.id,
            role="co_borrower",
            customer_id=co_borrower,
            relation="spouse",
            now=world.now,
        )
        item = origination.add_collateral(
            uow,
            actor,
            application_id=view.id,
            kind="vehicle",
            description="大众 2020",
            value="90000",
            appraisal_value="80000.00",
            appraiser="评估公司",
            appraised_on="2025-03-01",
            now=world.now,
        )
        uow.commit()
    assert isinstance(item, CollateralView)
    # 50,000 requested over an 80,000 appraisal: 0.625
    assert item.loan_to_value == Decimal("0.6250")
    refusals = (  # role, customer, the refusal: its class, code and field
        ("guarantor", guarantor, Conflict, "party_exists", "customer_id"),  # on it already
        ("guarantor", applicant, ValidationFailed, "validation_failed", "customer_id"),  # itself
        ("witness", co_borrower, ValidationFailed, "validation_failed", "role"),
    )
    with world.make_uow() as uow:
        for role, customer_id, refusal, code, field in refusals:
            with pytest.raises(refusal) as refused:
                origination.add_party(uow, actor, application_id=view.id, role=role,
                                      customer_id=customer_id, now=world.now)  # fmt: skip
            assert (refused.value.code, refused.value.field) == (code, field)
    with world.make_uow(read_only=True) as uow:
        detail = origination.application_detail(uow, actor, application_id=view.id)
    assert [(p.role, p.customer_name, p.relation) for p in detail.parties] == [
        ("guarantor", "李四", "friend"),
        ("co_borrower", "王五", "spouse"),
    ]
    assert [c.kind for c in detail.collateral] == ["vehicle"]


def test_submission_checks_the_product_requirements(world: World) -> None:
    version = make_product(
        world, collateral_required=True, required_documents=("id_copy", "statement")
    )
    applicant = register(world, "officer_a", ZHANG, "张三")
    view = apply(world, "officer_a", applicant, version)
    with pytest.raises(RuleViolation) as refused:
        submit(world, "officer_a", view.id)
    assert [p["code"] for p in refused.value.extra["problems"]] == [
        "guarantors_missing",
        "collateral_missing",
        "documents_missing",
    ]
    assert refused.value.extra["problems"][2]["message"].endswith("id_copy, statement")
    guarantor = register(world, "officer_a", LI, "李四")
    upload_id_copy(world, "officer_a", applicant)
    actor = world.principal("officer_a")
    with world.make_uow() as uow:
        origination.add_party(
            uow,
            actor,
            application_id=view.id,
            role="guarantor",
            customer_id=guarantor,
            now=world.now,
        )
        origination.add_collateral(
            uow,
            actor,
            application_id=view.id,
            kind="real_estate",
            description="住宅",
            value="500000",
            now=world.now,
        )
        credit_file.upload_document(
            uow,
            actor,
            customer_id=applicant,
            doc_type="statement",
            filename="s.pdf",
            media_type="application/pdf",
            content=b"statement",
            now=world.now,
        )
        uow.commit()
    assert submit(world, "officer_a", view.id).status == "submitted"


def test_a_blacklisted_applicant_cannot_submit(world: World) -> None:
    version = make_product(world)
    view, _applicant, _guarantor = ready_application(world, version)
    blacklist(world, ZHANG, "张三")
    with pytest.raises(RuleViolation) as refused:
        submit(world, "officer_a", view.id)
    assert (refused.value.code, refused.value.field) == ("applicant_blacklisted", "customer_id")


def test_submit_edit_and_withdraw_follow_the_life_cycle(world: World) -> None:
    version = make_product(world)
    view, _applicant, _guarantor = ready_application(world, version)
    actor = world.principal("officer_a")
    request = {"application_id": view.id, "product_version_id": version, "amount": "30000",
               "term_count": 6, "annual_rate": "10", "method": "equal_principal"}  # fmt: skip
    with world.make_uow() as uow:
        edited = origination.update_application(
            uow, actor, **request, purpose="设备", now=world.now
        )
        uow.commit()
    assert isinstance(edited, ApplicationView)
    assert (edited.amount, edited.term_count, edited.method) == (
        Decimal("30000.00"),
        6,
        "equal_principal",
    )
    assert submit(world, "officer_a", view.id).status == "submitted"
    with world.make_uow() as uow, pytest.raises(Conflict) as again:
        origination.submit_application(uow, actor, application_id=view.id, now=world.now)
    assert again.value.code == "invalid_transition" and "submitted" in again.value.detail
    with world.make_uow() as uow, pytest.raises(Conflict) as late_edit:
        origination.update_application(uow, actor, **request, purpose="x", now=world.now)
    assert "cannot edit an application that is submitted" in late_edit.value.detail
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        origination.withdraw_application(
            uow, actor, application_id=view.id, reason="", now=world.now
        )
    with world.make_uow() as uow:
        withdrawn = origination.withdraw_application(
            uow, actor, application_id=view.id, reason="borrower gave up", now=world.now
        )
        uow.commit()
    assert isinstance(withdrawn, ApplicationView) and withdrawn.status == "withdrawn"
    with world.make_uow(read_only=True) as uow:
        events = uow.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == view.id)
            .order_by(ApplicationEvent.id)
        ).all()
        commands = [
            r.command
            for r in uow.session.scalars(
                select(AuditRecord)
                .where(
                    AuditRecord.entity_type == "application",
                    AuditRecord.entity_id == str(view.id),
                    AuditRecord.outcome == "ok",
                )
                .order_by(AuditRecord.seq)
            )
        ]
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
    ]
    assert events[-1].note == "borrower gave up"
    assert commands == [
        "origination.apply",
        "origination.party.add",
        "origination.edit",
        "origination.submit",
        "origination.withdraw",
    ]


def test_scope_and_permissions(world: World) -> None:
    version = make_product(world)
    view, _applicant, _guarantor = ready_application(world, version)
    with world.make_uow(read_only=True) as uow:
        with pytest.raises(NotFound):
            origination.get_application(uow, world.principal("officer_b"), application_id=view.id)
        assert (
            origination.get_application(
                uow, world.principal("manager_a"), application_id=view.id
            ).number
            == view.number
        )
        page = origination.list_applications(uow, world.principal("officer_b"))
        assert page.items == []
        mine = origination.list_applications(uow, world.principal("officer_a"), status="draft")
        assert [a.id for a in mine.items] == [view.id]
    with world.make_uow() as uow, pytest.raises(Forbidden):
        origination.submit_application(
            uow, world.principal("approver"), application_id=view.id, now=world.now
        )


def test_the_customer_file_lists_applications_and_finds_them_by_number(world: World) -> None:
    from microlend.origination import customer_file

    version = make_product(world)
    view, applicant, guarantor = ready_application(world, version)
    actor = world.principal("officer_a")
    with world.make_uow(read_only=True) as uow:
        sections = customer_file.file_sections(uow, actor, customer_id=applicant)
        as_guarantor = customer_file.file_sections(uow, actor, customer_id=guarantor)
        found = customer_file.customers_by_number(uow, actor, number=view.number.lower())
        hidden = customer_file.customers_by_number(
            uow, world.principal("officer_b"), number=view.number
        )
    assert sections[0].rows == (
        (view.number, "测试贷 TEST", "CNY 50,000.00", "Draft", view.created_at.date().isoformat()),
    )
    assert sections[0].links == (f"/applications/{view.id}",)
    assert as_guarantor[0].rows[0][0] == view.number + " *"
    assert (found, hidden) == ([applicant], [])

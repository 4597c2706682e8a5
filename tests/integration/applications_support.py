"""Builders for the origination tests: a product with known terms, customers, an application."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from microlend.customers import credit_file
from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.loans.calculator.model import RepaymentMethod
from microlend.origination import service as origination
from microlend.origination.views import ApplicationView, ContractView, ReportView
from microlend.products import service as products
from microlend.products.model import ProductFee, ProductTerms
from microlend.products.views import ProductView
from tests.seed import World

D = Decimal
# Resident ID numbers with valid check digits (ISO 7064 MOD 11-2):
ZHANG = "11010519491231002X"
LI = "110105198001010016"
WANG = "110105198501010012"
ZHAO = "110105199001010010"


def product_terms(**changes: Any) -> ProductTerms:
    """Individual loans of 1,000 to 100,000 CNY, 3 to 24 months, 6 % to 24 %, a 1 % upfront
    service fee, one guarantor and the ID copy required."""
    base: dict[str, Any] = {
        "customer_kinds": ("individual",),
        "currency": "CNY",
        "min_amount": D("1000.00"),
        "max_amount": D("100000.00"),
        "min_term": 3,
        "max_term": 24,
        "methods": (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL),
        "min_rate": D("6"),
        "max_rate": D("24"),
        "fees": (ProductFee("服务费", "upfront", percent=D("1")),),
        "guarantors_required": 1,
        "required_documents": ("id_copy",),
        "investigation_template": "individual",
    }
    base.update(changes)
    return ProductTerms(**base)


def make_product(world: World, *, code: str = "TEST", **changes: Any) -> int:
    """The product's version id."""
    with world.make_uow() as uow:
        view = products.create_product(
            uow,
            world.principal("admin"),
            company_id=world.company_id,
            code=code,
            name=f"测试贷 {code}",
            customer_kind="individual",
            currency="CNY",
            terms=product_terms(**changes),
            now=world.now,
        )
        uow.commit()
    assert isinstance(view, ProductView) and view.current is not None
    return view.current.id


def register(world: World, username: str, id_number: str, name: str) -> int:
    with world.make_uow() as uow:
        view = customers.register_customer(
            uow,
            world.principal(username),
            kind="individual",
            id_number=id_number,
            name=name,
            now=world.now,
        )
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def blacklist(world: World, id_number: str, name: str) -> None:
    """The risk officer blacklists the identity (a court judgment for fraud)."""
    with world.make_uow() as uow:
        credit_file.add_to_list(
            uow,
            world.principal("risk"),
            list_kind="black",
            id_kind="resident_id",
            id_number=id_number,
            name=name,
            reason="fraud",
            source="court",
            now=world.now,
        )
        uow.commit()


def upload_id_copy(world: World, username: str, customer_id: int) -> None:
    with world.make_uow() as uow:
        credit_file.upload_document(
            uow,
            world.principal(username),
            customer_id=customer_id,
            doc_type="id_copy",
            filename="id.jpg",
            media_type="image/jpeg",
            content=b"id-copy-" + bytes(str(customer_id), "ascii"),
            now=world.now,
        )
        uow.commit()


def apply(
    world: World, username: str, customer_id: int, version_id: int, **changes: Any
) -> ApplicationView:
    request: dict[str, Any] = {
        "amount": "50000.00",
        "term_count": 12,
        "annual_rate": "12",
        "method": "equal_installment",
        "purpose": "进货 stock for the shop",
    }
    request.update(changes)
    with world.make_uow() as uow:
        view = origination.create_application(
            uow,
            world.principal(username),
            customer_id=customer_id,
            product_version_id=version_id,
            now=world.now,
            **request,
        )
        uow.commit()
    assert isinstance(view, ApplicationView)
    return view


def ready_application(
    world: World, version_id: int, *, id_number: str = ZHANG, name: str = "张三"
) -> tuple[ApplicationView, int, int]:
    """officer_a's draft for 张三 (born 1949; or another applicant) with 李四 as guarantor and
    the ID copy on file: (application, applicant id, guarantor id)."""
    applicant = register(world, "officer_a", id_number, name)
    guarantor = register(world, "officer_a", LI, "李四")
    upload_id_copy(world, "officer_a", applicant)
    view = apply(world, "officer_a", applicant, version_id)
    with world.make_uow() as uow:
        origination.add_party(
            uow,
            world.principal("officer_a"),
            application_id=view.id,
            role="guarantor",
            customer_id=guarantor,
            relation="friend",
            now=world.now,
        )
        uow.commit()
    return view, applicant, guarantor


def individual_answers() -> dict[str, dict[str, Any]]:
    """Every required answer of the individual template."""
    return {
        "site_visit": {
            "visit_date": "2025-03-02",
            "visited_address": "朝阳区 1 号",
            "observations": "shop open, stock on shelves",
        },
        "identity_residence": {"id_verified": "yes", "residence_verified": True},
        "business_operation": {
            "occupation": "grocer",
            "years_in_business": "6",
            "monthly_revenue": "30000",
        },
        "financial_verification": {
            "monthly_income": "12000.00",
            "monthly_expense": "5000",
            "credit_report_checked": "yes",
        },
        "purpose_of_funds": {"stated_purpose": "stock", "purpose_verified": "yes"},
        "repayment_source": {"primary_source": "shop income", "monthly_capacity": "6000"},
        "risk_summary": {"risk_level": "medium", "risks": "seasonal sales"},
    }


def submitted(world: World, version: int, *, id_number: str = ZHAO) -> ApplicationView:
    """A submitted application of 赵六 (born 1990), or of another applicant."""
    view, _applicant, _guarantor = ready_application(
        world, version, id_number=id_number, name="赵六" if id_number == ZHAO else "张三"
    )
    with world.make_uow() as uow:
        result = origination.submit_application(
            uow, world.principal("officer_a"), application_id=view.id, now=world.now
        )
        uow.commit()
    assert isinstance(result, ApplicationView)
    return result


def investigate(world: World, application_id: int, *, complete: bool = True) -> ReportView:
    actor = world.principal("officer_a")
    with world.make_uow() as uow:
        report = origination.start_investigation(
            uow, actor, application_id=application_id, now=world.now
        )
        assert isinstance(report, ReportView)
        origination.attach_file(
            uow,
            actor,
            report_id=report.id,
            section="site_visit",
            kind="photo",
            caption="shop front",
            filename="shop.jpg",
            media_type="image/jpeg",
            content=b"\xff\xd8 shop photo",
            now=world.now,
        )
        saved = origination.save_report(
            uow,
            actor,
            report_id=report.id,
            sections=individual_answers(),
            recommendation="approve",
            suggested_amount="50000",
            suggested_term_count=12,
            suggested_annual_rate="12",
            opinion="sound business, recommend",
            now=world.now,
        )
        uow.commit()
    assert isinstance(saved, ReportView)
    if not complete:
        return saved
    with world.make_uow() as uow:
        done = origination.complete_report(uow, actor, report_id=report.id, now=world.now)
        uow.commit()
    assert isinstance(done, ReportView)
    return done


def approved(world: World, application_id: int) -> None:
    """The default chain's two steps for a referred application under 50,000: the branch
    manager (``approver``) then the risk review (``risk``)."""
    for username in ("approver", "risk"):
        with world.make_uow() as uow:
            origination.act_on_application(
                uow,
                world.principal(username),
                application_id=application_id,
                action="approve",
                opinion=f"{username}: fine",
                conditions=None,
                now=world.now,
            )
            uow.commit()


def contracted(world: World) -> tuple[int, ContractView]:
    """A contracted application of 赵六 (submitted, investigated with a photo, referred by the
    decision, approved at two levels, contracted): (application id, contract)."""
    view = submitted(world, make_product(world, code="FLOW"))
    investigate(world, view.id)
    approved(world, view.id)
    with world.make_uow() as uow:
        contract = origination.contract_application(
            uow,
            world.principal("officer_a"),
            application_id=view.id,
            disbursement_date=date(2025, 3, 5),
            now=world.now,
        )
        uow.commit()
    assert isinstance(contract, ContractView)
    return view.id, contract

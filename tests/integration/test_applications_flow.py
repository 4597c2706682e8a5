"""The whole origination flow on a real database (SQLite and PostgreSQL), no stub: submit,
investigate (answers, photo, recommendation), the automated decision, the approval chain, the
contract with its schedule, APR and PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from microlend.db import documents
from microlend.kernel.errors import Conflict, Forbidden, ValidationFailed
from microlend.origination import service as origination
from microlend.origination.tables import Contract
from microlend.origination.views import ContractView, ReportView
from tests.integration.applications_support import (
    ZHANG,
    ZHAO,
    individual_answers,
    investigate,
    make_product,
    submitted,
)
from tests.seed import World


@pytest.fixture(autouse=True)
def _documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def test_an_incomplete_report_cannot_be_completed(world: World) -> None:
    version = make_product(world)
    view = submitted(world, version)
    actor = world.principal("officer_a")
    with world.make_uow() as uow:
        report = origination.start_investigation(uow, actor, application_id=view.id, now=world.now)
        uow.commit()
    assert isinstance(report, ReportView) and report.template == "individual"
    with world.make_uow() as uow:
        origination.save_report(
            uow,
            actor,
            report_id=report.id,
            sections={"site_visit": {"visit_date": "2025-03-02"}},
            now=world.now,
        )
        uow.commit()
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as missing:
        origination.complete_report(uow, actor, report_id=report.id, now=world.now)
    assert missing.value.field == "sections.site_visit.visited_address"
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as wrong:
        origination.save_report(
            uow,
            actor,
            report_id=report.id,
            sections={"risk_summary": {"risk_level": "extreme"}},
            now=world.now,
        )
    assert wrong.value.field == "sections.risk_summary.risk_level"
    with world.make_uow() as uow:
        origination.save_report(
            uow, actor, report_id=report.id, sections=individual_answers(), now=world.now
        )
        uow.commit()
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as no_recommendation:
        origination.complete_report(uow, actor, report_id=report.id, now=world.now)
    assert no_recommendation.value.field == "recommendation"
    with world.make_uow(read_only=True) as uow:
        assert origination.investigator_ids(uow, application_id=view.id) == frozenset(
            {world.user_ids["officer_a"]}
        )
        detail = origination.application_detail(uow, actor, application_id=view.id)
    assert detail.application.status == "investigating"
    assert detail.reports[0].sections["site_visit"]["visited_address"] == "朝阳区 1 号"
    assert detail.reports[0].sections["identity_residence"]["id_verified"] is True
    assert detail.reports[0].status == "draft"


def test_referred_application_is_approved_at_two_levels_and_contracted(world: World) -> None:
    version = make_product(world)
    view = submitted(world, version)
    report = investigate(world, view.id)
    assert report.status == "completed" and report.attachments[0].caption == "shop front"
    with world.make_uow(read_only=True) as uow:
        app = origination.get_application(uow, world.principal("officer_a"), application_id=view.id)
        decision = origination.latest_decision(uow, world.principal("risk"), application_id=view.id)
    assert decision is not None
    assert decision.outcome == "refer", decision.reasons
    assert app.status == "under_review"
    # the officer made and investigated it: he may not approve (he lacks the permission, too)
    for username in ("approver", "risk"):
        with world.make_uow() as uow:
            origination.act_on_application(
                uow,
                world.principal(username),
                application_id=view.id,
                action="approve",
                opinion=f"{username}: fine",
                conditions=None,
                now=world.now,
            )
            uow.commit()
    with world.make_uow(read_only=True) as uow:
        app = origination.get_application(uow, world.principal("officer_a"), application_id=view.id)
    assert app.status == "approved"
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
    assert contract.number == "HT2025000001"
    assert (contract.amount, contract.term_count, contract.annual_rate) == (
        Decimal("50000.00"),
        12,
        Decimal("12"),
    )
    disclosure = contract.disclosure
    # 50,000 at 12 % over 12 months, equal installments: 50000 * 0.01 / (1 - 1.01^-12)
    # = 4,442.44 a month; the 1 % upfront fee (500) is deducted: 49,500 received.
    assert disclosure["schedule"][0]["total"] == "4442.44"
    assert disclosure["net_disbursed"] == "49500.00"
    assert disclosure["fees"] == [
        {"name": "服务费", "charged": "upfront", "rule": "1% of principal", "amount": "500.00"}
    ]
    # the fee lifts the APR above the 12 % nominal rate (IRR of 49,500 against 12 x 4,442.44)
    assert Decimal("13.5") < contract.apr < Decimal("14.5")
    assert [p["name"] for p in disclosure["parties"]] == ["李四"]
    pdf = documents.read(documents.StoredDocument("contract PDF", contract.id, contract.pdf_hash))
    assert pdf.startswith(b"%PDF")
    with world.make_uow(read_only=True) as uow:
        html = origination.contract_html(uow, world.principal("officer_a"), application_id=view.id)
        masked = origination.contract_html(uow, world.principal("manager"), application_id=view.id)
        app = origination.get_application(uow, world.principal("officer_a"), application_id=view.id)
        with pytest.raises(Forbidden):
            origination.contract_pdf(uow, world.principal("manager"), application_id=view.id)
    assert "HT2025000001" in html and ZHAO in html and "赵六" in html
    assert f"赵六（居民身份证 {ZHAO}）" in html  # the document kind in the contract's words
    assert ZHAO not in masked and "赵六" in masked
    assert app.status == "contracted"
    with world.make_uow() as uow, pytest.raises(Conflict) as twice:
        origination.contract_application(
            uow, world.principal("officer_a"), application_id=view.id, now=world.now
        )
    assert twice.value.code == "invalid_transition"
    with world.make_uow(read_only=True) as uow:
        assert uow.session.scalars(select(Contract.pdf_hash)).one() == contract.pdf_hash


def test_a_declined_decision_rejects_the_application_with_its_reasons(world: World) -> None:
    version = make_product(world)
    view = submitted(world, version, id_number=ZHANG)  # born 1949: 76 on the business date
    investigate(world, view.id)
    with world.make_uow(read_only=True) as uow:
        detail = origination.application_detail(
            uow, world.principal("officer_a"), application_id=view.id
        )
    assert detail.application.status == "rejected"
    last = detail.events[-1]
    assert (last.from_status, last.to_status) == ("investigating", "rejected")
    assert "AGE_RANGE" in last.reasons and last.note == "automated decision: decline"


def test_a_returned_application_is_investigated_again_in_a_new_report(world: World) -> None:
    version = make_product(world)
    view = submitted(world, version)
    first = investigate(world, view.id)
    with world.make_uow() as uow:
        origination.act_on_application(
            uow,
            world.principal("approver"),
            application_id=view.id,
            action="return",
            opinion="ask for the lease",
            conditions=None,
            now=world.now,
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        back = origination.get_application(
            uow, world.principal("officer_a"), application_id=view.id
        )
    assert back.status == "investigating"
    second = investigate(world, view.id)
    assert second.id != first.id and first.status == second.status == "completed"
    with world.make_uow(read_only=True) as uow:
        detail = origination.application_detail(
            uow, world.principal("officer_a"), application_id=view.id
        )
    assert detail.application.status == "under_review"
    assert [e.to_status for e in detail.events] == [
        "draft",
        "submitted",
        "investigating",
        "under_review",
        "investigating",
        "under_review",
    ]

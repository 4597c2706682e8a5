"""The application pages in a browser-like client: the wizard, the investigation form, the
application page, the contract preview and PDF; and who may open each page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microlend.origination import pages, pages_investigation, pages_wizard, service
from microlend.web.kit.page_routes import PageRoute
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.e2e.test_permission_matrix import USER_OF_ROLE
from tests.integration.applications_support import (
    LI,
    ZHAO,
    contracted,
    individual_answers,
    make_product,
    register,
    upload_id_copy,
)
from tests.seed import World

__all__ = ["ui_client"]

VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "finance", "manager", "auditor"})
OFFICER = frozenset({"loan_officer"})
PII = frozenset({"loan_officer", "risk_officer", "approver"})  # origination.view and pii.view
ROLES = USER_OF_ROLE  # role -> the seeded user who has it
A = "/applications/{application_id}"
# Every GET page of this module, the roles that get it (the others get 403): to be merged into
# tests/e2e/test_pages_permissions.py's EXPECTED.
EXPECTED: dict[str, frozenset[str]] = {
    "/applications": VIEWERS,
    "/applications/new": OFFICER,
    A: VIEWERS,
    f"{A}/parties": OFFICER,
    f"{A}/review": OFFICER,
    f"{A}/investigation": VIEWERS,
    f"{A}/contract": VIEWERS,
    f"{A}/contract.pdf": PII,
    f"{A}/attachments/{{attachment_id}}": VIEWERS,
}


@pytest.fixture(autouse=True)
def _documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def test_every_application_page_is_in_the_matrix() -> None:
    found = {
        route.path
        for module in (pages, pages_wizard, pages_investigation)
        for route in module.router.routes
        if isinstance(route, PageRoute) and "GET" in route.methods
    }
    assert found == set(EXPECTED)


def test_who_may_open_each_application_page(ui_client: TestClient, world: World) -> None:
    application_id, contract = contracted(world)
    with world.make_uow(read_only=True) as uow:
        detail = service.application_detail(
            uow, world.principal("officer_a"), application_id=application_id
        )
    attachment_id = detail.reports[0].attachments[0].id
    mismatches = []
    for role, username in sorted(ROLES.items()):
        ui_client.cookies.clear()
        sign_in(ui_client, username)
        for path, allowed in EXPECTED.items():
            url = path.format(application_id=application_id, attachment_id=attachment_id)
            status = ui_client.get(url, headers=HTML).status_code
            if status != (200 if role in allowed else 403):
                mismatches.append((role, path, status))
    assert mismatches == []
    assert contract.number == "HT2025000001"


def test_an_officer_walks_the_wizard_and_investigates(ui_client: TestClient, world: World) -> None:
    version = make_product(world)
    applicant = register(world, "officer_a", ZHAO, "赵六")
    register(world, "officer_a", LI, "李四")
    upload_id_copy(world, "officer_a", applicant)
    csrf = sign_in(ui_client, "officer_a")
    search = ui_client.get("/applications/new", params={"q": ZHAO})
    assert search.status_code == 200 and f"/applications/new?customer_id={applicant}" in search.text
    step2 = ui_client.get(f"/applications/new?customer_id={applicant}")
    assert step2.status_code == 200 and "测试贷 TEST" in step2.text
    request = {
        "csrf_token": csrf,
        "customer_id": str(applicant),
        "product_version_id": str(version),
        "amount": "12000",
        "term_count": "12",
        "annual_rate": "12",
        "method": "equal_principal",
        "purpose": "进货",
    }
    quote = ui_client.post(
        "/applications/quote",
        data=request,
        headers={"HX-Request": "true", "HX-Target": "#quote-panel"},
    )
    assert quote.status_code == 200 and 'id="quote-apr"' in quote.text
    assert "<html" not in quote.text  # the fragment alone
    # equal principal, 12,000 over 12 months at 1 % a month: 1,000 + 120 = 1,120 first;
    # the 1 % upfront fee (120) is deducted: 11,880 received
    assert "1,120.00" in quote.text and "11,880.00" in quote.text
    bad = ui_client.post("/applications/new", data={**request, "amount": "500"})
    assert bad.status_code == 422 and "f-amount" in bad.text
    assert "Please check Amount: the minimum is" in bad.text  # a broken rule names its field
    rate = ui_client.post("/applications/new", data={**request, "annual_rate": "abc"})
    assert rate.status_code == 422 and "Please check Annual rate:" in rate.text
    created = ui_client.post("/applications/new", data=request)
    assert created.status_code == 303
    parties_url = created.headers["location"]
    application_id = int(re.findall(r"/applications/(\d+)/parties", parties_url)[0])
    added = ui_client.post(
        parties_url,
        data={"csrf_token": csrf, "role": "guarantor", "party_q": LI, "relation": "friend"},
    )
    assert added.status_code == 303
    unknown = ui_client.post(
        parties_url, data={"csrf_token": csrf, "role": "guarantor", "party_q": "nobody-at-all"}
    )
    assert unknown.status_code == 422 and "no customer found" in unknown.text
    collateral = ui_client.post(
        f"/applications/{application_id}/collateral",
        data={
            "csrf_token": csrf,
            "kind": "vehicle",
            "description": "car",
            "value": "30000",
            "appraisal_value": "24000",
            "appraiser": "评估公司",
        },
    )
    assert collateral.status_code == 303
    shown = ui_client.get(parties_url)
    # 12,000 requested over a 24,000 appraisal: 50.00 %
    assert "李四" in shown.text and "50.00%" in shown.text
    review = ui_client.get(f"/applications/{application_id}/review")
    assert review.status_code == 200 and 'id="submit-application"' in review.text
    submitted = ui_client.post(f"/applications/{application_id}/submit", data={"csrf_token": csrf})
    assert submitted.status_code == 303
    listed = ui_client.get("/applications", params={"status": "submitted"}, headers=ZH).text
    assert "已提交" in listed and "提交时间" not in listed  # the status, not a column's time
    start = ui_client.post(
        f"/applications/{application_id}/investigation/start", data={"csrf_token": csrf}
    )
    assert start.status_code == 303
    form_page = ui_client.get(f"/applications/{application_id}/investigation")
    assert form_page.status_code == 200 and 'id="investigation-form"' in form_page.text
    report_id = re.findall(r'name="report_id" value="(\d+)"', form_page.text)[0]
    photo = ui_client.post(
        f"/applications/{application_id}/investigation/attachments",
        data={
            "csrf_token": csrf,
            "report_id": report_id,
            "section": "site_visit",
            "kind": "photo",
            "caption": "门店",
        },
        files={"file": ("shop.jpg", b"\xff\xd8 photo", "image/jpeg")},
    )
    assert photo.status_code == 303
    answers = {
        f"s.{section}.{name}": str(value)
        for section, fields in individual_answers().items()
        for name, value in fields.items()
    }
    answers["s.identity_residence.residence_verified"] = "yes"
    incomplete = ui_client.post(
        f"/applications/{application_id}/investigation",
        data={
            "csrf_token": csrf,
            "report_id": report_id,
            "action": "complete",
            **{k: v for k, v in answers.items() if k != "s.site_visit.observations"},
        },
    )
    assert incomplete.status_code == 422 and "required to complete" in incomplete.text
    completed = ui_client.post(
        f"/applications/{application_id}/investigation",
        data={
            "csrf_token": csrf,
            "report_id": report_id,
            "action": "complete",
            "recommendation": "approve",
            "opinion": "good",
            **answers,
        },
    )
    assert completed.status_code == 303, completed.text
    page = ui_client.get(f"/applications/{application_id}", headers=ZH)
    assert page.status_code == 200
    assert re.findall(r'data-status="(\w+)"', page.text)[0] == "under_review", page.text[-3000:]
    assert 'id="decision-panel"' in page.text
    assert re.search("自动决策：(通过|转人工)", page.text) and "automated decision" not in page.text
    assert "门店" in ui_client.get(f"/applications/{application_id}/investigation").text
    listed = ui_client.get("/applications", params={"status": "under_review"})
    assert f"/applications/{application_id}" in listed.text


def test_the_contract_preview_and_pdf(ui_client: TestClient, world: World) -> None:
    application_id, contract = contracted(world)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/applications/{application_id}")
    assert 'id="contract-number"' in page.text and contract.number in page.text
    preview = ui_client.get(f"/applications/{application_id}/contract")
    assert preview.status_code == 200 and "借款合同" in preview.text
    assert f"{contract.apr}%" in preview.text
    assert str(contract.amount) == "50000.00"  # in capitals (金额大写) beside the figure:
    assert 'id="amount-capitals">人民币伍万元整<' in preview.text
    pdf = ui_client.get(f"/applications/{application_id}/contract.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "HT2025000001.pdf" in pdf.headers["content-disposition"]

"""The approval pages in a browser-like client: who may open them, the inbox with its SLA timer,
the approval page and its action form, and the chains' administration page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Clock
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.e2e.test_permission_matrix import USER_OF_ROLE
from tests.integration.approvals_support import status_of, under_review
from tests.seed import World

__all__ = ["ui_client"]

ROLES = USER_OF_ROLE  # role -> the seeded user who has it
VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "finance", "manager", "auditor"})
EXPECTED = {
    "/approvals": frozenset({"approver", "risk_officer"}),
    "/approvals/applications/{application_id}": VIEWERS,
    "/admin/approval-chains": frozenset({"admin"}),
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_each_approval_page(ui_client: TestClient, world: World, role: str) -> None:
    app_id = under_review(world, amount="30000")
    sign_in(ui_client, ROLES[role])
    outcome = {
        path: ui_client.get(path.format(application_id=app_id), headers=HTML).status_code
        for path in EXPECTED
    }
    assert outcome == {path: 200 if role in ok else 403 for path, ok in EXPECTED.items()}


def test_the_inbox_shows_the_sla_timer(ui_client: TestClient, world: World, clock: Clock) -> None:
    app_id = under_review(world, amount="30000")  # the branch step is due 24 hours later
    clock.advance(timedelta(hours=20, minutes=30))
    sign_in(ui_client, "approver")
    page = ui_client.get("/approvals")
    assert page.status_code == 200
    assert f'data-application-id="{app_id}"' in page.text and "3h 30m left" in page.text
    clock.advance(timedelta(hours=5))
    ui_client.cookies.clear()
    sign_in(ui_client, "approver")  # a new session: the first one has idled out
    assert "overdue 1h 30m" in ui_client.get("/approvals").text
    fragment = ui_client.get("/approvals", headers={"HX-Request": "true",
                                                    "HX-Target": "approval-inbox"})  # fmt: skip
    assert "<html" not in fragment.text and "overdue 1h 30m" in fragment.text


def test_approving_through_the_form(ui_client: TestClient, world: World) -> None:
    app_id = under_review(world, amount="150000")
    csrf = sign_in(ui_client, "approver")
    url = f"/approvals/applications/{app_id}"
    page = ui_client.get(url)
    assert 'id="approval-form"' in page.text and "Branch manager" in page.text
    refused = ui_client.post(url, data={"csrf_token": csrf, "action": "approve", "opinion": ""})
    assert refused.status_code == 422 and 'id="approval-form"' in refused.text
    conditional = ui_client.post(url, data={
        "csrf_token": csrf, "action": "approve_with_conditions", "opinion": "降额同意",
        "conditions.amount": "100000", "conditions.term_count": "6",
    })  # fmt: skip
    assert conditional.status_code == 303 and conditional.headers["location"] == "/approvals"
    after = ui_client.get(url)
    assert "降额同意" in after.text and 'id="approval-form"' not in after.text
    assert status_of(world, app_id).status == "under_review"


def test_the_approval_page_reads_in_chinese(ui_client: TestClient, world: World) -> None:
    app_id = under_review(world, amount="30000")
    sign_in(ui_client, "approver")
    page = ui_client.get(f"/approvals/applications/{app_id}", headers=ZH).text
    assert 'data-status="under_review">审批中</span>' in page and "<dd>等额本金</dd>" in page
    assert "<code>under_review</code>" not in page and "<dd>equal_principal</dd>" not in page


def test_the_default_chain_reads_in_the_readers_language(
    ui_client: TestClient, world: World
) -> None:
    """Its names are stored in English (seeded data) and shown through the catalog; a name a
    user typed is shown as typed (``test_the_chains_page_saves_a_new_version``)."""
    app_id = under_review(world, amount="30000")  # the default chain exists from here on
    for user, url in (
        ("approver", f"/approvals/applications/{app_id}"),
        ("admin", "/admin/approval-chains"),
    ):
        ui_client.cookies.clear()  # signed out
        sign_in(ui_client, user)
        chinese = ui_client.get(url, headers=ZH).text
        assert "分支机构负责人" in chinese and "Branch manager" not in chinese
        english = ui_client.get(url, headers=HTML).text
        assert "Branch manager" in english and "分支机构负责人" not in english
        if user == "approver":  # the step's role, named
            assert "(审批人)" in chinese and "(approver)" not in chinese
            assert "(Approver)" in english
    chains = ui_client.get("/admin/approval-chains", headers=ZH).text
    assert "<h2>默认审批流程 " in chains and "风控专员" in chains and "审贷委员会" in chains


def test_the_maker_sees_no_form(ui_client: TestClient, world: World) -> None:
    app_id = under_review(world, amount="30000")
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/approvals/applications/{app_id}")
    assert page.status_code == 200 and 'id="approval-form"' not in page.text


def test_the_chains_page_saves_a_new_version(ui_client: TestClient, world: World) -> None:
    under_review(world, amount="30000")  # the default chain exists from here on
    csrf = sign_in(ui_client, "admin")
    page = ui_client.get("/admin/approval-chains?edit=default", headers=ZH)
    assert page.status_code == 200 and 'data-chain="default"' in page.text
    form = {"csrf_token": csrf, "code": "default", "name": "单级",
            "steps.0.level_name": "总经理", "steps.0.role": "approver",
            "steps.0.location": "head_office", "steps.0.sla_hours": "12"}  # fmt: skip
    saved = ui_client.post("/admin/approval-chains", data=form)
    assert saved.status_code == 303
    listing = ui_client.get("/admin/approval-chains")
    assert "default v2" in listing.text and "总经理" in listing.text
    bad = ui_client.post(
        "/admin/approval-chains",
        data={**form, "steps.0.quorum": "3", "steps.0.committee_size": "2"},
    )
    assert bad.status_code == 422 and 'class="field-error">1: ' in bad.text  # beside row 1

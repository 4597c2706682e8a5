"""The applications API over HTTP: the whole flow, problem+json refusals, idempotency."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.applications_support import (
    LI,
    ZHAO,
    individual_answers,
    make_product,
    register,
    upload_id_copy,
)
from tests.seed import World

Headers = dict[str, str]


@pytest.fixture(autouse=True)
def _documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def draft(client: TestClient, world: World, officer: Headers) -> tuple[int, int]:
    """(application id, guarantor id) of a fresh draft of 赵六 for 50,000 over 12 months."""
    version = make_product(world)
    applicant = register(world, "officer_a", ZHAO, "赵六")
    guarantor = register(world, "officer_a", LI, "李四")
    upload_id_copy(world, "officer_a", applicant)
    created = client.post(
        "/api/v1/applications",
        headers=officer,
        json={
            "customer_id": applicant,
            "product_version_id": version,
            "amount": "50000.00",
            "term_count": 12,
            "annual_rate": "12",
            "method": "equal_installment",
            "purpose": "进货",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], guarantor


def test_the_flow_over_http(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    officer = bearer("officer_a")
    application_id, guarantor = draft(client, world, officer)
    base = f"/api/v1/applications/{application_id}"
    refused = client.post(f"{base}/submit", headers=officer)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "guarantors_missing"
    party = client.post(
        f"{base}/parties", headers=officer, json={"role": "guarantor", "customer_id": guarantor}
    )
    assert party.status_code == 201 and party.json()["customer_name"] == "李四"
    collateral = client.post(
        f"{base}/collateral",
        headers=officer,
        json={
            "kind": "vehicle",
            "description": "car",
            "value": "90000",
            "appraisal_value": "80000",
            "appraiser": "评估公司",
            "appraised_on": "2025-03-01",
        },
    )
    assert collateral.status_code == 201 and collateral.json()["loan_to_value"] == "0.6250"
    submitted = client.post(f"{base}/submit", headers=officer)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.post(f"{base}/submit", headers=officer)
    assert again.status_code == 409 and "submitted" in again.json()["detail"]
    report = client.post(f"{base}/investigation", headers=officer)
    assert report.status_code == 201 and report.json()["template"] == "individual"
    report_id = report.json()["id"]
    photo = client.post(
        f"/api/v1/investigation-reports/{report_id}/attachments",
        params={"filename": "shop.jpg", "section": "site_visit", "caption": "shop"},
        content=b"\xff\xd8 photo",
        headers={**officer, "Content-Type": "image/jpeg"},
    )
    assert photo.status_code == 201, photo.text
    saved = client.put(
        f"/api/v1/investigation-reports/{report_id}",
        headers=officer,
        json={
            "sections": individual_answers(),
            "recommendation": "approve",
            "suggested_amount": "50000",
            "opinion": "recommend",
        },
    )
    assert saved.status_code == 200, saved.text
    completed = client.post(f"/api/v1/investigation-reports/{report_id}/complete", headers=officer)
    assert completed.status_code == 200, completed.text
    detail = client.get(base, headers=officer).json()
    assert detail["application"]["status"] == "under_review"
    assert [e["to_status"] for e in detail["events"]] == [
        "draft",
        "submitted",
        "investigating",
        "under_review",
    ]
    shot = client.get(f"{base}/attachments/{photo.json()['id']}", headers=officer)
    assert shot.content == b"\xff\xd8 photo"
    early = client.post(f"{base}/contract", headers=officer, json={})
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"


def test_a_quote_prices_a_request_and_refuses_one_outside_the_product(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    version = make_product(world, fees=())
    officer = bearer("officer_a")
    body = {
        "product_version_id": version,
        "amount": "12000",
        "term_count": 12,
        "annual_rate": "12",
        "method": "equal_principal",
    }
    quoted = client.post("/api/v1/application-quotes", headers=officer, json=body)
    assert quoted.status_code == 200, quoted.text
    # equal principal: 1,000 a month; the first month's interest is 12,000 x 1 % = 120
    assert quoted.json()["first_installment"] == "1120.00"
    # no fee: the APR is the nominal rate, 12 %
    assert quoted.json()["apr"] == "12.00"
    too_long = client.post(
        "/api/v1/application-quotes", headers=officer, json={**body, "term_count": 60}
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "term_out_of_range"
    floats = client.post(
        "/api/v1/application-quotes", headers=officer, json={**body, "amount": 12000.5}
    )
    assert floats.status_code == 422


def test_create_is_idempotent_with_a_key(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    version = make_product(world)
    applicant = register(world, "officer_a", ZHAO, "赵六")
    headers = {**bearer("officer_a"), "Idempotency-Key": "apply-1"}
    body = {
        "customer_id": applicant,
        "product_version_id": version,
        "amount": "50000.00",
        "term_count": 12,
        "annual_rate": "12",
        "method": "equal_installment",
        "purpose": "进货",
    }
    first = client.post("/api/v1/applications", headers=headers, json=body)
    replay = client.post("/api/v1/applications", headers=headers, json=body)
    assert first.status_code == replay.status_code == 201
    assert first.json()["number"] == replay.json()["number"] == "SQ2025000001"
    assert replay.headers.get("Idempotent-Replayed") == "true"
    changed = client.post("/api/v1/applications", headers=headers, json={**body, "amount": "1000"})
    assert changed.status_code == 409
    listed = client.get("/api/v1/applications", headers=bearer("officer_a")).json()
    assert [a["number"] for a in listed["items"]] == ["SQ2025000001"]

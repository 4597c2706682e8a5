"""The customers API over HTTP: register, collide, search, 360, pool, documents, idempotency."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.seed import World

ZHANG = "11010519491231002X"  # GB 11643-1999's own example
USCC = "91350100M000100Y43"  # GB 32100-2015's worked example
Headers = dict[str, str]


@pytest.fixture(autouse=True)
def document_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    return tmp_path / "docs"


def register(client: TestClient, headers: Headers, **body: object) -> dict[str, object]:
    response = client.post(
        "/api/v1/customers/individuals",
        headers=headers,
        json={"id_number": ZHANG, "name": "张三", **body},
    )
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_register_then_a_second_officer_collides(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    first = register(client, bearer("officer_a"), phone="13912345678")
    assert first["birth_date"] == "1949-12-31" and first["sex"] == "female"
    again = client.post(
        "/api/v1/customers/individuals",
        headers=bearer("officer_b"),
        json={"id_number": ZHANG, "name": "张三"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    problem = again.json()
    assert problem["code"] == "customer_collision" and problem["field"] == "id_number"
    assert problem["holder"]["office"] == "Branch A" and problem["holder"]["since"] == "2025-03-03"
    collisions = client.get("/api/v1/customer-collisions", headers=bearer("officer_b")).json()
    assert [c["customer_id"] for c in collisions["items"]] == [first["id"]]


def test_a_bad_check_digit_is_a_problem_naming_the_field(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    response = client.post(
        "/api/v1/customers/enterprises",
        headers=bearer("officer_a"),
        json={"id_number": USCC[:-1] + "4", "name": "某公司"},
    )
    assert response.status_code == 422 and response.json()["field"] == "id_number"


def test_search_is_scoped_masked_and_paginated(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    officer = bearer("officer_a")
    register(client, officer, phone="13912345678")
    enterprise = client.post(
        "/api/v1/customers/enterprises",
        headers=officer,
        json={"id_number": USCC, "name": "张氏实业有限公司", "registered_capital": "500000.00"},
    )
    assert enterprise.status_code == 201
    assert enterprise.json()["registered_capital"] == "500000.00"
    page = client.get("/api/v1/customers", params={"q": "张", "limit": 1}, headers=officer).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(
        "/api/v1/customers",
        headers=officer,
        params={"q": "张", "limit": 1, "cursor": page["next_cursor"]},
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    other_branch = client.get("/api/v1/customers", params={"q": "张"}, headers=bearer("officer_b"))
    assert other_branch.json()["items"] == []
    masked = client.get(
        "/api/v1/customers", params={"q": "13912345678"}, headers=bearer("manager")
    ).json()["items"]
    assert [(c["id_number"], c["phone"]) for c in masked] == [("110***********002X", "139****5678")]


def test_the_360_and_related_parties(client: TestClient, bearer: Callable[[str], Headers]) -> None:
    officer = bearer("officer_a")
    person = register(client, officer)
    firm = client.post(
        "/api/v1/customers/enterprises",
        headers=officer,
        json={"id_number": USCC, "name": "某某有限公司"},
    ).json()
    linked = client.post(
        f"/api/v1/customers/{firm['id']}/related-parties",
        headers=officer,
        json={"to_id": person["id"], "relation": "legal_representative"},
    )
    assert linked.status_code == 201 and linked.json()[0]["other_id"] == person["id"]
    statement = client.post(
        f"/api/v1/customers/{firm['id']}/financials",
        headers=officer,
        json={"period": "2024", "total_assets": "1000.00", "total_liabilities": "250.00"},
    )
    assert statement.status_code == 201 and statement.json()[0]["debt_ratio"] == "0.2500"
    card = client.get(f"/api/v1/customers/{person['id']}", headers=officer).json()
    assert {m["id"] for m in card["group"]} == {person["id"], firm["id"]}
    assert card["group_exposure"] == "0" and card["holder"]["owner_id"] == person["owner_id"]
    assert (
        client.get(f"/api/v1/customers/{person['id']}", headers=bearer("officer_b")).status_code
        == 404
    )


def test_blacklist_refuses_registration(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    listed = client.post(
        "/api/v1/customer-lists",
        headers=bearer("risk"),
        json={"list_kind": "black", "id_number": ZHANG, "name": "张三", "reason": "fraud"},
    )
    assert listed.status_code == 201
    refused = client.post(
        "/api/v1/customers/individuals",
        headers=bearer("officer_a"),
        json={"id_number": ZHANG, "name": "张三"},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "customer_blacklisted"


def test_release_then_claim_from_the_pool(
    client: TestClient, bearer: Callable[[str], Headers], world: World
) -> None:
    person = register(client, bearer("officer_a"))
    released = client.post(f"/api/v1/customers/{person['id']}/release", headers=bearer("officer_a"))
    assert released.status_code == 200 and released.json()["owner_id"] is None
    claimed = client.post(
        f"/api/v1/customers/{person['id']}/claim", headers=bearer("officer_a1"), json={}
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["owner_id"] == world.user_ids["officer_a1"]


def test_documents_are_stored_by_hash_and_read_back(
    client: TestClient, bearer: Callable[[str], Headers], document_dir: Path
) -> None:
    officer = bearer("officer_a")
    person = register(client, officer)
    url = f"/api/v1/customers/{person['id']}/documents"
    uploaded = client.post(
        url,
        params={"doc_type": "id_copy", "filename": "身份证.txt"},
        headers={**officer, "Content-Type": "text/plain"},
        content=b"front and back",
    )
    assert uploaded.status_code == 201, uploaded.text
    digest = uploaded.json()["content_hash"]
    assert (document_dir / digest[:2] / digest).read_bytes() == b"front and back"
    download = client.get(f"{url}/{uploaded.json()['id']}", headers=officer)
    assert download.status_code == 200 and download.content == b"front and back"
    assert download.headers["content-type"].startswith("text/plain")


def test_a_replayed_registration_returns_the_first_response(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    headers = {**bearer("officer_a"), "Idempotency-Key": "reg-1"}
    body = {"id_number": ZHANG, "name": "张三"}
    first = client.post("/api/v1/customers/individuals", headers=headers, json=body)
    second = client.post("/api/v1/customers/individuals", headers=headers, json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true" and second.json() == first.json()


def test_bank_accounts_round_trip_with_an_idempotency_key(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    customer = register(client, bearer("officer_a"))
    url = f"/api/v1/customers/{customer['id']}/bank-accounts"
    headers = {**bearer("officer_a"), "Idempotency-Key": "bank-1"}
    body = {"bank_name": "中国建设银行", "account_no": "6217 0000 1111 2222 333"}
    first = client.post(url, headers=headers, json=body)
    second = client.post(url, headers=headers, json=body)
    assert (first.status_code, second.status_code) == (201, 201), first.text
    assert second.headers["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert first.json()["account_no"] == "6217000011112222333"
    assert first.json()["account_name"] == "张三"
    listed = client.get(url, headers=bearer("manager")).json()
    assert [a["account_no"] for a in listed] == ["*" * 15 + "2333"]
    other_name = client.post(url, headers=bearer("officer_a"),
                             json={**body, "account_no": "6217000011112222334",
                                   "account_name": "李四"})  # fmt: skip
    assert other_name.status_code == 422, other_name.text
    assert other_name.json()["field"] == "account_name"
    assert other_name.headers["content-type"].startswith("application/problem+json")
    again = client.post(url, headers=bearer("officer_a"), json=body)
    assert again.status_code == 409 and again.json()["code"] == "duplicate_bank_account"
    removed = client.delete(
        f"{url}/{first.json()['id']}", headers={**bearer("officer_a"), "Idempotency-Key": "bank-2"}
    )
    assert removed.status_code == 200 and removed.json() == []
    denied = client.post(url, headers=bearer("manager"), json=body)
    assert denied.status_code == 403

"""Every approvals API route × every default role: allowed or denied, as this table says.

Written from the roles: approvers and risk officers hold ``origination.approve`` (the inbox);
whoever views applications (finance too, for disbursement) reads an approval and its history;
the decision on a 30,000 application of branch A belongs to the branch step (role approver), so
the risk officer, who may approve in general, is refused this one; only administrators configure
chains, which everyone who views applications (and the administrator) may read.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.e2e.permissions_support import api_routes, mismatches, not_401
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.integration.approvals_support import under_review
from tests.seed import World

VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "finance", "manager", "auditor"})
A = "/api/v1/approvals/applications/{application_id}"
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/approvals/inbox"): frozenset({"approver", "risk_officer"}),
    ("GET", A): VIEWERS,
    ("GET", A + "/history"): VIEWERS,
    ("POST", A + "/decisions"): frozenset({"approver"}),
    ("GET", "/api/v1/approval-chains"): VIEWERS | {"admin"},
    ("POST", "/api/v1/approval-chains"): frozenset({"admin"}),
    ("POST", "/api/v1/approval-chains/{code}/retire"): frozenset({"admin"}),
}
BODIES = {
    ("POST", A + "/decisions"): {"action": "approve", "opinion": "同意"},
    ("POST", "/api/v1/approval-chains"): {
        "code": "fast",
        "steps": [{"level_name": "Director", "role": "approver", "location": "head_office"}],
    },
}


def test_the_matrix_covers_every_approvals_route(app: FastAPI) -> None:
    assert api_routes(app, "/api/v1/approval") == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    ids = {"application_id": under_review(world, amount="30000"), "code": "default"}
    headers = fresh_token(world, USER_OF_ROLE[role])
    answers = {
        (method, path): client.request(
            method, path.format(**ids), headers=headers, json=BODIES.get((method, path))
        )
        for method, path in MATRIX
    }
    assert mismatches(role, MATRIX, answers) == []


def test_without_credentials_every_approvals_route_is_401(client: TestClient) -> None:
    ids = {"application_id": 1, "code": "default"}
    assert not_401(client, MATRIX, lambda path: path.format(**ids)) == {}


def test_a_decision_over_the_api_is_idempotent_and_shows_in_the_history(
    client: TestClient, world: World
) -> None:
    app_id = under_review(world, amount="150000")
    headers = {**fresh_token(world, "approver"), "Idempotency-Key": "decide-1"}
    url = A.format(application_id=app_id)
    body = {"action": "approve_with_conditions", "opinion": "降额同意",
            "conditions": {"amount": "120000.00", "extra_guarantor": True}}  # fmt: skip
    first = client.post(url + "/decisions", headers=headers, json=body)
    again = client.post(url + "/decisions", headers=headers, json=body)
    assert first.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert [s["status"] for s in first.json()["steps"]] == ["approved", "pending"]
    risk = fresh_token(world, "risk")
    inbox = client.get("/api/v1/approvals/inbox", headers=risk).json()
    assert [(i["application_id"], i["amount"], i["level_name"]) for i in inbox] == [
        (app_id, "150000.00", "Risk officer")
    ]
    history = client.get(url + "/history", headers=risk).json()
    assert [(h["actor_name"], h["action"], h["conditions"]["amount"]) for h in history] == [
        ("Approver", "approve_with_conditions", "120000.00")
    ]
    empty = client.post(url + "/decisions", headers=risk, json={"action": "approve", "opinion": ""})
    assert empty.status_code == 422 and empty.json()["field"] == "opinion"

"""Errors over HTTP are RFC 9457 problem+json with a stable code; bad input is never a 500."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.seed import World

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"].endswith(code) and body["title"] and body["detail"]
    return dict(body)


def test_unknown_paths_and_methods(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_problem(client.put("/api/v1/offices"), 405, "method_not_allowed")


def test_no_credentials_is_401_with_a_challenge(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "bad_authorization"
    )
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401, "invalid_token"
    )


def test_validation_errors_name_the_field(
    client: TestClient, bearer: Callable, world: World
) -> None:
    headers = bearer("admin")
    missing = assert_problem(
        client.post(
            "/api/v1/offices", json={"parent_id": world.offices["hq"], "name": "X"}, headers=headers
        ),
        422,
        "validation_failed",
    )
    assert missing["field"] == "code" and missing["errors"][0]["field"] == "code"
    wrong_type = assert_problem(
        client.post(
            "/api/v1/offices", json={"parent_id": "hq", "code": "X", "name": "X"}, headers=headers
        ),
        422,
        "validation_failed",
    )
    assert wrong_type["field"] == "parent_id"
    broken = client.post(
        "/api/v1/offices",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert_problem(broken, 422, "validation_failed")
    domain = assert_problem(
        client.post(
            "/api/v1/offices",
            json={"parent_id": world.offices["hq"], "code": "a b", "name": "X"},
            headers=headers,
        ),
        422,
        "validation_failed",
    )
    assert domain["field"] == "code"
    limit = assert_problem(
        client.get("/api/v1/users?limit=0", headers=headers), 422, "validation_failed"
    )
    assert limit["field"] == "limit"
    cursor = assert_problem(
        client.get("/api/v1/users?cursor=@@@", headers=headers), 422, "validation_failed"
    )
    assert cursor["field"] == "cursor"
    assert_problem(
        client.get("/api/v1/offices/not-a-number", headers=headers), 422, "validation_failed"
    )


def test_domain_errors_keep_their_status_and_code(
    client: TestClient, bearer: Callable, world: World
) -> None:
    admin = bearer("admin")
    body = {"parent_id": world.offices["hq"], "code": "A", "name": "Duplicate"}
    conflict = assert_problem(
        client.post("/api/v1/offices", json=body, headers=admin), 409, "duplicate_code"
    )
    assert conflict["field"] == "code" and conflict["instance"] == "/api/v1/offices"
    denied = assert_problem(
        client.post("/api/v1/offices", json=body, headers=bearer("officer_a")),
        403,
        "permission_denied",
    )
    assert denied["permission"] == "orgs.office.create"
    assert_problem(client.get("/api/v1/users/999999", headers=admin), 404, "users_not_found")


def test_throttled_sign_in_says_when_to_retry(client: TestClient) -> None:
    for _ in range(5):
        assert_problem(
            client.post(
                "/api/v1/auth/token", json={"username": "officer_a", "password": "Wrong-password-1"}
            ),
            401,
            "bad_credentials",
        )
    locked = client.post("/api/v1/auth/token", json={"username": "officer_a", "password": "x"})
    assert_problem(locked, 429, "account_locked")
    assert int(locked.headers["retry-after"]) > 0


def test_probes_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
    assert "swagger" in client.get("/api/docs").text.lower()
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/offices" in paths and "/api/v1/auth/token" in paths

"""Every decision API route and page × every default role: allowed or denied, as written here.

Written by hand from the roles: whoever reads applications (``origination.view``) reads their
decisions and replays them; the risk pages and settings are read with ``risk.view``; only the
risk officer publishes rules, sets limits and deploys scorecards (``risk.rules.manage``,
``risk.limits.manage``). A new route under the covered prefixes fails until it is added.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.origination.rules_model import DEFAULT_RULES
from microlend.origination.scorecards_model import DEFAULT_INDIVIDUAL
from microlend.web.kit.page_routes import PageRoute
from microlend.web.shell import PAGE_ROUTERS
from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.e2e.permissions_support import api_routes, mismatches, not_401
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.integration.test_decisions import apply, capital, decide
from tests.seed import World

__all__ = ["ui_client"]

READERS = frozenset({"loan_officer", "risk_officer", "approver", "finance", "manager", "auditor"})
RISK = frozenset({"risk_officer", "approver", "manager", "auditor"})
RISK_OFFICER = frozenset({"risk_officer"})
PREFIXES = ("/api/v1/decision", "/api/v1/scorecards")
D = "/api/v1/decisions/{decision_id}"

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/decisions"): READERS,
    ("GET", D): READERS,
    ("GET", f"{D}/replay"): READERS,
    ("GET", "/api/v1/decision-rules"): RISK,
    ("GET", "/api/v1/decision-rules/versions"): RISK,
    ("POST", "/api/v1/decision-rules"): RISK_OFFICER,
    ("GET", "/api/v1/decision-limits"): RISK,
    ("PUT", "/api/v1/decision-limits"): RISK_OFFICER,
    ("GET", "/api/v1/scorecards"): RISK,
    ("GET", "/api/v1/scorecards/{customer_kind}/versions"): RISK,
    ("POST", "/api/v1/scorecards"): RISK_OFFICER,
}
BODIES = {
    "/api/v1/decision-rules": {"rules": [r.to_document() for r in DEFAULT_RULES], "note": "same"},
    "/api/v1/decision-limits": {"settings": {"single_borrower_percent": "9"}},
    "/api/v1/scorecards": {"definition": DEFAULT_INDIVIDUAL, "note": "again"},
}
PAGES: dict[str, frozenset[str]] = {
    "/applications/{application_id}/decision": READERS,
    "/decisions/{decision_id}/replay": READERS,
    "/risk/rules": RISK,
    "/risk/limits": RISK,
    "/risk/scorecards": RISK,
}


def prepare(world: World) -> dict[str, str]:
    """A decided application of officer_a (branch A), which every reader of applications sees."""
    capital(world)
    case = apply(world)
    made = decide(world, case)
    return {"application_id": str(case.application_id), "decision_id": str(made.id),
            "customer_kind": "individual"}  # fmt: skip


def url(path: str, ids: dict[str, str]) -> str:
    concrete = path.format(**ids)
    return concrete + f"?application_id={ids['application_id']}" if concrete.endswith(
        "/decisions") else concrete  # fmt: skip


def test_the_matrix_covers_every_decision_route(app: FastAPI) -> None:
    assert api_routes(app, PREFIXES) == set(MATRIX)


def test_the_page_matrix_covers_every_decision_page() -> None:
    mine = {
        route.path
        for router in PAGE_ROUTERS
        for route in router.routes
        if isinstance(route, PageRoute)
        and "GET" in route.methods
        and (route.path.startswith("/risk/") or "decision" in route.path)
    }
    assert mine == set(PAGES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    ids = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])
    answers = {
        (method, path): client.request(
            method, url(path, ids), headers=headers, json=BODIES.get(path)
        )
        for method, path in MATRIX
    }
    assert mismatches(role, MATRIX, answers) == []


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_decision_page(ui_client: TestClient, world: World, role: str) -> None:
    ids = prepare(world)
    sign_in(ui_client, USER_OF_ROLE[role])
    outcome = {path: ui_client.get(path.format(**ids), headers=HTML).status_code for path in PAGES}
    assert outcome == {path: 200 if role in allowed else 403 for path, allowed in PAGES.items()}


def test_another_branch_does_not_see_the_decision(client: TestClient, world: World) -> None:
    ids = prepare(world)
    headers = fresh_token(world, "officer_b")
    assert client.get(url("/api/v1/decisions", ids), headers=headers).status_code == 404
    assert client.get(D.format(**ids), headers=headers).status_code == 404


def test_without_credentials_every_decision_route_is_401(client: TestClient) -> None:
    ids = {"application_id": "1", "decision_id": "1", "customer_kind": "individual"}
    assert not_401(client, MATRIX, lambda path: url(path, ids)) == {}

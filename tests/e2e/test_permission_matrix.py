"""Every API route × every default role: allowed or denied, as this table says.

The table is written out by hand from the role descriptions in DESIGN.md (admin administers,
auditors and managers read, officers work their own branch...). It is not derived from the
code under test; a new route under the covered prefixes fails
``test_the_matrix_covers_every_route`` until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.auth import service as auth
from microlend.orgs import service as orgs
from tests.seed import PASSWORD, World

ROLES = (
    "admin",
    "loan_officer",
    "risk_officer",
    "approver",
    "finance",
    "collector",
    "manager",
    "auditor",
)
USER_OF_ROLE = {
    "admin": "admin",
    "loan_officer": "officer_a",
    "risk_officer": "risk",
    "approver": "approver",
    "finance": "finance",
    "collector": "collector",
    "manager": "manager",
    "auditor": "auditor",
}
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
READERS = frozenset({"admin", "manager", "auditor"})

# (method, path template): roles allowed
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/me"): EVERYONE,
    ("POST", "/api/v1/me/password"): EVERYONE,
    ("DELETE", "/api/v1/auth/token"): EVERYONE,
    ("GET", "/api/v1/auth/tokens"): EVERYONE,
    ("POST", "/api/v1/auth/tokens"): EVERYONE,
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): EVERYONE,
    ("GET", "/api/v1/offices"): EVERYONE,
    ("GET", "/api/v1/offices/tree"): EVERYONE,
    ("GET", "/api/v1/offices/{office_id}"): EVERYONE,
    ("POST", "/api/v1/offices"): ADMIN,
    ("PATCH", "/api/v1/offices/{office_id}"): ADMIN,
    ("GET", "/api/v1/companies"): EVERYONE,
    ("POST", "/api/v1/companies"): ADMIN,
    ("GET", "/api/v1/staff"): READERS,
    ("POST", "/api/v1/staff"): ADMIN,
    ("GET", "/api/v1/users"): READERS,
    ("GET", "/api/v1/users/export"): READERS,
    ("GET", "/api/v1/users/{user_id}"): READERS,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/roles"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/password"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/active"): ADMIN,
    ("GET", "/api/v1/roles"): READERS,
    ("POST", "/api/v1/roles"): ADMIN,
    ("GET", "/api/v1/permissions"): EVERYONE,
    ("GET", "/api/v1/maker-checker/pending"): EVERYONE,
    ("POST", "/api/v1/maker-checker/pending/{pending_id}/approve"): ADMIN,
    ("POST", "/api/v1/maker-checker/pending/{pending_id}/reject"): ADMIN,
    ("GET", "/api/v1/maker-checker/rules"): ADMIN,
    ("POST", "/api/v1/maker-checker/rules"): ADMIN,
    ("GET", "/api/v1/audit"): frozenset({"admin", "auditor"}),
    ("GET", "/api/v1/audit/verify"): frozenset({"auditor"}),
}
# Open to anyone, signed in or not.
PUBLIC = {("POST", "/api/v1/auth/token"), ("GET", "/healthz"), ("GET", "/readyz")}


@dataclass
class Targets:
    """What the requests act on: created fresh for each role."""

    role: str
    office_id: int
    user_id: int
    token_id: int
    pending: list[int]

    def body(self, method: str, path: str, world: World) -> dict[str, Any] | None:
        code = self.role.upper()[:8]
        tomorrow = (world.now + timedelta(days=1)).isoformat()
        bodies: dict[tuple[str, str], dict[str, Any]] = {
            ("POST", "/api/v1/me/password"): {
                "current_password": PASSWORD,
                "new_password": "Brand-new-pass-7",
            },
            ("POST", "/api/v1/auth/tokens"): {"name": "matrix", "expires_at": tomorrow},
            ("POST", "/api/v1/offices"): {
                "parent_id": world.offices["hq"],
                "code": f"M{code}",
                "name": "Matrix",
            },
            ("PATCH", "/api/v1/offices/{office_id}"): {"name": "Renamed"},
            ("POST", "/api/v1/companies"): {
                "code": f"C{code}",
                "name": "Matrix co.",
                "business_date": "2025-03-03",
            },
            ("POST", "/api/v1/staff"): {
                "office_id": self.office_id,
                "employee_no": f"S{code}",
                "name": "Matrix staff",
            },
            ("POST", "/api/v1/users"): {
                "username": f"m.{self.role}",
                "password": PASSWORD,
                "display_name": "M",
                "office_id": self.office_id,
                "roles": ["collector"],
                "scope": "office",
            },
            ("POST", "/api/v1/users/{user_id}/roles"): {"roles": ["collector", "loan_officer"]},
            ("POST", "/api/v1/users/{user_id}/password"): {"new_password": "Reset-pass-77"},
            ("POST", "/api/v1/users/{user_id}/active"): {"active": True},
            ("POST", "/api/v1/roles"): {
                "code": f"r_{self.role}",
                "name_en": "R",
                "name_zh": "R",
                "permissions": ["customers.view"],
            },
            ("POST", "/api/v1/maker-checker/pending/{pending_id}/reject"): {"reason": "no"},
            ("POST", "/api/v1/maker-checker/rules"): {
                "command": "orgs.staff.create",
                "enabled": False,
            },
        }
        return bodies.get((method, path))

    def url(self, path: str) -> str:
        pending = self.pending[0] if path.endswith("approve") else self.pending[1]
        return path.format(
            office_id=self.office_id,
            user_id=self.user_id,
            token_id=self.token_id,
            pending_id=pending,
        )


def prepare(world: World, role: str) -> Targets:
    username = USER_OF_ROLE[role]
    with world.make_uow() as uow:
        actor = world.principal(username)
        token_id, _ = auth.issue_api_token(
            uow, actor, name="to revoke", expires_at=world.now + timedelta(hours=1), now=world.now
        )
        admin2 = world.principal("admin2")
        auth.configure_maker_checker(
            uow, admin2, command_name="orgs.office.update", enabled=True, now=world.now
        )
        pending = []
        for name in ("P1", "P2"):
            outcome = orgs.rename_office(
                uow, admin2, office_id=world.offices["b"], name=name, now=world.now
            )
            assert isinstance(outcome, auth.Pending)
            pending.append(outcome.pending_id)
        auth.configure_maker_checker(
            uow, admin2, command_name="orgs.office.update", enabled=False, now=world.now
        )
        uow.commit()
    return Targets(role, world.offices["a"], world.user_ids["officer_b"], token_id, pending)


def fresh_token(world: World, username: str) -> dict[str, str]:
    with world.make_uow() as uow:
        _, secret = auth.issue_api_token(
            uow,
            world.principal(username),
            name="matrix",
            expires_at=world.now + timedelta(hours=1),
            now=world.now,
        )
        uow.commit()
    return {"Authorization": f"Bearer {secret}"}


# The routes of this issue's contexts (orgs, auth, maker-checker, audit). Other contexts keep
# matrices of their own routes.
COVERED_PREFIXES = (
    "/api/v1/auth",
    "/api/v1/me",
    "/api/v1/users",
    "/api/v1/roles",
    "/api/v1/permissions",
    "/api/v1/offices",
    "/api/v1/companies",
    "/api/v1/staff",
    "/api/v1/maker-checker",
    "/api/v1/audit",
    "/healthz",
    "/readyz",
)


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(COVERED_PREFIXES):
            found |= {(method.upper(), path) for method in operations}
    return found


def test_the_matrix_covers_every_route(app: FastAPI) -> None:
    assert routes_of(app) == set(MATRIX) | PUBLIC


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    targets = prepare(world, role)
    username = USER_OF_ROLE[role]
    mismatches = []
    token = fresh_token(world, username)
    for (method, path), allowed in MATRIX.items():
        revokes_token = (method, path) == ("DELETE", "/api/v1/auth/token")
        headers = fresh_token(world, username) if revokes_token else token
        response = client.request(
            method, targets.url(path), headers=headers, json=targets.body(method, path, world)
        )
        expected_allowed = role in allowed
        actually_allowed = response.status_code < 400
        if expected_allowed != actually_allowed or (
            not actually_allowed and response.status_code != 403
        ):
            mismatches.append((method, path, response.status_code, response.text[:200]))
    assert mismatches == []


def test_without_credentials_every_protected_route_is_401(client: TestClient) -> None:
    answers = {
        (method, path): client.request(
            method, path.format(office_id=1, user_id=1, token_id=1, pending_id=1), json={}
        ).status_code
        for method, path in MATRIX
    }
    assert {route: status for route, status in answers.items() if status != 401} == {}


def test_public_routes_need_no_credentials(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    signed_in = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
    assert signed_in.status_code == 201

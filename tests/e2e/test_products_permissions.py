"""Every products API route × every default role: allowed or denied, as this table says.

Written by hand from auth/permissions.py: every role but the collector reads products
(``products.view``); only the administrator manages them (``products.manage``). A new products
route fails ``test_the_matrix_covers_every_products_route`` until added here.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.products import service as products
from microlend.products.defaults import INDIVIDUAL_BUSINESS
from microlend.products.schemas import document_of
from microlend.products.views import ProductView
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.seed import World

VIEWERS = frozenset(ROLES) - {"collector"}
ADMIN = frozenset({"admin"})
P = "/api/v1/products/{product_id}"
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/products"): VIEWERS,
    ("POST", "/api/v1/products"): ADMIN,
    ("POST", "/api/v1/products/defaults"): ADMIN,
    ("GET", "/api/v1/products/versions/{version_id}"): VIEWERS,
    ("GET", P): VIEWERS,
    ("POST", f"{P}/versions"): ADMIN,
    ("POST", f"{P}/retire"): ADMIN,
    ("POST", f"{P}/quote"): VIEWERS,
}
TERMS = document_of(INDIVIDUAL_BUSINESS.terms)
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/products"): {"code": "NEW", "name": "新产品", "terms": TERMS},
    ("POST", f"{P}/versions"): {"terms": {**TERMS, "max_amount": "180000.00"}},
    ("POST", f"{P}/quote"): {
        "amount": "10000.00",
        "term": 12,
        "rate": "12",
        "method": "equal_installment",
        "date": "2025-03-03",
    },
}


def prepare(world: World) -> dict[str, int]:
    with world.make_uow() as uow:
        view = products.create_product(
            uow,
            world.principal("admin"),
            company_id=world.company_id,
            code="P1",
            name="经营贷",
            customer_kind="individual",
            currency="CNY",
            terms=INDIVIDUAL_BUSINESS.terms,
            now=world.now,
        )
        uow.commit()
    assert isinstance(view, ProductView) and view.current is not None
    return {"product_id": view.id, "version_id": view.current.id}


def test_the_matrix_covers_every_products_route(app: FastAPI) -> None:
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/product")
        for method in operations
    }
    assert found == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    ids = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])
    mismatches = []
    # reads first, the retirement last (a retired product is not revised)
    for (method, path), allowed in sorted(MATRIX.items(), key=lambda r: r[0][1].endswith("retire")):
        response = client.request(
            method, path.format(**ids), headers=headers, json=BODIES.get((method, path))
        )
        allowed_now = response.status_code < 400
        if allowed_now != (role in allowed) or (not allowed_now and response.status_code != 403):
            mismatches.append((method, path, response.status_code, response.text[:200]))
    assert mismatches == []


def test_without_credentials_every_products_route_is_401(client: TestClient) -> None:
    ids = {"product_id": 1, "version_id": 1}
    answers = {(m, p): client.request(m, p.format(**ids), json={}).status_code for m, p in MATRIX}
    assert {route: status for route, status in answers.items() if status != 401} == {}

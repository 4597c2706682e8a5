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

from microlend.products.defaults import INDIVIDUAL_BUSINESS
from microlend.products.schemas import document_of
from tests.e2e.permissions_support import api_routes, mismatches, not_401
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.e2e.test_products_pages import a_product
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
    view = a_product(world, code="P1", name="经营贷")  # not a default code: the defaults seed
    assert view.current is not None
    return {"product_id": view.id, "version_id": view.current.id}


def test_the_matrix_covers_every_products_route(app: FastAPI) -> None:
    assert api_routes(app, "/api/v1/product") == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    ids = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])
    # reads first, the retirement last (a retired product is not revised)
    answers = {
        (method, path): client.request(
            method, path.format(**ids), headers=headers, json=BODIES.get((method, path))
        )
        for method, path in sorted(MATRIX, key=lambda route: route[1].endswith("retire"))
    }
    assert mismatches(role, MATRIX, answers) == []


def test_without_credentials_every_products_route_is_401(client: TestClient) -> None:
    ids = {"product_id": 1, "version_id": 1}
    assert not_401(client, MATRIX, lambda path: path.format(**ids)) == {}

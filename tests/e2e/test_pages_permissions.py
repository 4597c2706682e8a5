"""Every HTML page × every default role: who gets the page, who gets a 403 page.

A new page route must be in a matrix (the test fails until it is), so that nobody ships a page
without deciding who may open it: the platform's pages in ``EXPECTED`` here, a context's pages in
its own matrix (``CONTEXT_MATRICES``), whose test builds the rows its placeholders need.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.web.kit.page_routes import PageRoute
from microlend.web.shell import PAGE_ROUTERS
from tests.e2e import (
    test_applications_pages,
    test_approvals_pages,
    test_decisions_permissions,
    test_eod_pages,
    test_loans_document_pages,
    test_loans_pages,
    test_pages_downloads,
    test_products_pages,
)
from tests.e2e.pages_support import (
    ADMIN,
    CUSTOMERS,
    EVERYONE,
    HTML,
    LEDGER,
    READERS,
    ROLES,
    sign_in,
    ui_client,
)
from tests.ledger_support import a_voucher
from tests.seed import World

__all__ = ["ui_client"]


# path -> roles that get 200 (the others get 403); "/login" and "/language" redirect everyone.
EXPECTED: dict[str, frozenset[str]] = {
    "/": EVERYONE,
    "/inbox": EVERYONE,
    "/admin/offices": EVERYONE,
    "/admin/users": READERS,
    "/admin/users/new": ADMIN,
    "/admin/users/{user_id}": READERS,
    "/admin/roles": READERS,
    "/admin/maker-checker": ADMIN,
    "/accounting/accounts": LEDGER,
    "/accounting/accounts/{code}": LEDGER,
    "/accounting/vouchers": LEDGER,
    "/accounting/vouchers/new": frozenset({"finance"}),
    "/accounting/vouchers/{voucher_id}": LEDGER,
    "/accounting/trial-balance": LEDGER,
    "/accounting/statements": LEDGER,
    "/accounting/periods": LEDGER,
    "/accounting/rules": LEDGER,
    "/customers": CUSTOMERS,
    "/customers/new": frozenset({"loan_officer"}),
    "/customers/{customer_id}": CUSTOMERS,
    "/customers/{customer_id}/edit": frozenset({"loan_officer"}),
    "/customers/{customer_id}/related-parties": CUSTOMERS,
    "/customers/pool": CUSTOMERS,
    "/customers/pool/settings": ADMIN,
    "/customers/collisions": CUSTOMERS,
    "/customers/transfers": CUSTOMERS,
}
REDIRECTING = {"/login", "/language/{locale}"}
CONTEXT_MATRICES: dict[str, dict[str, frozenset[str]]] = {
    "products": test_products_pages.PAGES,
    "applications": test_applications_pages.EXPECTED,
    "decisions": test_decisions_permissions.PAGES,
    "approvals": test_approvals_pages.EXPECTED,
    "loans": test_loans_pages.PAGES,
    "loan documents": test_loans_document_pages.PAGES,
    "eod": test_eod_pages.PAGES,
    "downloads": test_pages_downloads.PAGES,
}


def page_paths() -> set[str]:
    """The GET page routes the app mounts, with path converters dropped (``{id:int}``)."""
    return {
        re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for router in PAGE_ROUTERS
        for route in router.routes
        if isinstance(route, PageRoute) and "GET" in route.methods
    }


def a_customer(world: World) -> int:
    """A customer of branch A (officer_a's), whom every customers.view role may open."""
    with world.make_uow() as uow:
        view = customers.register_customer(
            uow,
            world.principal("officer_a"),
            kind="individual",
            id_number="11010519491231002X",
            name="张三",
            now=world.now,
        )
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def test_every_page_is_in_a_matrix() -> None:
    covered = set(EXPECTED) | REDIRECTING
    for matrix in CONTEXT_MATRICES.values():
        assert not covered & set(matrix), "a page is in two matrices"
        covered |= set(matrix)
    assert page_paths() == covered


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_each_page(ui_client: TestClient, world: World, role: str) -> None:
    sign_in(ui_client, ROLES[role])
    concrete = {
        "{user_id}": str(world.user_ids["admin"]),
        "{voucher_id}": str(a_voucher(world)),
        "{code}": "1002",
        "{customer_id}": str(a_customer(world)),
    }
    outcome = {}
    for path in EXPECTED:
        url = path
        for placeholder, value in concrete.items():
            url = url.replace(placeholder, value)
        outcome[path] = ui_client.get(url, headers=HTML).status_code
    expected = {path: 200 if role in allowed else 403 for path, allowed in EXPECTED.items()}
    assert outcome == expected

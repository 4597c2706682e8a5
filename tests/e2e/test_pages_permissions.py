"""Every HTML page × every default role: who gets the page, who gets a 403 page.

A new page route must be added to ``EXPECTED`` (the test fails until it is), so that nobody
ships a page without deciding who may open it.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.web.kit.page_routes import PageRoute
from microlend.web.shell import PAGE_ROUTERS
from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.ledger_support import a_voucher
from tests.seed import World

__all__ = ["ui_client"]

ROLES = {  # a user of the world holding each default role
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
READERS = frozenset({"admin", "manager", "auditor"})
ADMIN = frozenset({"admin"})
LEDGER = frozenset({"admin", "finance", "manager", "auditor"})  # accounting.view
CUSTOMERS = EVERYONE - {"admin"}  # customers.view

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
    "/customers": CUSTOMERS,
    "/customers/new": frozenset({"loan_officer"}),
    "/customers/{customer_id}": CUSTOMERS,
}
REDIRECTING = {"/login", "/language/{locale}"}


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


def test_every_page_is_in_the_matrix() -> None:
    assert page_paths() == set(EXPECTED) | REDIRECTING


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

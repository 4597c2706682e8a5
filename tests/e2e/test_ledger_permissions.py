"""Every accounting API route × every default role: allowed or denied, as this table says.

Written by hand from the roles of DESIGN.md: finance keeps the books (vouchers, reversals, month
and year close), the administrator keeps the chart of accounts and alone may reopen a month,
managers and auditors read, the others do not see the ledger. Denied is 403; anything else
(200, 201, or a business refusal) means the role got through the permission check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.accounting import service as ledger
from tests.ledger_support import event, post
from tests.seed import World

ROLES = {
    "admin": "admin",
    "loan_officer": "officer_a",
    "risk_officer": "risk",
    "approver": "approver",
    "finance": "finance",
    "collector": "collector",
    "manager": "manager",
    "auditor": "auditor",
}
READERS = frozenset({"admin", "finance", "manager", "auditor"})
ADMIN = frozenset({"admin"})
FINANCE = frozenset({"finance"})
WINDOW = "date_from=2025-03-01&date_to=2025-03-31"
A = "/api/v1/accounting"

# (method, path, body): roles allowed — in the order they run (commands after reads)
MATRIX: list[tuple[str, str, Any, frozenset[str]]] = [
    ("GET", f"{A}/accounts", None, READERS),
    ("GET", f"{A}/rules", None, READERS),
    ("GET", f"{A}/vouchers", None, READERS),
    ("GET", f"{A}/vouchers/{{voucher_id}}", None, READERS),
    ("GET", f"{A}/periods", None, READERS),
    ("GET", f"{A}/check", None, READERS),
    ("GET", f"{A}/settings", None, READERS),
    ("GET", f"{A}/vouchers/{{voucher_id}}/attachments", None, READERS),
    ("GET", f"{A}/vouchers/{{voucher_id}}/attachments/{{attachment_id}}", None, READERS),
    ("GET", f"{A}/trial-balance?{WINDOW}", None, READERS),
    ("GET", f"{A}/income-statement?{WINDOW}", None, READERS),
    ("GET", f"{A}/balance-sheet?as_of=2025-03-31", None, READERS),
    ("GET", f"{A}/accounts/1002/detail?{WINDOW}", None, READERS),
    ("GET", f"{A}/vouchers-export?{WINDOW}", None, READERS),
    ("POST", f"{A}/books", None, ADMIN),
    ("PUT", f"{A}/settings", {"accrual_vouchers": "summary"}, ADMIN),
    ("POST", f"{A}/accounts", {"code": "660299", "name_zh": "杂费", "type": "expense",
                               "parent_code": "6602"}, ADMIN),
    ("PATCH", f"{A}/accounts/6602", {"name_en": "Admin expenses"}, ADMIN),
    ("POST", f"{A}/accounts/import", {"csv": "code,name_zh,type\n1009,其他货币,asset\n"}, ADMIN),
    ("POST", f"{A}/rules", {"event_type": "fee_charge", "role": "fee", "debit_code": "1002",
                            "credit_code": "6021", "product_code": "X"}, ADMIN),
    ("POST", f"{A}/vouchers", "manual", FINANCE),
    ("POST", f"{A}/vouchers/{{voucher_id}}/attachments?filename=a.pdf", "receipt", FINANCE),
    ("POST", f"{A}/vouchers/{{voucher_id}}/reverse", {"business_date": "2025-03-04"}, FINANCE),
    ("POST", f"{A}/periods/2024-12/close", None, FINANCE),
    ("POST", f"{A}/periods/2024-11/reopen", {"reason": "late invoice"}, ADMIN),
    ("POST", f"{A}/years/2025/close", None, FINANCE),
]  # fmt: skip


@pytest.fixture(autouse=True)
def document_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(A)
        for method in operations
    }


def test_the_matrix_covers_every_route(app: FastAPI) -> None:
    listed = set()
    for method, path, _, _ in MATRIX:
        template = path.split("?")[0].replace("2024-12", "{period}").replace("2024-11", "{period}")
        template = template.replace("/1002/", "/{code}/").replace("/years/2025", "/years/{year}")
        listed.add((method, template.replace("/accounts/6602", "/accounts/{code}")))
    assert routes_of(app) == listed


def prepare(world: World) -> int:
    """A voucher to read and reverse, and a closed November 2024 to reopen."""
    finance = world.principal("finance")
    voucher = post(world, finance, event(world, "fee_charge", "f:1", date(2025, 3, 3), fee="9"))
    post(world, finance, event(world, "fee_charge", "f:0", date(2024, 11, 3), fee="1"))
    with world.make_uow() as uow:
        ledger.close_period(uow, finance, period="2024-11", now=world.now)
        uow.commit()
    return voucher.id


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World, bearer: Callable[[str], dict[str, str]]
) -> None:
    voucher_id = prepare(world)
    headers = bearer(ROLES[role])
    manual = {
        "office_id": world.offices["hq"],
        "business_date": "2025-03-05",
        "summary": "办公用品",
        "lines": [{"account_code": "6602", "side": "D", "amount": "50"},
                  {"account_code": "1002", "side": "C", "amount": "50"}],
    }  # fmt: skip
    mismatches = []
    for method, path, body, allowed in MATRIX:
        url = path.replace("{voucher_id}", str(voucher_id)).replace("{attachment_id}", "1")
        payload = manual if body == "manual" else body
        response = client.request(method, url, headers=headers, json=payload)
        assert response.status_code < 500, (method, url, response.text)
        if (response.status_code != 403) != (role in allowed):
            mismatches.append(f"{method} {url}: {response.status_code} {response.text[:120]}")
    assert mismatches == []

"""Every customers API route × every default role: allowed or denied, as this table says.

Written by hand from the roles of DESIGN.md: loan officers register, edit and claim; risk keeps
the blacklist; managers transfer; every role that reads customers reads them (admin does not).
A new customers route fails ``test_the_matrix_covers_every_customers_route`` until added here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.customers import credit_file, pool, transfers
from microlend.customers import service as customers
from microlend.customers.views import (
    BankAccountView,
    CustomerView,
    DocumentView,
    TransferRequestView,
)
from microlend.db.commands import Done
from tests.e2e.permissions_support import api_routes, mismatches, not_401
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.seed import World

VIEWERS = frozenset(ROLES) - {"admin"}
OFFICER = frozenset({"loan_officer"})
# the owner (loan_officer is officer_a, who holds it) or whoever may transfer
TRANSFER_ASKERS = frozenset({"loan_officer", "manager"})
PREFIXES = ("/api/v1/customer",)
C = "/api/v1/customers/{customer_id}"

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/customers"): VIEWERS,
    ("POST", "/api/v1/customers/individuals"): OFFICER,
    ("POST", "/api/v1/customers/enterprises"): OFFICER,
    ("GET", C): VIEWERS,
    ("PATCH", C): OFFICER,
    ("GET", f"{C}/related-parties"): VIEWERS,
    ("POST", f"{C}/related-parties"): OFFICER,
    ("DELETE", f"{C}/related-parties/{{link_id}}"): OFFICER,
    ("GET", f"{C}/bank-accounts"): VIEWERS,
    ("POST", f"{C}/bank-accounts"): OFFICER,
    ("DELETE", f"{C}/bank-accounts/{{account_id}}"): OFFICER,
    ("GET", f"{C}/financials"): VIEWERS,
    ("POST", f"{C}/financials"): OFFICER,
    ("POST", f"{C}/documents"): OFFICER,
    ("GET", f"{C}/documents/{{document_id}}"): VIEWERS,
    ("POST", "/api/v1/customers/{pool_id}/claim"): OFFICER,
    ("POST", "/api/v1/customers/{release_id}/release"): frozenset({"loan_officer", "manager"}),
    ("POST", "/api/v1/customers/{transfer_id}/transfer-requests"): TRANSFER_ASKERS,
    ("GET", "/api/v1/customer-transfers"): VIEWERS,
    ("POST", "/api/v1/customer-transfers/{approve_id}/approve"): frozenset({"manager"}),
    ("POST", "/api/v1/customer-transfers/{reject_id}/reject"): frozenset({"manager"}),
    ("GET", "/api/v1/customer-pool"): VIEWERS,
    ("GET", "/api/v1/customer-pool/settings"): VIEWERS | {"admin"},
    ("PUT", "/api/v1/customer-pool/settings"): frozenset({"admin"}),  # admin reads them too
    # the group's setting needs the group data scope, which no default role has
    ("PUT", "/api/v1/customer-pool/group-settings"): frozenset(),
    ("GET", "/api/v1/customer-lists"): VIEWERS,
    ("POST", "/api/v1/customer-lists"): frozenset({"risk_officer"}),
    ("GET", "/api/v1/customer-collisions"): VIEWERS,
}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/customers/individuals"): {"id_number": "440524188001010014", "name": "李四"},
    ("POST", "/api/v1/customers/enterprises"): {"id_number": "91350100M000100Y43", "name": "某司"},
    ("PATCH", C): {"address": "福州"},
    ("POST", f"{C}/financials"): {"period": "2024", "total_assets": "100"},
    ("POST", f"{C}/documents"): {"scan": "page 1"},
    ("POST", f"{C}/bank-accounts"): {"bank_name": "招商银行", "account_no": "6225880000000002"},
    ("POST", "/api/v1/customers/{pool_id}/claim"): {},
    ("POST", "/api/v1/customer-transfers/{approve_id}/approve"): {"opinion": "ok"},
    ("POST", "/api/v1/customer-transfers/{reject_id}/reject"): {"opinion": "no"},
    ("PUT", "/api/v1/customer-pool/settings"): {"protection_days": 60, "shared_in_group": None},
    ("PUT", "/api/v1/customer-pool/group-settings"): {"shared": True},
    ("POST", "/api/v1/customer-lists"): {
        "list_kind": "watch",
        "id_number": "110105194912310038",
        "name": "王五",
        "reason": "x",
    },
}


@dataclass
class Targets:
    ids: dict[str, int]

    def url(self, path: str) -> str:
        url = path.format(**self.ids)
        return url + "?filename=a.txt" if url.endswith("/documents") else url

    def body(self, method: str, path: str) -> Any:
        if path.endswith("/related-parties") and method == "POST":
            return {"to_id": self.ids["pool_id"], "relation": "guarantor"}
        if path.endswith("/transfer-requests"):
            return {"to_user_id": self.ids["officer_b"], "reason": "officer leaves"}
        return BODIES.get((method, path))


def _register(uow: Any, world: World, number: str, name: str) -> int:
    view = customers.register_customer(
        uow,
        world.principal("officer_a"),
        kind="individual",
        id_number=number,
        name=name,
        now=world.now,
    )
    assert isinstance(view, CustomerView)
    return view.id


def prepare(world: World) -> Targets:
    """Customers of officer_a (branch A): one to read and edit, one in the pool, one to release,
    one to transfer; and a document."""
    with world.make_uow() as uow:
        ids = {
            name: _register(uow, world, number, name)
            for name, number in (
                ("customer_id", "11010519491231002X"),
                ("pool_id", "110105194912310011"),
                ("release_id", "110105194912310046"),
                ("transfer_id", "110105194912310054"),
                ("approve_customer", "110105194912310062"),
                ("reject_customer", "110105194912310070"),
            )
        }
        officer = world.principal("officer_a")
        for key in ("approve", "reject"):
            asked = transfers.request_transfer(uow, officer, customer_id=ids[f"{key}_customer"],
                                               to_user_id=world.user_ids["officer_b"],
                                               reason="officer leaves", now=world.now)  # fmt: skip
            assert isinstance(asked, TransferRequestView)
            ids[f"{key}_id"] = asked.id
        pool.release_customer(uow, officer, customer_id=ids["pool_id"], now=world.now)
        document = credit_file.upload_document(
            uow,
            officer,
            customer_id=ids["customer_id"],
            doc_type="other",
            filename="a.txt",
            media_type="text/plain",
            content=b"a",
            now=world.now,
        )
        assert isinstance(document, DocumentView)
        link = credit_file.link_customers(uow, officer, from_id=ids["customer_id"],
                                          to_id=ids["release_id"], relation="family",
                                          now=world.now)  # fmt: skip
        assert isinstance(link, Done)
        account = customers.add_bank_account(uow, officer, customer_id=ids["customer_id"],
                                             bank_name="招商银行", account_no="6225880000000001",
                                             now=world.now)  # fmt: skip
        assert isinstance(account, BankAccountView)
        uow.commit()
    return Targets({**ids, "document_id": document.id, "officer_b": world.user_ids["officer_b"],
                    "link_id": int(link.value), "account_id": account.id})  # fmt: skip


@pytest.fixture(autouse=True)
def document_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def test_the_matrix_covers_every_customers_route(app: FastAPI) -> None:
    found = api_routes(app, PREFIXES)
    canonical = {
        (
            m,
            p.replace("{pool_id}", "{customer_id}")
            .replace("{release_id}", "{customer_id}")
            .replace("{transfer_id}", "{customer_id}")
            .replace("{approve_id}", "{request_id}")
            .replace("{reject_id}", "{request_id}"),
        )
        for m, p in MATRIX
    }
    assert found == canonical


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    targets = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])
    answers = {
        (method, path): client.request(
            method, targets.url(path), headers=headers, json=targets.body(method, path)
        )
        for method, path in MATRIX
    }
    assert mismatches(role, MATRIX, answers) == []


def test_without_credentials_every_customers_route_is_401(client: TestClient) -> None:
    ids = dict.fromkeys(("customer_id", "pool_id", "release_id", "transfer_id", "document_id",
                         "approve_id", "reject_id", "link_id", "account_id"), 1)  # fmt: skip
    assert not_401(client, MATRIX, lambda path: path.format(**ids)) == {}

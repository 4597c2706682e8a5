"""Every applications API route × every default role: allowed or denied, as this table says.

Written by hand from the roles: loan officers take applications, investigate and sign contracts;
every role with ``origination.view`` reads (admin and collector do not); the contract PDF carries
identity numbers, so it also needs ``pii.view``. A new route fails
``test_the_matrix_covers_every_applications_route`` until it is added here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from microlend.origination import service
from microlend.origination.views import CollateralView, PartyView
from tests.e2e.permissions_support import api_routes, mismatches, not_401
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.integration.applications_support import (
    LI,
    WANG,
    ZHAO,
    apply,
    approved,
    investigate,
    make_product,
    register,
    upload_id_copy,
)
from tests.seed import World

VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "finance", "manager", "auditor"})
OFFICER = frozenset({"loan_officer"})
PII = frozenset({"loan_officer", "risk_officer", "approver"})
PREFIXES = ("/api/v1/application", "/api/v1/investigation")
A = "/api/v1/applications/{application_id}"
R = "/api/v1/investigation-reports"

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/applications"): VIEWERS,
    ("POST", "/api/v1/applications"): OFFICER,
    ("GET", A): VIEWERS,
    ("PUT", A): OFFICER,
    ("POST", "/api/v1/applications/{submit_id}/submit"): OFFICER,
    ("POST", "/api/v1/applications/{withdraw_id}/withdraw"): OFFICER,
    ("POST", f"{A}/parties"): OFFICER,
    ("DELETE", f"{A}/parties/{{party_id}}"): OFFICER,
    ("POST", f"{A}/collateral"): OFFICER,
    ("PUT", f"{A}/collateral/{{collateral_id}}"): OFFICER,
    ("DELETE", f"{A}/collateral/{{remove_collateral_id}}"): OFFICER,
    ("GET", "/api/v1/investigation-templates/{template}"): VIEWERS,
    ("POST", "/api/v1/applications/{investigate_id}/investigation"): OFFICER,
    ("PUT", f"{R}/{{report_id}}"): OFFICER,
    ("POST", f"{R}/{{report_id}}/attachments"): OFFICER,
    ("POST", f"{R}/{{complete_id}}/complete"): OFFICER,
    ("GET", "/api/v1/applications/{contracted_id}/attachments/{attachment_id}"): VIEWERS,
    ("POST", "/api/v1/applications/{approved_id}/contract"): OFFICER,
    ("GET", "/api/v1/applications/{contracted_id}/contract"): VIEWERS,
    ("GET", "/api/v1/applications/{contracted_id}/contract.html"): VIEWERS,
    ("GET", "/api/v1/applications/{contracted_id}/contract.pdf"): PII,
    ("POST", "/api/v1/application-quotes"): VIEWERS,
}
CANONICAL = {
    "{submit_id}": "{application_id}",
    "{withdraw_id}": "{application_id}",
    "{investigate_id}": "{application_id}",
    "{approved_id}": "{application_id}",
    "{contracted_id}": "{application_id}",
    "{remove_collateral_id}": "{collateral_id}",
    "{complete_id}": "{report_id}",
}
COLLATERAL = {"kind": "vehicle", "description": "car", "value": "30000"}


@dataclass
class Targets:
    ids: dict[str, Any]

    def url(self, method: str, path: str) -> str:
        url = path.format(**self.ids)
        if path.endswith("/attachments") and method == "POST":
            url += "?filename=a.jpg&section=site_visit"
        return url

    def body(self, method: str, path: str) -> Any:
        ids = self.ids
        request = {
            "product_version_id": ids["version"],
            "amount": "20000",
            "term_count": 12,
            "annual_rate": "12",
            "method": "equal_installment",
        }
        bodies: dict[tuple[str, str], Any] = {
            ("POST", "/api/v1/applications"): {
                **request,
                "customer_id": ids["applicant"],
                "purpose": "stock",
            },
            ("PUT", A): {**request, "purpose": "equipment"},
            ("POST", "/api/v1/applications/{withdraw_id}/withdraw"): {"reason": "gave up"},
            ("POST", f"{A}/parties"): {"role": "co_borrower", "customer_id": ids["wang"]},
            ("POST", f"{A}/collateral"): COLLATERAL,
            ("PUT", f"{A}/collateral/{{collateral_id}}"): {**COLLATERAL, "value": "31000"},
            ("PUT", f"{R}/{{report_id}}"): {"sections": {}, "opinion": "so far"},
            ("POST", "/api/v1/applications/{approved_id}/contract"): {},
            ("POST", "/api/v1/application-quotes"): request,
        }
        return bodies.get((method, path))


def prepare(world: World) -> Targets:
    """Applications of officer_a's customer 赵六 in each state a route needs."""
    version = make_product(world)
    applicant = register(world, "officer_a", ZHAO, "赵六")
    guarantor = register(world, "officer_a", LI, "李四")
    wang = register(world, "officer_a", WANG, "王五")
    upload_id_copy(world, "officer_a", applicant)
    officer = world.principal("officer_a")
    ids: dict[str, Any] = {
        "version": version,
        "applicant": applicant,
        "wang": wang,
        "template": "individual",
    }
    drafts = {
        key: apply(world, "officer_a", applicant, version).id
        for key in (
            "application_id",
            "submit_id",
            "withdraw_id",
            "investigate_id",
            "report_app",
            "complete_app",
            "approved_id",
            "contracted_id",
        )
    }
    with world.make_uow() as uow:
        for key in (
            "application_id",
            "submit_id",
            "investigate_id",
            "report_app",
            "complete_app",
            "approved_id",
            "contracted_id",
        ):
            party = service.add_party(
                uow,
                officer,
                application_id=drafts[key],
                role="guarantor",
                customer_id=guarantor,
                now=world.now,
            )
            assert isinstance(party, PartyView)
            if key == "application_id":
                ids["party_id"] = party.id
        for name in ("collateral_id", "remove_collateral_id"):
            item = service.add_collateral(
                uow, officer, application_id=drafts["application_id"], now=world.now, **COLLATERAL
            )
            assert isinstance(item, CollateralView)
            ids[name] = item.id
        for key in ("investigate_id", "report_app", "complete_app", "approved_id", "contracted_id"):
            service.submit_application(uow, officer, application_id=drafts[key], now=world.now)
        uow.commit()
    ids.update(drafts)
    ids["report_id"] = investigate(world, drafts["report_app"], complete=False).id
    ids["complete_id"] = investigate(world, drafts["complete_app"], complete=False).id
    for key in ("approved_id", "contracted_id"):
        report = investigate(world, drafts[key])
        approved(world, drafts[key])
    ids["attachment_id"] = report.attachments[0].id
    with world.make_uow() as uow:  # the contract read routes need a contract already
        service.contract_application(
            uow, officer, application_id=drafts["contracted_id"], now=world.now
        )
        uow.commit()
    return Targets(ids)


@pytest.fixture(autouse=True)
def document_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def test_the_matrix_covers_every_applications_route(app: FastAPI) -> None:
    found = api_routes(app, PREFIXES)
    canonical = set()
    for method, path in MATRIX:
        for alias, name in CANONICAL.items():
            path = path.replace(alias, name)
        canonical.add((method, path))
    assert found == canonical


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    targets = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])

    def send(method: str, path: str) -> Response:
        if path.endswith("/attachments") and method == "POST":
            return client.post(
                targets.url(method, path),
                content=b"\xff\xd8 photo",
                headers={**headers, "Content-Type": "image/jpeg"},
            )
        body = targets.body(method, path)
        return client.request(method, targets.url(method, path), headers=headers, json=body)

    answers = {(method, path): send(method, path) for method, path in MATRIX}
    assert mismatches(role, MATRIX, answers) == []


def test_without_credentials_every_applications_route_is_401(client: TestClient) -> None:
    ids = {
        name.strip("{}"): 1
        for name in (*CANONICAL, *CANONICAL.values(), "{party_id}", "{attachment_id}")
    }
    ids["template"] = "individual"
    assert not_401(client, MATRIX, lambda path: path.format(**ids)) == {}

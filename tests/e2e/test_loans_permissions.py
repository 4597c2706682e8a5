"""Every loans API route x every default role: allowed or denied, as this table says.

Written by hand from auth/permissions.py: every role but the administrator reads loans
(``loans.view``); finance disburses, takes repayments (and draws the auto-debit file), reverses
and refunds; finance and the manager waive; the manager reschedules, calls loans due and writes
off; the loan officer records fund usage; the loan officer and finance issue payoff certificates,
whose PDF (with the identity number) needs ``pii.view`` too.
Waivers, reschedules, calls due and write-offs wait for a checker by default: an allowed role gets
202.
The payoff certificate routes run on a second loan, paid off, with a certificate issued.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.loans import service as loans
from microlend.loans.tables_close import LoanRisk
from microlend.loans.views import EventOutcome, LoanView
from tests.e2e.test_permission_matrix import ROLES, USER_OF_ROLE, fresh_token
from tests.integration.loans_support import contracted, set_business_date
from tests.seed import World

VIEWERS = frozenset(ROLES) - {"admin"}
FINANCE = frozenset({"finance"})
CLASSIFIERS = frozenset({"risk_officer", "manager"})  # risk.classification.override
PII_VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "collector"})
L = "/api/v1/loans/{loan_id}"
CERTIFICATES = f"{L}/payoff-certificates"
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/v1/loans"): VIEWERS,
    ("GET", "/api/v1/loans/auto-debit"): FINANCE,  # loans.repay
    ("GET", L): VIEWERS,
    ("GET", f"{L}/position"): VIEWERS,
    ("GET", f"{L}/classification"): VIEWERS,
    ("GET", f"{L}/installments"): VIEWERS,
    ("GET", f"{L}/events"): VIEWERS,
    ("GET", f"{L}/postings"): VIEWERS,
    ("GET", f"{L}/payoff-quote"): VIEWERS,
    ("GET", f"{L}/repayment-preview"): VIEWERS,
    ("GET", f"{L}/fund-usages"): VIEWERS,
    ("GET", f"{L}/pending-requests"): VIEWERS,
    ("GET", f"{L}/statement"): VIEWERS,
    ("POST", "/api/v1/loans"): FINANCE,
    ("POST", "/api/v1/loans/repayment-batches"): FINANCE,
    ("POST", f"{L}/waivers"): frozenset({"finance", "manager"}),
    ("POST", f"{L}/repayments"): FINANCE,
    ("POST", f"{L}/prepayments"): FINANCE,
    ("POST", f"{L}/refunds"): FINANCE,
    ("POST", f"{L}/events/{{event_id}}/reverse"): FINANCE,
    ("POST", f"{L}/fund-usages"): frozenset({"loan_officer"}),
    ("POST", f"{L}/reschedules"): frozenset({"manager"}),
    ("POST", f"{L}/accelerations"): frozenset({"manager"}),
    ("POST", f"{L}/write-off"): frozenset({"manager"}),
    ("POST", f"{L}/recoveries"): FINANCE,
    ("POST", f"{L}/tranches"): FINANCE,
    ("POST", f"{L}/classification-adjustments"): CLASSIFIERS,
    ("POST", f"{L}/classification-restorations"): CLASSIFIERS,
    ("GET", f"{L}/notes"): VIEWERS,
    ("POST", f"{L}/notes"): VIEWERS,
    ("GET", CERTIFICATES): VIEWERS,
    ("POST", CERTIFICATES): frozenset({"loan_officer", "finance"}),
    ("GET", f"{CERTIFICATES}/{{certificate_id}}.pdf"): PII_VIEWERS,
}
# the order the routes are tried in (a write-off comes last but one; a recovery needs it)
ORDER = [route for route in MATRIX if route[0] == "GET"] + [
    ("POST", "/api/v1/loans"),
    ("POST", f"{L}/tranches"),
    ("POST", f"{L}/notes"),
    ("POST", CERTIFICATES),
    ("POST", f"{L}/waivers"),
    ("POST", f"{L}/repayments"),
    ("POST", "/api/v1/loans/repayment-batches"),
    ("POST", f"{L}/refunds"),
    ("POST", f"{L}/prepayments"),
    ("POST", f"{L}/events/{{event_id}}/reverse"),
    ("POST", f"{L}/fund-usages"),
    ("POST", f"{L}/reschedules"),
    ("POST", f"{L}/accelerations"),
    ("POST", f"{L}/classification-adjustments"),
    ("POST", f"{L}/classification-restorations"),
    ("POST", f"{L}/write-off"),
    ("POST", f"{L}/recoveries"),
]
WAITS = {
    ("POST", f"{L}/{tail}")
    for tail in (
        "waivers",
        "reschedules",
        "accelerations",
        "write-off",
        "classification-adjustments",
        "classification-restorations",
    )
}
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", f"{L}/repayment-preview"): {"amount": "100.00"},
}


def prepare(world: World) -> tuple[dict[str, int], dict[tuple[str, str], Any]]:
    first = contracted(world, code="M1")
    second = contracted(world, code="M2", id_number="110105198501010012")
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow() as uow:
        loan = loans.disburse(uow, world.principal("finance"), application_id=first, now=world.now)
        uow.commit()
    assert isinstance(loan, LoanView)
    set_business_date(world, date(2025, 3, 1))  # installment 1 (1,120.00) is overdue
    with world.make_uow() as uow:
        paid = loans.repay(
            uow, world.principal("finance"), loan_id=loan.id, amount="50.00", now=world.now
        )
        uow.commit()
    assert isinstance(paid, EventOutcome)
    _classified_by_hand(world, loan.id)
    paid_off, certificate = _paid_off_with_a_certificate(world)
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/v1/loans"): {"application_id": second},
        ("POST", f"{L}/waivers"): {"component": "interest", "amount": "10.00", "reason": "减免"},
        ("POST", f"{L}/repayments"): {"amount": "1200.00"},
        ("POST", "/api/v1/loans/repayment-batches"): [{"loan_id": loan.id, "amount": "10.00"}],
        ("POST", f"{L}/prepayments"): {"amount": "1000.00"},
        ("POST", f"{L}/refunds"): {"amount": "1.00"},
        ("POST", f"{L}/events/{{event_id}}/reverse"): {"reason": "退票"},
        ("POST", f"{L}/fund-usages"): {
            "amount": "100.00",
            "used_on": "2025-02-01",
            "counterparty": "供应商",
            "category": "inventory",
        },
        ("POST", f"{L}/reschedules"): {"term": 6, "reason": "经营困难"},
        ("POST", f"{L}/accelerations"): {"reason": "挪用贷款资金"},
        ("POST", f"{L}/classification-adjustments"): {"category": "substandard", "reason": "涉诉"},
        ("POST", f"{L}/classification-restorations"): {"reason": "复核"},
        ("POST", f"{L}/write-off"): {"reason": "失联"},
        ("POST", f"{L}/recoveries"): {"amount": "100.00"},
        ("POST", f"{L}/tranches"): {"amount": "100.00"},
        ("POST", f"{L}/notes"): {"body": "客户来电"},
    }
    ids = {"loan_id": loan.id, "event_id": paid.event.id, "certificate_id": certificate}
    return {**ids, "paid_off_id": paid_off}, bodies


def _classified_by_hand(world: World, loan_id: int) -> None:
    """The loan's risk row as a close of business left it, adjusted to 关注 by hand: it may be
    adjusted again and restored."""
    with world.make_uow() as uow:
        uow.session.add(
            LoanRisk(
                loan_id=loan_id,
                company_id=world.company_id,
                as_of=date(2025, 2, 28),
                days_past_due=14,
                bucket="M1",
                computed_category="special_mention",
                category="substandard",
                override_category="substandard",
                stage=1,
                exposure_minor=1_200_000,
                allowance_minor=36_000,
            )
        )
        uow.commit()


def _paid_off_with_a_certificate(world: World) -> tuple[int, int]:
    """A loan of 1,000.00 over one month (at 1 %), disbursed 15 Jan and paid off on its due
    day (entered later), and its certificate."""
    application = contracted(
        world, code="M3", id_number="110105199001010010", amount="1000.00", term=1
    )
    finance = world.principal("finance")
    today = date(2025, 3, 1)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow() as uow:
        loan = loans.disburse(uow, finance, application_id=application, now=world.now)
        assert isinstance(loan, LoanView)
        uow.commit()
    set_business_date(world, today)
    with world.make_uow() as uow:
        loans.repay(
            uow, finance, loan_id=loan.id, amount="1010.00", value_date=date(2025, 2, 15),
            now=world.now,
        )  # fmt: skip
        certificate = loans.issue_certificate(uow, finance, loan_id=loan.id, now=world.now)
        assert isinstance(certificate, loans.CertificateView)
        uow.commit()
    return loan.id, certificate.id


def _ids_for(path: str, ids: dict[str, int]) -> dict[str, int]:
    """The loan a route is tried on: the paid-off one for the certificates."""
    return {**ids, "loan_id": ids["paid_off_id"]} if path.startswith(CERTIFICATES) else ids


def test_the_matrix_covers_every_loans_route(app: FastAPI) -> None:
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/loans")
        for method in operations
    }
    assert found == set(MATRIX) == set(ORDER)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_what_the_matrix_says(
    role: str, client: TestClient, world: World
) -> None:
    ids, bodies = prepare(world)
    headers = fresh_token(world, USER_OF_ROLE[role])
    mismatches = []
    for method, path in ORDER:
        allowed = MATRIX[(method, path)]
        # finance may recover, but nobody wrote the loan off here; may disburse a tranche, but
        # the loan was disbursed in full
        refused = role == "finance" and path.endswith(("/recoveries", "/tranches"))
        if refused:
            allowed = frozenset()
        response = client.request(
            method,
            path.format(**_ids_for(path, ids)),
            headers=headers,
            json=bodies.get((method, path)),
            params=QUERIES.get((method, path)),
        )
        allowed_now = response.status_code < 400
        expected_refusal = 422 if refused else 403
        if (
            allowed_now != (role in allowed)
            or (not allowed_now and response.status_code != expected_refusal)
            or (allowed_now and ((method, path) in WAITS) != (response.status_code == 202))
        ):
            mismatches.append((method, path, response.status_code, response.text[:300]))
    assert mismatches == []


def test_without_credentials_every_loans_route_is_401(client: TestClient) -> None:
    ids = {"loan_id": 1, "event_id": 1, "certificate_id": 1}
    answers = {(m, p): client.request(m, p.format(**ids), json={}).status_code for m, p in MATRIX}
    assert {route: status for route, status in answers.items() if status != 401} == {}

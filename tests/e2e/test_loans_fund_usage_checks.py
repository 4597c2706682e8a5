"""The post-loan check of the use of the funds (资金用途核查): the loans whose deadline has passed
with the funds not (fully) evidenced, found by the list, its API and its page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microlend.kernel.errors import ValidationFailed
from microlend.loans import service as loans
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.e2e.test_pages_home import home_of, section
from tests.integration.loans_support import disbursed, record_usage, set_business_date
from tests.seed import World

__all__ = ["ui_client"]  # the fixture

FIN = "finance"
DEADLINE = date(2025, 2, 14)  # disbursed on 15 January 2025, to be verified within 30 days


def _loans(world: World, tmp_path: Path) -> dict[str, int]:
    """Four loans of 12,000.00 disbursed on 15 January: one without evidence, one evidenced for
    5,000.00, one for all 12,000.00, and one without evidence paid off on 1 February."""
    made = {
        "none": disbursed(world),
        "part": disbursed(world, code="L2", id_number="110105198002020013"),
        "full": disbursed(world, code="L3", id_number="110105198003030010"),
        "paid": disbursed(world, code="L4", id_number="110105198004040018"),
    }
    record_usage(world, made["part"].id, "5000.00", evidence=b"invoice-1")
    record_usage(world, made["full"].id, "12000.00", evidence=b"invoice-2")
    set_business_date(world, date(2025, 2, 1))
    with world.make_uow() as uow:
        finance = world.principal(FIN)
        quote = loans.quote_payoff(uow, finance, loan_id=made["paid"].id)
        loans.prepay(
            uow, finance, loan_id=made["paid"].id, amount=quote.amount_to_pay, now=world.now
        )
        uow.commit()
    return {name: view.id for name, view in made.items()}


def _listed(world: World, usage: str) -> set[int]:
    with world.make_uow(read_only=True) as uow:
        return {view.id for view in loans.list_loans(uow, world.principal(FIN), usage=usage)}


def test_a_check_is_late_from_the_day_after_its_deadline(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    ids = _loans(world, tmp_path)
    assert _listed(world, "unverified") == {ids["none"], ids["paid"]}
    assert _listed(world, "partially_verified") == {ids["part"]}
    assert _listed(world, "fully_verified") == {ids["full"]}
    set_business_date(world, DEADLINE)
    assert _listed(world, "verification_late") == set()
    set_business_date(world, date(2025, 2, 15))
    assert _listed(world, "verification_late") == {ids["none"], ids["part"]}
    with world.make_uow(read_only=True) as uow:
        finance = world.principal(FIN)
        late = {
            name: loans.verification_late(
                loans.get_loan(uow, finance, loan_id=loan_id), date(2025, 2, 15)
            )
            for name, loan_id in ids.items()
        }
        with pytest.raises(ValidationFailed) as refused:
            loans.list_loans(uow, finance, usage="late")
    assert late == {"none": True, "part": True, "full": False, "paid": False}
    assert refused.value.field == "usage"


def test_the_list_page_and_the_api_find_the_late_checks(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    ids = _loans(world, tmp_path)
    set_business_date(world, date(2025, 2, 15))
    sign_in(ui_client, FIN)
    listing = ui_client.get("/loans", params={"usage": "verification_late"}, headers=HTML).text
    shown = {loan_id for loan_id in ids.values() if f'href="/loans/{loan_id}"' in listing}
    assert shown == {ids["none"], ids["part"]}
    assert '<option value="verification_late" selected>verification overdue</option>' in listing
    page = ui_client.get(f"/loans/{ids['part']}", headers={**HTML, **ZH}).text
    assert '<span class="badge badge-danger" id="usage-late">核查逾期</span>' in page
    assert 'id="usage-late"' not in ui_client.get(f"/loans/{ids['full']}", headers=HTML).text
    api = ui_client.get("/api/v1/loans", params={"usage": "verification_late"})
    assert api.status_code == 200
    assert {row["id"] for row in api.json()} == {ids["none"], ids["part"]}
    bad = ui_client.get("/api/v1/loans", params={"usage": "late"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_a_misused_loan_says_so_in_red(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    loan = disbursed(world)
    sign_in(ui_client, FIN)
    assert 'id="usage-misused"' not in ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    record_usage(world, loan.id, "3000.00", category="securities", counterparty="券商")
    page = ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH}).text
    assert '<span class="badge badge-danger" id="usage-misused">挪用</span>' in page
    listed = ui_client.get("/loans", params={"usage": "misused"}, headers=HTML).text
    assert f'href="/loans/{loan.id}"' in listed


def test_the_product_sets_how_long_a_check_may_take(world: World) -> None:
    """A product whose loans are checked within 60 days: paid out on 15 January 2025, the loan
    is to be verified by 16 March (the product's default, 30 days, would be 14 February)."""
    loan = disbursed(world, fund_usage_days=60)
    assert loan.fund_usage_deadline == date(2025, 3, 16)
    set_business_date(world, date(2025, 3, 16))
    assert _listed(world, "verification_late") == set()
    set_business_date(world, date(2025, 3, 17))
    assert _listed(world, "verification_late") == {loan.id}


def test_the_risk_officer_sees_the_loans_whose_funds_were_misused(
    ui_client: TestClient, world: World
) -> None:
    at_a = disbursed(world)  # branch A, officer_a
    disbursed(world, code="L2", id_number="110105198002020013")  # branch A, used as agreed
    at_b = disbursed(
        world, code="L3", id_number="110105198003030010", office="b", officer="officer_b"
    )
    record_usage(world, at_a.id, "3000.00", category="securities", counterparty="券商")
    with world.make_uow() as uow:
        loans.record_usage(uow, world.principal("officer_b"), loan_id=at_b.id, amount="2000.00",
                           used_on=date(2025, 1, 15), counterparty="某平台", category="gambling",
                           now=world.now)  # fmt: skip
        uow.commit()
    # the risk officer sees the company, the manager of branch A that branch; an officer, who
    # records the uses, has the late checks' card instead
    for username, count in (("risk", 2), ("manager_a", 1), ("officer_a", None)):
        page = home_of(ui_client, username)
        card = section(page, "card-misused")
        if count is None:
            assert card == "" and "card-usage-late" in page
            continue
        assert f'<div class="stat-value">{count}</div>' in card, username
        assert 'href="/loans?usage=misused"' in card
    listing = ui_client.get(
        "/loans?usage=misused", headers=HTML
    ).text  # the card's link (officer_a)
    assert at_a.number in listing and at_b.number not in listing

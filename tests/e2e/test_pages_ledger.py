"""Ledger pages: vouchers and their lines, trial balance, chart of accounts, period close."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient

from tests.e2e.pages_support import EN, ZH, sign_in, ui_client
from tests.integration.loans_support import set_business_date
from tests.ledger_support import event, post
from tests.seed import World

__all__ = ["ui_client"]
DAY = date(2025, 3, 3)


def test_vouchers_trial_balance_and_chart(ui_client: TestClient, world: World) -> None:
    finance = world.principal("finance")
    voucher = post(world, finance, event(world, "disbursement", "d:1", DAY, principal="2500.00"))
    sign_in(ui_client, "finance")
    home = ui_client.get("/").text
    assert 'href="/accounting/trial-balance"' in home
    listing = ui_client.get("/accounting/vouchers?period=2025-03").text
    assert voucher.number in listing and "2500.00" in listing
    detail = ui_client.get(f"/accounting/vouchers/{voucher.id}").text
    assert "130301 Loans - performing" in detail and "1002 Bank deposits" in detail
    report = ui_client.get("/accounting/trial-balance?date_from=2025-03-01&date_to=2025-03-31")
    assert report.status_code == 200 and "Balanced" in report.text
    assert "format=xlsx" in report.text
    chart = ui_client.get("/accounting/accounts", headers=ZH).text
    assert "会计科目" in chart and 'data-code="1304"' in chart
    assert "<td>资产</td>" in chart and "<td>asset</td>" not in chart  # the type, translated


def test_the_chart_and_the_vouchers_read_in_the_readers_language(
    ui_client: TestClient, world: World
) -> None:
    """The chart is kept in both languages: the Chinese UI shows the Chinese names alone, the
    English UI the English ones beside them; a voucher's kind is a label, not its code."""
    accrual = replace(event(world, "interest_accrual", "i:1", DAY, interest="1.00"), summary="计提")
    voucher = post(world, world.principal("finance"), accrual)
    sign_in(ui_client, "finance")
    chinese = ui_client.get("/accounting/accounts", headers=ZH).text
    assert "<td>库存现金</td>" in chinese and "<td>贷款损失准备</td>" in chinese
    assert "Cash on hand" not in chinese and "Loan loss provision" not in chinese
    english = ui_client.get("/accounting/accounts", headers=EN).text
    assert "<td>Cash on hand</td>" in english and "<td>库存现金</td>" in english
    for headers, label in ((ZH, "计提利息"), (EN, "Interest accrual")):
        listing = ui_client.get("/accounting/vouchers?period=2025-03", headers=headers).text
        assert f"<td>{label}</td>" in listing and "<td>interest_accrual</td>" not in listing
        page = ui_client.get(f"/accounting/vouchers/{voucher.id}", headers=headers).text
        assert f"· {label} ·" in page and "interest_accrual" not in page


def test_a_month_is_closed_and_reopened_on_the_web(ui_client: TestClient, world: World) -> None:
    post(world, world.principal("finance"), event(world, "fee_charge", "f:1", DAY, fee="1"))
    csrf = sign_in(ui_client, "finance")
    close = {"csrf_token": csrf, "period": "2025-03", "action": "close"}
    early = ui_client.post("/accounting/periods", data=close)  # business date 3 March
    assert early.status_code == 422
    assert "close of business has not closed 2025-03-31 yet" in early.text
    set_business_date(world, date(2025, 4, 1))
    closed = ui_client.post("/accounting/periods", data=close)
    assert closed.status_code == 303
    assert "Period 2025-03 closed." in ui_client.get(closed.headers["location"]).text
    refused = ui_client.post(
        "/accounting/periods",
        data={"csrf_token": csrf, "period": "2025-03", "action": "reopen", "reason": "x"},
    )
    assert refused.status_code == 403 and "permission" in refused.text


def test_the_ledger_is_hidden_from_a_loan_officer(ui_client: TestClient, world: World) -> None:
    sign_in(ui_client, "officer_a")
    assert "/accounting/vouchers" not in ui_client.get("/").text
    assert ui_client.get("/accounting/vouchers").status_code == 403


def test_a_manual_voucher_is_entered_on_the_web(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "finance")
    form = ui_client.get("/accounting/vouchers/new")
    assert form.status_code == 200 and 'id="voucher-entry"' in form.text
    lines = {
        "account_code": ["6602", "1002", ""],
        "side": ["D", "C", "D"],
        "amount": ["120.50", "120.00", ""],
        "memo": ["paper", "", ""],
    }
    data = {"csrf_token": csrf, "business_date": "2025-03-03", "summary": "办公用品", **lines}
    refused = ui_client.post("/accounting/vouchers/new", data=data)
    assert refused.status_code == 422 and 'value="120.50"' in refused.text
    data["amount"] = ["120.50", "120.50", ""]
    posted = ui_client.post("/accounting/vouchers/new", data=data)
    assert posted.status_code == 303
    page = ui_client.get(posted.headers["location"]).text
    assert "Voucher 2025-03-000001 posted." in page and "6602 Administrative expenses" in page
    statements = ui_client.get("/accounting/statements?date_to=2025-03-31").text
    assert "Net profit: -120.50" in statements and "Balanced" in statements

"""The auto-debit page (批量代扣) and its file: the lines with their total, the loans owing
without a bank account, the CSV download (UTF-8 with BOM, the repayment import's columns), the
JSON API, and a bad date named above the page.

The loans (tests/integration/loans_support.py): installment 1 of 12,000.00 over 12 months at
12 % equal principal falls due on 2025-02-15: 1,000.00 + 120.00 = 1,120.00."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.integration.loans_support import add_bank_account, disbursed, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

HEADER = (
    "reference,loan_number,borrower,bank_name,account_no,account_name,amount,currency,"
    "value_date,channel,external_reference"
)


def _two_loans(world: World) -> tuple[str, str]:
    """One loan whose borrower has a bank account, one whose borrower has none."""
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198501010012", customer="王五")
    add_bank_account(world, first.customer_id, "6222020200001234567")
    set_business_date(world, date(2025, 2, 15))
    return first.number, second.number


def test_the_page_lists_the_lines_and_the_loans_without_an_account(
    ui_client: TestClient, world: World
) -> None:
    with_account, without = _two_loans(world)
    sign_in(ui_client, "finance")
    assert 'href="/loans/auto-debit"' in ui_client.get("/loans", headers=HTML).text
    page = ui_client.get("/loans/auto-debit", headers=HTML)
    assert page.status_code == 200
    text = page.text
    lines, missing = text.split('id="auto-debit-missing"')
    assert f"AD20250215-{with_account}" in lines and "1,120.00" in lines
    assert "*4567" in lines and "6222020200001234567" not in lines  # finance lacks pii.view
    assert without in missing and without not in lines
    assert "/api/v1/loans/auto-debit?on=2025-02-15&amp;format=csv" in text
    chinese = ui_client.get("/loans/auto-debit", headers={**HTML, **ZH}).text
    assert "批量代扣" in chinese and "下载 CSV" in chinese


def test_the_csv_and_the_json(ui_client: TestClient, world: World) -> None:
    with_account, without = _two_loans(world)
    sign_in(ui_client, "finance")
    download = ui_client.get(
        "/api/v1/loans/auto-debit", params={"on": "2025-02-15", "format": "csv"}
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())
    ref = f"AD20250215-{with_account}"
    assert download.content.decode("utf-8-sig").splitlines() == [
        HEADER,
        f"{ref},{with_account},李四,工商银行,6222020200001234567,李四,1120.00,CNY,2025-02-15,"
        f"deduction,{ref}",
    ]
    body = ui_client.get("/api/v1/loans/auto-debit", params={"on": "2025-02-15"}).json()
    assert [(ln["reference"], ln["amount"]) for ln in body["lines"]] == [(ref, "1120.00")]
    assert body["totals"] == [{"currency": "CNY", "count": 1, "amount": "1120.00"}]
    assert [(o["loan_number"], o["amount"]) for o in body["without_account"]] == [
        (without, "1120.00")
    ]


def test_a_bad_or_past_date_is_named(ui_client: TestClient, world: World) -> None:
    _two_loans(world)
    sign_in(ui_client, "finance")
    page = ui_client.get("/loans/auto-debit", params={"on": "2025-02-14"}, headers=HTML)
    assert page.status_code == 200 and "before the business date" in page.text
    page = ui_client.get("/loans/auto-debit", params={"on": "15/02/2025"}, headers=HTML)
    assert page.status_code == 200 and "2026-01-31" in page.text
    refused = ui_client.get("/api/v1/loans/auto-debit", params={"on": "2025-02-14"})
    assert refused.status_code == 422 and "on" in refused.text

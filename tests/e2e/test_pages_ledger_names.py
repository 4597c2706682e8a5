"""Ledger account names read in the reader's language on every ledger page: the English name
in the English UI, the Chinese (statutory) one in the Chinese UI; the API gives both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient

from microlend.accounting.views import VoucherView
from tests.e2e.pages_support import EN, ZH, sign_in, ui_client
from tests.ledger_support import event, post
from tests.seed import World

__all__ = ["ui_client"]
DAY = date(2025, 3, 3)
MARCH = "date_from=2025-03-01&date_to=2025-03-31"
NAMES = {  # code -> (Chinese, English), as accounting/defaults.py seeds them
    "1002": ("银行存款", "Bank deposits"),
    "1303": ("贷款", "Loans"),
    "130301": ("正常贷款", "Loans - performing"),
    "6021": ("手续费及佣金收入", "Fee and commission income"),
}


def table_rows(html: str, anchor: str) -> list[list[str]]:
    """The text of the cells of each row of the first table at or after ``id="anchor"``."""
    table = html.split(f'id="{anchor}"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).replace("\u3000", "").strip() for cell in cells]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        if (cells := re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
    ]


def names_by_code(html: str, anchor: str) -> dict[str, str]:
    return {row[0]: row[1] for row in table_rows(html, anchor) if row[0]}


@pytest.fixture
def loan_voucher(world: World) -> VoucherView:
    """A loan paid out (130301 against 1002) and a fee charged (122101 against 6021) in March;
    the loan's voucher, as posting it answered."""
    finance = world.principal("finance")
    loan = post(world, finance, event(world, "disbursement", "d:1", DAY, principal="2500.00"))
    post(world, finance, event(world, "fee_charge", "f:1", DAY, fee="10.00"))
    return loan


def test_a_posted_voucher_names_its_accounts_in_both_languages(
    loan_voucher: VoucherView,
) -> None:
    names = [(line.account_name, line.account_name_en) for line in loan_voucher.lines]
    assert names == [NAMES["130301"], NAMES["1002"]]


@dataclass(frozen=True)
class Reader:
    """Someone from finance reading the ledger pages in one language: ``name`` gives an
    account's name in it, ``other`` in the other language."""

    client: TestClient
    headers: dict[str, str]
    shown: int  # 0: Chinese, 1: English (the index in NAMES)

    def get(self, url: str) -> str:
        return self.client.get(url, headers=self.headers).text

    def name(self, code: str) -> str:
        return NAMES[code][self.shown]

    def other(self, code: str) -> str:
        return NAMES[code][1 - self.shown]


@pytest.fixture(params=[(EN, 1), (ZH, 0)], ids=["english", "chinese"])
def reader(
    request: pytest.FixtureRequest, ui_client: TestClient, loan_voucher: VoucherView
) -> Reader:
    sign_in(ui_client, "finance")
    headers, shown = request.param
    return Reader(ui_client, headers, shown)


def test_voucher_lines_name_their_accounts_in_the_readers_language(
    reader: Reader, loan_voucher: VoucherView
) -> None:
    page = reader.get(f"/accounting/vouchers/{loan_voucher.id}")
    accounts = [row[1] for row in table_rows(page, "voucher-lines")]
    assert accounts == [f"130301 {reader.name('130301')}", f"1002 {reader.name('1002')}"]
    assert reader.other("1002") not in page


def test_the_trial_balance_names_accounts_in_the_readers_language(reader: Reader) -> None:
    names = names_by_code(reader.get(f"/accounting/trial-balance?{MARCH}"), "trial-balance")
    assert {code: names[code] for code in NAMES} == {code: reader.name(code) for code in NAMES}
    assert not {reader.other(code) for code in NAMES} & set(names.values())


def test_the_statements_name_accounts_in_the_readers_language(reader: Reader) -> None:
    page = reader.get("/accounting/statements?date_to=2025-03-31")
    assets = names_by_code(page, "balance-sheet")
    assert assets["1303"] == reader.name("1303") and assets["1002"] == reader.name("1002")
    assert reader.other("1303") not in assets.values()
    assert names_by_code(page, "income-statement") == {"6021": reader.name("6021")}


def test_the_account_page_is_titled_in_the_readers_language(reader: Reader) -> None:
    page = reader.get(f"/accounting/accounts/1303?{MARCH}")
    assert f'<span id="account-name">{reader.name("1303")}</span>' in page
    assert f"<title>1303 {reader.name('1303')}" in page
    assert reader.other("1303") not in page.split("<h1>", 1)[1].split("</h1>", 1)[0]

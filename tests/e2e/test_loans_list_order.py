"""The loan list in the order a collector or an officer works it: the worst arrears first, or
what falls due first; page after page in that order, on the page, in the API and in the
workbook. The book is the home page's (tests/e2e/test_pages_home.py: seven loans, nothing repaid,
business date 2025-02-25); the orders below are worked out by hand from its table:

    loan  ids in   principal  DPD  overdue    next due
          order
    L1    1st      12,000     101  4,420.00   2025-03-15
    L4    2nd       3,000      66    832.50   2025-03-20
    L2    3rd       6,000      50  1,115.00   2025-03-05
    L3    4th      12,000       9  1,120.00   2025-03-15
    L5    5th       6,000       -          -  2025-02-28
    L6    6th       9,000       -          -  2025-03-02
    L7    7th       5,000       -          -  2025-03-20

Ties go by loan number (the order of the ids). By days past due the book's order is its number
order (the older loans owe the longer), so a repayment of L1's two oldest installments moves it
(below)."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from microlend.db.uow import SessionFactory
from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.e2e.test_pages_home import the_book
from tests.integration.loans_support import repaid
from tests.seed import World

__all__ = ["ui_client"]

ORDERS = {
    "number": ("L1", "L4", "L2", "L3", "L5", "L6", "L7"),
    "days_past_due": ("L1", "L4", "L2", "L3", "L5", "L6", "L7"),
    "overdue": ("L1", "L3", "L2", "L4", "L5", "L6", "L7"),
    "outstanding": ("L1", "L3", "L6", "L2", "L5", "L7", "L4"),
    "next_due_date": ("L5", "L6", "L2", "L1", "L3", "L4", "L7"),
}


def _listed(page: str) -> list[str]:
    """The loan numbers of a list page, in the order shown."""
    return re.findall(r'<td class="mono"><a href="/loans/\d+">([^<]+)</a></td>', page)


def test_the_list_orders_the_book_and_pages_in_that_order(
    ui_client: TestClient,
    world: World,
    session_factory: SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = the_book(world, session_factory)
    sign_in(ui_client, "manager")  # the whole company
    for order, codes in ORDERS.items():
        page = ui_client.get("/loans", params={"order": order}, headers=HTML).text
        assert _listed(page) == [numbers[code] for code in codes], order
    # the heading of the order in use is marked, the others link to theirs
    page = ui_client.get("/loans", params={"order": "days_past_due"}, headers=HTML).text
    assert '<th class="num" aria-sort="descending"><a class="sort-link active"' in page
    assert 'href="/loans?order=next_due_date"' in page
    # filtered and ordered: the overdue loans, the worst first
    page = ui_client.get("/loans?overdue=1&order=overdue", headers=HTML).text
    assert _listed(page) == [numbers[code] for code in ("L1", "L3", "L2", "L4")]
    assert 'name="order" value="overdue"' in page  # the filters keep the order
    # a page of two at a time: the same order, each loan once
    monkeypatch.setattr("microlend.loans.pages.PAGE_SIZE", 2)
    shown, address = [], "/loans?order=next_due_date"
    while address:
        page = ui_client.get(address, headers=HTML).text
        shown += _listed(page)
        found = re.search(r'href="(/loans\?[^"]+)">Next page', page)
        address = found.group(1).replace("&amp;", "&") if found else ""
        assert not found or "order=next_due_date" in address
    assert shown == [numbers[code] for code in ORDERS["next_due_date"]]
    # L1 pays 2,420.00: the interest of its four past-due installments (120 + 110 + 100 + 90:
    # the product takes interest before principal across them), then the principal of the two
    # oldest (2 x 1,000.00); its oldest unpaid installment fell due on 15 January, 41 days
    # before the business date, so it now comes after L4 (66) and L2 (50), before L3 (9)
    monkeypatch.setattr("microlend.loans.pages.PAGE_SIZE", 50)
    first = next(
        loan for loan in ui_client.get("/api/v1/loans").json() if loan["number"] == numbers["L1"]
    )
    repaid(world, first["id"], "2420.00")
    page = ui_client.get("/loans", params={"order": "days_past_due"}, headers=HTML).text
    assert _listed(page) == [numbers[code] for code in ("L4", "L2", "L1", "L3", "L5", "L6", "L7")]


def test_the_api_and_the_workbook_order_as_the_list_does(
    ui_client: TestClient, world: World, session_factory: SessionFactory
) -> None:
    numbers = the_book(world, session_factory)
    sign_in(ui_client, "manager")
    shown: list[str] = []
    shown_loans: list[dict[str, object]] = []
    params: dict[str, str | int] = {"order": "outstanding", "limit": 3}
    while True:
        batch = ui_client.get("/api/v1/loans", params=params).json()
        shown += [loan["number"] for loan in batch]
        shown_loans += batch
        if len(batch) < 3:
            break
        params["after_id"] = batch[-1]["id"]
    assert shown == [numbers[code] for code in ORDERS["outstanding"]]
    refused = ui_client.get("/api/v1/loans", params={"order": "principal"})
    assert refused.status_code == 422 and refused.json()["field"] == "order", refused.text
    workbook = ui_client.get("/loans/ledger.xlsx", params={"order": "days_past_due"}, headers=HTML)
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    column = [str(cell.value) for cell in next(sheet.iter_cols(min_col=1, max_col=1))]
    assert [value for value in column if value in numbers.values()] == [
        numbers[code] for code in ORDERS["days_past_due"]
    ]
    # a page after a loan out of the reader's scope is empty: were it not, the loans listed
    # would tell how much that loan owes (branch B's officer, after branch A's L1)
    ui_client.cookies.clear()
    sign_in(ui_client, "officer_b")
    ids = {loan["number"]: loan["id"] for loan in shown_loans}
    beyond = {"order": "overdue", "after_id": ids[numbers["L1"]]}
    assert ui_client.get("/api/v1/loans", params=beyond).json() == []
    assert [
        loan["number"]
        for loan in ui_client.get("/api/v1/loans", params={"order": "overdue"}).json()
    ] == [numbers[code] for code in ("L3", "L4", "L6")]

"""贷款台账: the loan list's workbook, every loan its query keeps (all pages), the reader's
language, for those who may export reports; each download leaves one audit record of its bytes."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from microlend.loans import service as loans
from tests.e2e.audit_support import last_seq, records_after
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.integration.checker_support import written_off
from tests.integration.loans_support import disbursed, set_business_date
from tests.seed import World

__all__ = ["ui_client"]


def _rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_ledger_holds_every_loan_of_the_lists_query_and_is_audited(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_a = disbursed(world)  # 李四 at branch A: 12,000.00 at 12 %, 12 months from 2025-01-15
    at_b = disbursed(
        world, code="L3", id_number="110105198003030010", office="b", officer="officer_b",
        customer="王五",
    )  # fmt: skip
    monkeypatch.setattr("microlend.loans.ledger_export._BATCH", 1)  # one loan a query
    sign_in(ui_client, "finance")
    listing = ui_client.get("/loans", params={"office": world.offices["a"]}, headers=HTML).text
    link = f"/loans/ledger.xlsx?office={world.offices['a']}"
    assert f'id="ledger-download" href="{link}"' in listing
    before = last_seq(world)
    whole = ui_client.get("/loans/ledger.xlsx", headers={**HTML, **ZH})
    assert whole.status_code == 200
    disposition = whole.headers["content-disposition"]
    assert 'filename="loan-ledger-2025-01-15.xlsx"' in disposition  # the business date
    rows = _rows(whole.content)
    assert rows[0][:4] == ["贷款编号", "合同编号", "借款人", "机构"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {at_a.number, at_b.number}  # both pages of one loan each
    first = by_number[at_a.number]
    assert first[2:4] == ["李四", "Branch A"]
    assert first[6:10] == [12000, 12, "2025-01-15", "2026-01-15"]
    assert first[10:14] == [12000, 0, 0, "2025-02-15"]
    assert first[14] == 1120 and first[21] == "正常"  # 1,000.00 + 120.00; active
    branch = ui_client.get(link, headers=HTML)
    assert [row[0] for row in _rows(branch.content)[1:]] == [at_a.number]
    records = records_after(world, before)
    assert [r.command for r in records] == ["loans.ledger.export"] * 2
    assert [r.change_digest for r in records] == [
        hashlib.sha256(whole.content).hexdigest(),
        hashlib.sha256(branch.content).hexdigest(),
    ]
    request = {
        "status": None, "overdue": None, "within_offices": None, "owner_id": None,
        "due_through": None, "dpd_range": None, "category": None, "adjusted": None,
        "usage": None, "search": None, "order": None, "format": "xlsx",
    }  # fmt: skip
    text = json.dumps(request, sort_keys=True, separators=(",", ":"))
    assert records[0].input_digest == hashlib.sha256(text.encode()).hexdigest()


def test_a_written_off_loan_shows_what_was_written_off_recovered_and_kept_off_balance(
    ui_client: TestClient, world: World
) -> None:
    """Written off on 1 Jun with no close of business run (nothing booked, so no interest moved
    off balance), then 300.00 recovered: all principal (12,000.00 written off, 300.00 back)."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 6, 1))
    written_off(world, loan.id)
    with world.make_uow() as uow:
        loans.recover(
            uow, world.principal("finance"), loan_id=loan.id, amount="300.00", now=world.now
        )
        uow.commit()
    sign_in(ui_client, "finance")
    rows = _rows(ui_client.get("/loans/ledger.xlsx", headers={**HTML, **ZH}).content)
    assert rows[0][15:21] == [
        "溢缴款余额",
        "应收利息",
        "应收罚息",
        "核销本金",
        "已收回",
        "表外利息",
    ]
    assert rows[1][18:22] == [12000, 300, 0, "已核销"]


def test_only_those_who_may_export_reports_see_the_link_or_get_the_file(
    ui_client: TestClient, world: World
) -> None:
    disbursed(world)
    sign_in(ui_client, "officer_a")  # loans.view without reports.export
    before = last_seq(world)
    assert 'id="ledger-download"' not in ui_client.get("/loans", headers=HTML).text
    assert ui_client.get("/loans/ledger.xlsx", headers=HTML).status_code == 403
    assert records_after(world, before) == []

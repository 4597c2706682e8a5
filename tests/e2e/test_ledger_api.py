"""The accounting API end to end: chart, manual vouchers with Idempotency-Key and maker-checker,
reversal, periods, reports as JSON and CSV, scoping and permissions."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from microlend.auth import service as auth
from tests.integration.loans_support import set_business_date
from tests.seed import PASSWORD, World

API = "/api/v1/accounting"
Headers = dict[str, str]
RENT = {
    "business_date": "2025-03-03",
    "summary": "支付三月房租",
    "lines": [
        {"account_code": "6602", "side": "D", "amount": "3000.00", "memo": "rent"},
        {"account_code": "1002", "side": "C", "amount": "3000.00"},
    ],
}


def manual(world: World, **changes: object) -> dict[str, object]:
    return {**RENT, "office_id": world.offices["hq"], **changes}


def test_chart_and_rules(client: TestClient, bearer: Callable[[str], Headers]) -> None:
    admin = bearer("admin")
    assert client.post(f"{API}/books", headers=admin).json() == {"seeded": True}
    assert client.post(f"{API}/books", headers=admin).json() == {"seeded": False}
    created = client.post(
        f"{API}/accounts",
        headers=admin,
        json={"code": "660201", "name_zh": "房租", "type": "expense", "parent_code": "6602"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["level"] == 1 and created.json()["normal_side"] == "D"
    renamed = client.patch(f"{API}/accounts/660201", headers=admin, json={"name_en": "Rent"})
    assert renamed.json()["name_en"] == "Rent"
    imported = client.post(
        f"{API}/accounts/import",
        headers=admin,
        json={
            "csv": "code,name_zh,name_en,type,parent_code\n660202,水电费,Utilities,expense,6602\n"
        },
    )
    assert imported.json() == {"added": 1}
    finance = bearer("finance")
    codes = [a["code"] for a in client.get(f"{API}/accounts", headers=finance).json()]
    assert {"1303", "130301", "660201", "660202"} <= set(codes)
    assert client.post(f"{API}/books", headers=finance).status_code == 403
    rules = client.get(f"{API}/rules", headers=finance).json()
    assert {"event_type": "disbursement", "product_code": "", "role": "principal",
            "debit_code": "130301", "credit_code": "1002"} in rules  # fmt: skip


def test_manual_voucher_idempotency_and_reversal(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    finance = {**bearer("finance"), "Idempotency-Key": "rent-2025-03"}
    first = client.post(f"{API}/vouchers", headers=finance, json=manual(world))
    assert first.status_code == 201, first.text
    voucher = first.json()
    assert voucher["number"] == "2025-03-000001"
    assert [line["amount"] for line in voucher["lines"]] == ["3000.00", "3000.00"]
    assert [(line["account_name"], line["account_name_en"]) for line in voucher["lines"]] == [
        ("管理费用", "Administrative expenses"),
        ("银行存款", "Bank deposits"),
    ]
    again = client.post(f"{API}/vouchers", headers=finance, json=manual(world))
    assert (
        again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == voucher["id"]
    )
    other = client.post(f"{API}/vouchers", headers=finance, json=manual(world, summary="x"))
    assert other.status_code == 409
    unbalanced = manual(world, lines=[RENT["lines"][0], {**RENT["lines"][1], "amount": "1"}])  # type: ignore[index]
    refused = client.post(f"{API}/vouchers", headers=bearer("finance"), json=unbalanced)
    assert (refused.status_code, refused.json()["code"]) == (422, "voucher_unbalanced")
    reversed_ = client.post(
        f"{API}/vouchers/{voucher['id']}/reverse",
        headers=bearer("finance"),
        json={"business_date": "2025-03-04", "reason": "wrong month"},
    )
    assert reversed_.status_code == 201
    assert reversed_.json()["reverses_id"] == voucher["id"]
    assert reversed_.json()["lines"][0]["amount"] == "-3000.00"
    listed = client.get(f"{API}/vouchers", headers=bearer("auditor")).json()
    assert [v["number"] for v in listed["items"]] == ["2025-03-000001", "2025-03-000002"]
    assert client.get(f"{API}/vouchers", headers=bearer("officer_a")).status_code == 403


def test_manual_voucher_with_maker_checker(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    with world.make_uow() as uow:
        second = auth.create_user(
            uow,
            world.principal("admin"),
            username="finance2",
            password=PASSWORD,
            display_name="F2",
            office_id=world.offices["hq"],
            roles=["finance"],
            scope="company",
            now=world.now,
        )
        uow.commit()
    assert isinstance(second, auth.UserView)
    world.user_ids["finance2"] = second.id
    switched = client.post(
        "/api/v1/maker-checker/rules",
        headers=bearer("admin"),
        json={"command": "accounting.voucher.post", "enabled": True},
    )
    assert switched.status_code in (200, 201), switched.text
    pending = client.post(f"{API}/vouchers", headers=bearer("finance"), json=manual(world))
    assert pending.status_code == 202, pending.text
    assert client.get(f"{API}/vouchers", headers=bearer("finance")).json()["items"] == []
    approved = client.post(
        f"/api/v1/maker-checker/pending/{pending.json()['pending_id']}/approve",
        headers=bearer("finance2"),
    )
    assert approved.status_code in (200, 201), approved.text
    items = client.get(f"{API}/vouchers", headers=bearer("finance")).json()["items"]
    assert [(v["number"], v["created_by"]) for v in items] == [("2025-03-000001", "finance")]


def test_periods_and_reports(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    finance = bearer("finance")
    client.post(f"{API}/vouchers", headers=finance, json=manual(world))
    early = client.post(f"{API}/periods/2025-03/close", headers=finance)
    assert (early.status_code, early.json()["code"]) == (422, "period_days_open")
    set_business_date(world, date(2025, 4, 1))  # close of business closed 31 March
    closed = client.post(f"{API}/periods/2025-03/close", headers=finance)
    assert closed.json()["status"] == "closed"
    late = client.post(f"{API}/vouchers", headers=finance, json=manual(world))
    assert (late.status_code, late.json()["code"]) == (422, "period_closed")
    assert (
        client.post(
            f"{API}/periods/2025-03/reopen", headers=finance, json={"reason": "late"}
        ).status_code
        == 403
    )
    reopened = client.post(
        f"{API}/periods/2025-03/reopen", headers=bearer("admin"), json={"reason": "late bill"}
    )
    assert reopened.json()["status"] == "open"
    window = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    report = client.get(f"{API}/trial-balance", headers=finance, params=window).json()
    assert report["balanced"] is True
    assert report["totals"]["period_debit"] == report["totals"]["period_credit"] == "3000.00"
    table = client.get(f"{API}/trial-balance", headers=finance, params={**window, "format": "csv"})
    rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["code", "name_zh"] and rows[-1][1] == "合计"
    income = client.get(f"{API}/income-statement", headers=finance, params=window).json()
    assert income["net_profit"] == "-3000.00"
    sheet = client.get(f"{API}/balance-sheet", headers=finance, params={"as_of": "2025-03-31"})
    assert sheet.json()["balanced"] is True and sheet.json()["total_assets"] == "-3000.00"
    detail = client.get(f"{API}/accounts/1002/detail", headers=finance, params=window).json()
    assert [e["balance"] for e in detail["entries"]] == ["-3000.00"]
    assert (detail["name_zh"], detail["name_en"]) == ("银行存款", "Bank deposits")
    exported = client.get(f"{API}/vouchers-export", headers=finance, params=window)
    lines = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [(r["voucher_no"], r["account_code"], r["debit"], r["credit"]) for r in lines] == [
        ("2025-03-000001", "6602", "3000.00", "0.00"),
        ("2025-03-000001", "1002", "0.00", "3000.00"),
    ]
    assert client.get(f"{API}/check", headers=finance).json() == []
    workbook = client.get(
        f"{API}/trial-balance", headers=finance, params={**window, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[:2] == ("code", "name_zh") and body[-1][1] == "合计"
    assert body[-1][6:8] == (3000, 3000)  # period debit and credit totals


def test_office_scope_and_consolidation(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    finance = bearer("finance")
    for office in ("a", "b"):
        posted = client.post(
            f"{API}/vouchers", headers=finance, json=manual(world, office_id=world.offices[office])
        )
        assert posted.status_code == 201
    window = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    branch = client.get(
        f"{API}/trial-balance", headers=finance, params={**window, "office_id": world.offices["a"]}
    ).json()
    assert branch["totals"]["period_debit"] == "3000.00"
    group = client.get(
        f"{API}/trial-balance",
        headers=bearer("group_auditor"),
        params={**window, "consolidated": True},
    ).json()
    assert group["totals"]["period_debit"] == "6000.00"
    assert len(group["company_ids"]) == 2
    hidden = client.get(
        f"{API}/trial-balance",
        headers=bearer("manager_a"),
        params={**window, "office_id": world.offices["b"]},
    )
    assert hidden.status_code == 404


def test_accrual_vouchers_setting(client: TestClient, bearer: Callable[[str], Headers]) -> None:
    admin = bearer("admin")
    assert client.get(f"{API}/settings", headers=admin).json() == {"accrual_vouchers": "per_loan"}
    changed = client.put(f"{API}/settings", headers=admin, json={"accrual_vouchers": "summary"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"accrual_vouchers": "summary"}
    read = client.get(f"{API}/settings", headers=bearer("auditor"))
    assert read.json() == {"accrual_vouchers": "summary"}
    refused = client.put(f"{API}/settings", headers=admin, json={"accrual_vouchers": "weekly"})
    assert refused.status_code == 422


def test_attachments_of_a_manual_voucher(
    client: TestClient,
    world: World,
    bearer: Callable[[str], Headers],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    finance = bearer("finance")
    voucher = client.post(f"{API}/vouchers", headers=finance, json=manual(world)).json()
    url = f"{API}/vouchers/{voucher['id']}/attachments"
    headers = {**finance, "Content-Type": "application/pdf"}
    added = client.post(f"{url}?filename=发票.pdf", headers=headers, content=b"%PDF invoice")
    assert added.status_code == 201, added.text
    digest = hashlib.sha256(b"%PDF invoice").hexdigest()
    assert added.json()["content_hash"] == digest and added.json()["size"] == 12
    assert (tmp_path / "docs" / digest[:2] / digest).read_bytes() == b"%PDF invoice"
    again = client.post(f"{url}?filename=copy.pdf", headers=headers, content=b"%PDF invoice")
    assert again.status_code == 201  # a second link, the same single file
    listed = client.get(url, headers=bearer("auditor")).json()
    assert [a["filename"] for a in listed] == ["发票.pdf", "copy.pdf"]
    download = client.get(f"{url}/{added.json()['id']}", headers=bearer("auditor"))
    assert download.content == b"%PDF invoice"
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf" in download.headers["content-disposition"]
    empty = client.post(f"{url}?filename=x", headers=headers, content=b"")
    assert empty.status_code == 422
    missing = client.get(f"{url}/{added.json()['id'] + 99}", headers=finance)
    assert missing.status_code == 404


def test_only_manual_vouchers_take_attachments(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    finance = bearer("finance")
    voucher = client.post(f"{API}/vouchers", headers=finance, json=manual(world)).json()
    reversal = client.post(
        f"{API}/vouchers/{voucher['id']}/reverse",
        headers=finance,
        json={"business_date": "2025-03-04"},
    ).json()
    refused = client.post(
        f"{API}/vouchers/{reversal['id']}/attachments?filename=a.txt", headers=finance, content=b"x"
    )
    assert refused.status_code == 422 and "manual" in refused.text

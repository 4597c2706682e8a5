"""The chart of accounts and the posting rules kept on the web: an account added, renamed,
deactivated and reactivated; a rule repointed to it; refusals shown beside the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.tables import AuditRecord
from tests.e2e.pages_support import ZH, sign_in, ui_client
from tests.ledger_support import event, post
from tests.seed import World

__all__ = ["ui_client"]
DAY = date(2025, 3, 3)
NEW_ACCOUNT = {
    "code": "670201",
    "name_zh": "贷款信用减值损失",
    "name_en": "Credit losses on loans",
    "type": "expense",
    "parent_code": "6702",
    "normal_side": "",
}
PROVISION = {"event_type": "provision", "role": "provision", "product_code": ""}


def open_books(world: World) -> None:
    with world.make_uow() as uow:
        ledger.open_books(uow, world.principal("admin"), now=world.now)
        uow.commit()


def audited(world: World, command: str) -> list[tuple[str, str, str | None]]:
    """(username, outcome, error code) of each audit record of ``command``, oldest first."""
    with world.make_uow() as uow:
        rows = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.command == command).order_by(AuditRecord.seq)
        )
        return [(row.username, row.outcome, row.error_code) for row in rows]


def account_row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S)
    assert match, f"no row of account {code}"
    return match.group(1)


def provision_rule(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    rules = client.get("/api/v1/accounting/rules", headers=headers).json()
    (rule,) = [r for r in rules if r["event_type"] == "provision" and r["role"] == "provision"]
    return {"debit": rule["debit_code"], "credit": rule["credit_code"]}


def test_an_account_is_added_renamed_and_deactivated_on_the_web(
    ui_client: TestClient, world: World
) -> None:
    open_books(world)
    csrf = sign_in(ui_client, "admin")
    chart = ui_client.get("/accounting/accounts").text
    assert 'id="new-account"' in chart and 'href="/accounting/rules"' in chart
    added = ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **NEW_ACCOUNT})
    assert added.status_code == 303 and added.headers["location"] == "/accounting/accounts/670201"
    page = ui_client.get(added.headers["location"]).text
    assert "Account 670201 added." in page and 'id="account-edit"' in page
    row = account_row(ui_client.get("/accounting/accounts").text, "670201")
    assert "Credit losses on loans" in row and "Active" in row
    twice = ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **NEW_ACCOUNT})
    assert twice.status_code == 409 and "This code is already used." in twice.text
    orphan = {**NEW_ACCOUNT, "code": "670299", "parent_code": "1002"}
    refused = ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **orphan})
    assert refused.status_code == 422 and 'value="670299"' in refused.text
    assert "a sub-account has its parent&#39;s type" in refused.text
    bad_code = {**NEW_ACCOUNT, "code": "6702-01"}
    refused = ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **bad_code})
    assert refused.status_code == 422
    assert "Please check Code: an account code is 1 to 20 letters or digits" in refused.text

    url = "/accounting/accounts/670201"
    rename = {
        "csrf_token": csrf,
        "action": "rename",
        "name_zh": "贷款减值",
        "name_en": "Loan losses",
    }
    renamed = ui_client.post(url, data=rename)
    assert renamed.status_code == 303
    assert "Account 670201 renamed." in ui_client.get(url).text
    assert "贷款减值" in account_row(
        ui_client.get("/accounting/accounts", headers=ZH).text, "670201"
    )
    empty = ui_client.post(url, data={**rename, "name_zh": " "})
    assert empty.status_code == 422 and 'class="field-error"' in empty.text
    assert ui_client.post(url, data={"csrf_token": csrf, "action": "deactivate"}).status_code == 303
    page = ui_client.get(url).text
    assert "Account 670201 deactivated." in page and 'value="activate"' in page
    assert "Disabled" in account_row(ui_client.get("/accounting/accounts").text, "670201")
    assert ui_client.post(url, data={"csrf_token": csrf, "action": "activate"}).status_code == 303
    assert "Account 670201 reactivated." in ui_client.get(url).text


def test_a_posting_rule_is_set_on_the_web(
    ui_client: TestClient, world: World, bearer: Callable[[str], dict[str, str]]
) -> None:
    open_books(world)
    csrf = sign_in(ui_client, "admin")
    ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **NEW_ACCOUNT})
    page = ui_client.get("/accounting/rules").text
    assert 'id="set-rule"' in page and '<option value="670201">' in page
    assert '<option value="6702">' not in page  # it has a sub-account now: not postable
    row = re.search(r'<tr data-rule="provision/provision/"[^>]*>(.*?)</tr>', page, re.S)
    assert row and "6702 Credit impairment losses" in row.group(1)

    rule = {"csrf_token": csrf, **PROVISION, "debit_code": "670201", "credit_code": "1304"}
    done = ui_client.post("/accounting/rules", data=rule)
    assert done.status_code == 303 and done.headers["location"] == "/accounting/rules"
    page = ui_client.get("/accounting/rules").text
    assert "Posting rule provision / provision set." in page
    assert 'data-rule="provision/provision/" data-debit="670201" data-credit="1304"' in page
    assert "670201 Credit losses on loans" in page
    assert "贷款信用减值损失" in ui_client.get("/accounting/rules", headers=ZH).text
    admin = bearer("admin")
    assert provision_rule(ui_client, admin) == {"debit": "670201", "credit": "1304"}
    voucher = post(
        world, world.principal("finance"), event(world, "provision", "p:1", DAY, provision="10")
    )
    assert {line.account_code for line in voucher.lines} == {"670201", "1304"}

    for debit, problem in (("9999", "no account 9999 in the chart"), ("6702", "has sub-accounts")):
        refused = ui_client.post("/accounting/rules", data={**rule, "debit_code": debit})
        assert refused.status_code == 422 and problem in refused.text
        assert "notice notice-error" in refused.text
    assert provision_rule(ui_client, admin) == {"debit": "670201", "credit": "1304"}
    outcomes = [outcome for _, outcome, _ in audited(world, "accounting.rule.set")]
    assert outcomes == ["ok", "failed", "failed"]  # the page's commands are audited


def test_without_the_permission_there_are_no_forms(
    ui_client: TestClient, world: World, bearer: Callable[[str], dict[str, str]]
) -> None:
    open_books(world)
    csrf = sign_in(ui_client, "finance")
    assert 'id="new-account"' not in ui_client.get("/accounting/accounts").text
    assert 'id="account-edit"' not in ui_client.get("/accounting/accounts/1002").text
    rules = ui_client.get("/accounting/rules")
    assert rules.status_code == 200 and 'data-rule="provision/provision/"' in rules.text
    assert 'id="set-rule"' not in rules.text
    rule = {"csrf_token": csrf, **PROVISION, "debit_code": "6701", "credit_code": "1304"}
    refused = ui_client.post("/accounting/rules", data=rule)
    assert refused.status_code == 403 and "You do not have permission to do this." in refused.text
    added = ui_client.post("/accounting/accounts", data={"csrf_token": csrf, **NEW_ACCOUNT})
    assert added.status_code == 403
    off = {"csrf_token": csrf, "action": "deactivate"}
    assert ui_client.post("/accounting/accounts/1002", data=off).status_code == 403
    assert provision_rule(ui_client, bearer("admin")) == {"debit": "6702", "credit": "1304"}
    denied = ("finance", "denied", "permission_denied")
    assert audited(world, "accounting.rule.set") == [denied]
    assert audited(world, "accounting.account.create") == [denied]

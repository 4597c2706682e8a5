"""Every export of the auto-debit file's whole account numbers leaves one audit record (PIPL):
the CSV download (the page's link, on the browser's session) and the API's JSON (a bearer token),
each with the SHA-256 of the very bytes answered; a page view (masked for finance, who lacks
``pii.view``) and a refused request leave none, and the chain still verifies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from microlend.auth import service as auth
from tests.e2e.audit_support import last_seq, records_after
from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.integration.loans_support import add_bank_account, disbursed, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

ACCOUNT_NO = "6222020200001234567"
DOWNLOAD = "/api/v1/loans/auto-debit?on=2025-02-15&amp;format=csv"


def _owing(world: World) -> str:
    """A loan whose installment of 1,120.00 falls due on the business date, 2025-02-15, with an
    account to debit."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, ACCOUNT_NO)
    set_business_date(world, date(2025, 2, 15))
    return loan.number


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _request_digest(on: str, format: str) -> str:
    """The request's canonical JSON (sorted keys, no spaces) hashed."""
    text = json.dumps({"on": on, "format": format}, sort_keys=True, separators=(",", ":"))
    return _sha256(text.encode())


def _intact(world: World) -> None:
    with world.make_uow(read_only=True) as uow:
        assert auth.verify_audit(uow, world.principal("auditor")) == []


def test_the_csv_download_appends_one_record_of_its_bytes(
    ui_client: TestClient, world: World
) -> None:
    number = _owing(world)
    sign_in(ui_client, "finance")
    before = last_seq(world)
    page = ui_client.get("/loans/auto-debit", headers=HTML)
    assert page.status_code == 200 and DOWNLOAD in page.text
    assert "*4567" in page.text and ACCOUNT_NO not in page.text  # masked: not an export
    assert records_after(world, before) == []
    download = ui_client.get(DOWNLOAD.replace("&amp;", "&"))
    assert download.status_code == 200 and ACCOUNT_NO in download.content.decode("utf-8-sig")
    assert f"AD20250215-{number}" in download.text
    [record] = records_after(world, before)
    assert (record.command, record.outcome, record.error_code) == (
        "loans.autodebit.export",
        "ok",
        None,
    )
    assert (record.user_id, record.username, record.company_id) == (
        world.user_ids["finance"],
        "finance",
        world.company_id,
    )
    assert record.address == "testclient"
    assert (record.entity_type, record.entity_id) == ("company", str(world.company_id))
    assert record.input_digest == _request_digest("2025-02-15", "csv")
    assert record.change_digest == _sha256(download.content)  # the file as saved, BOM included
    _intact(world)


def test_the_json_answer_appends_one_record_of_its_bytes(
    client: TestClient, world: World, bearer: Callable[[str], dict[str, str]]
) -> None:
    _owing(world)
    headers = bearer("finance")
    before = last_seq(world)
    answer = client.get("/api/v1/loans/auto-debit", headers=headers)  # the business date
    assert answer.status_code == 200
    assert [line["account_no"] for line in answer.json()["lines"]] == [ACCOUNT_NO]
    [record] = records_after(world, before)
    assert (record.command, record.outcome, record.username) == (
        "loans.autodebit.export",
        "ok",
        "finance",
    )
    assert record.input_digest == _request_digest("2025-02-15", "json")
    assert record.change_digest == _sha256(answer.content)
    again = client.get("/api/v1/loans/auto-debit", params={"format": "csv"}, headers=headers)
    assert again.status_code == 200
    json_record, csv_record = records_after(world, before)
    assert csv_record.change_digest == _sha256(again.content) != json_record.change_digest
    _intact(world)


def test_refused_requests_append_nothing(
    client: TestClient, world: World, bearer: Callable[[str], dict[str, str]]
) -> None:
    """Without ``loans.repay``, or for a date before the business date: nothing is handed out."""
    _owing(world)
    officer, finance = bearer("officer_a"), bearer("finance")
    before = last_seq(world)
    forbidden = client.get("/api/v1/loans/auto-debit", params={"format": "csv"}, headers=officer)
    assert forbidden.status_code == 403
    past = client.get("/api/v1/loans/auto-debit", params={"on": "2025-02-14"}, headers=finance)
    assert past.status_code == 422
    assert [r.command for r in records_after(world, before)] == []
    _intact(world)

"""A form's refusal reads in the reader's language with its values filled in (repayment, customer
registration), and the field is named as the form labels it (an enterprise's credit code); the
API's problem detail stays English whatever the client's language."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.e2e.pages_support import EN, HTML, ZH, sign_in, ui_client
from tests.integration.loans_support import disbursed
from tests.seed import World

__all__ = ["ui_client"]

ZHANG = "11010519491231002X"  # GB 11643-1999's example
BAD_CHECK_DIGIT = "110105194912310021"
BAD_USCC = "91350100M000100Y44"  # GB 32100-2015's worked example with a wrong check character


def _repay_notice(client: TestClient, world: World, amount: str, language: dict[str, str]) -> str:
    loan = disbursed(world)
    csrf = sign_in(client, "finance")
    done = client.post(
        f"/loans/{loan.id}/repay",
        data={"csrf_token": csrf, "kind": "repayment", "amount": amount},
        headers={**HTML, **language},
    )
    assert done.status_code == 303
    return client.get(f"/loans/{loan.id}", headers={**HTML, **language}).text


def test_a_bad_repayment_amount_reads_in_chinese_with_its_values(
    ui_client: TestClient, world: World
) -> None:
    page = _repay_notice(ui_client, world, "12.345", ZH)
    assert "请检查“金额”：应为 CNY 金额，最多 2 位小数" in page


def test_the_english_ui_still_reads_in_english(ui_client: TestClient, world: World) -> None:
    page = _repay_notice(ui_client, world, "12.345", EN)
    assert "Please check Amount: an amount of CNY with at most 2 decimal places" in page


def _register(client: TestClient, kind: str, id_number: str) -> str:
    csrf = sign_in(client, "officer_a")
    form = {"csrf_token": csrf, "kind": kind, "id_number": id_number, "name": "张三"}
    if kind == "individual":
        form["id_kind"] = "resident_id"
    refused = client.post("/customers/new", data=form, headers=ZH)
    assert refused.status_code == 422
    return refused.text


def test_a_bad_resident_id_number_reads_in_chinese(ui_client: TestClient) -> None:
    page = _register(ui_client, "individual", BAD_CHECK_DIGIT)
    assert "请检查“证件号码”：居民身份证号码的校验位错误" in page


def test_an_enterprise_s_bad_credit_code_is_named_as_the_form_labels_it(
    ui_client: TestClient,
) -> None:
    page = _register(ui_client, "enterprise", BAD_USCC)
    assert "请检查“统一社会信用代码”：统一社会信用代码的校验码错误" in page
    assert "证件号码" not in page


def test_the_api_detail_stays_english_with_its_values(
    client: TestClient, bearer: Callable[[str], dict[str, str]], world: World
) -> None:
    loan = disbursed(world)
    refused = client.post(
        f"/api/v1/loans/{loan.id}/repayments",
        headers={**bearer("finance"), **ZH, "Idempotency-Key": "repay-12.345"},
        json={"amount": "12.345"},
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert (problem["field"], problem["detail"]) == (
        "amount",
        "amount: an amount of CNY with at most 2 decimal places",
    )

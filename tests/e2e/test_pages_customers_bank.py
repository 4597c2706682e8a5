"""The bank accounts on the customer page: add (refusals beside their field, never a 500),
masked for a user without ``pii.view``, removed; no form for a role that may not edit."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from tests.e2e.pages_support import EN, ZH, sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]

ZHANG = "11010519491231002X"
CARD = "6222 0212 3456 7890 123"


def customer(world: World) -> int:
    with world.make_uow() as uow:
        view = customers.register_customer(uow, world.principal("officer_a"), kind="individual",
                                           id_number=ZHANG, name="张三", now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def add(client: TestClient, csrf: str, customer_id: int, **fields: str) -> object:
    form = {"csrf_token": csrf, "bank_name": "中国银行", "account_no": CARD, "account_name": "",
            **fields}  # fmt: skip
    return client.post(f"/customers/{customer_id}/bank-accounts", data=form)


def test_an_officer_adds_and_removes_an_account(ui_client: TestClient, world: World) -> None:
    customer_id = customer(world)
    csrf = sign_in(ui_client, "officer_a")
    added = add(ui_client, csrf, customer_id)
    assert added.status_code == 303  # type: ignore[attr-defined]
    page = ui_client.get(f"/customers/{customer_id}").text
    assert "Bank account 6222021234567890123 added." in page and "中国银行" in page
    remove = re.search(rf"/customers/{customer_id}/bank-accounts/(\d+)/remove", page)
    assert remove is not None
    removed = ui_client.post(remove.group(0), data={"csrf_token": csrf})
    assert removed.status_code == 303
    page = ui_client.get(f"/customers/{customer_id}").text
    assert "Bank account removed." in page and "6222021234567890123" not in page


def test_refusals_are_shown_beside_the_field(ui_client: TestClient, world: World) -> None:
    customer_id = customer(world)
    csrf = sign_in(ui_client, "officer_a")
    short = add(ui_client, csrf, customer_id, account_no="1234")
    assert short.status_code == 422  # type: ignore[attr-defined]
    assert "an account number has 8 to 30 digits" in short.text  # type: ignore[attr-defined]
    other = add(ui_client, csrf, customer_id, account_name="李四")
    assert other.status_code == 422  # type: ignore[attr-defined]
    assert "own name (张三)" in other.text and 'value="李四"' in other.text  # type: ignore[attr-defined]
    add(ui_client, csrf, customer_id)
    again = add(ui_client, csrf, customer_id)
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "has this account already" in again.text  # type: ignore[attr-defined]
    chinese = ui_client.post(
        f"/customers/{customer_id}/bank-accounts",
        data={"csrf_token": csrf, "bank_name": "中国银行", "account_no": "12"},
        headers=ZH,
    )
    assert chinese.status_code == 422 and "账号为 8 至 30 位数字" in chinese.text


def test_a_manager_sees_masked_numbers_and_no_form(ui_client: TestClient, world: World) -> None:
    customer_id = customer(world)
    with world.make_uow() as uow:
        officer = world.principal("officer_a")
        customers.add_bank_account(uow, officer, customer_id=customer_id, bank_name="中国银行",
                                   account_no=CARD, now=world.now)  # fmt: skip
        uow.commit()
    csrf = sign_in(ui_client, "manager")
    page = ui_client.get(f"/customers/{customer_id}", headers=EN).text
    assert "*" * 15 + "0123" in page and "6222021234567890123" not in page
    assert f"/customers/{customer_id}/bank-accounts" not in page
    refused = add(ui_client, csrf, customer_id)
    assert refused.status_code == 403  # type: ignore[attr-defined]


def test_another_offices_officer_cannot_add(ui_client: TestClient, world: World) -> None:
    customer_id = customer(world)
    csrf = sign_in(ui_client, "officer_b")
    refused = add(ui_client, csrf, customer_id)
    assert refused.status_code == 404  # type: ignore[attr-defined]
    with world.make_uow(read_only=True) as uow:
        listed = customers.list_bank_accounts(uow, world.principal("officer_a"),
                                              customer_id=customer_id)  # fmt: skip
    assert listed == []

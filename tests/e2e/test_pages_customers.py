"""Customer pages: register an individual, see the duplicate blocked for another officer, the
360, the list with search, in English and Chinese."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.pages_support import EN, ZH, sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]

ZHANG = "11010519491231002X"  # GB 11643-1999's example: born 1949-12-31, female


def register(client: TestClient, csrf: str, **fields: str) -> object:
    form = {
        "csrf_token": csrf,
        "kind": "individual",
        "id_kind": "resident_id",
        "id_number": ZHANG,
        "name": "张三",
        "phone": "13912345678",
        **fields,
    }
    return client.post("/customers/new", data=form)


def test_register_see_the_360_then_another_officer_is_blocked(
    ui_client: TestClient, world: World
) -> None:
    csrf = sign_in(ui_client, "officer_a")
    created = register(ui_client, csrf)
    assert created.status_code == 303  # type: ignore[attr-defined]
    page = ui_client.get(created.headers["location"]).text  # type: ignore[attr-defined]
    assert "Customer 张三 registered." in page and "1949-12-31" in page and "Female" in page
    ui_client.post("/logout", data={"csrf_token": csrf})
    other = TestClient(ui_client.app, follow_redirects=False, headers=EN)
    blocked = register(other, sign_in(other, "officer_b"))
    assert blocked.status_code == 409  # type: ignore[attr-defined]
    assert "Already registered: held by Officer_A (Branch A, 小贷公司) since 2025-03-03." in (
        blocked.text  # type: ignore[attr-defined]
    )


def test_a_wrong_check_digit_is_shown_beside_the_field(ui_client: TestClient) -> None:
    csrf = sign_in(ui_client, "officer_a")
    refused = register(ui_client, csrf, id_number="110105194912310021")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "check digit is wrong" in refused.text  # type: ignore[attr-defined]


def test_the_list_searches_and_speaks_chinese(ui_client: TestClient) -> None:
    csrf = sign_in(ui_client, "officer_a")
    register(ui_client, csrf)
    listing = ui_client.get("/customers", params={"q": "张"})
    assert listing.status_code == 200 and "张三" in listing.text
    assert ui_client.get("/customers", params={"q": "李"}).text.count('/customers/1"') == 0
    chinese = ui_client.get("/customers/new?kind=enterprise", headers=ZH).text
    assert "统一社会信用代码" in chinese and "新建企业客户" in chinese


def test_a_user_without_customers_view_gets_no_list(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    assert ui_client.get("/customers").status_code == 403


def test_the_360_names_the_relations_in_chinese(ui_client: TestClient) -> None:
    csrf = sign_in(ui_client, "officer_a")
    person = register(ui_client, csrf).headers["location"]  # type: ignore[attr-defined]
    firm = register(  # type: ignore[attr-defined]
        ui_client, csrf, kind="enterprise", id_number="91350100M000100Y43", name="某某有限公司"
    ).headers["location"]
    linked = ui_client.post(
        f"{firm}/related-parties",
        data={"csrf_token": csrf, "to_id": person.rsplit("/", 1)[1], "relation": "shareholder"},
    )
    assert linked.status_code == 303
    page = ui_client.get(firm, headers=ZH).text
    assert "<td>股东</td>" in page and "<td>shareholder</td>" not in page

"""A signed-in browser's unsafe requests need the session's CSRF token (form field or header)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.pages_support import sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]


def office_form(world: World, code: str, **extra: str) -> dict[str, str]:
    parent = str(world.offices["hq"])
    return {"parent_id": parent, "code": code, "name": f"Office {code}", **extra}


def offices_page(client: TestClient) -> str:
    page = client.get("/admin/offices")
    assert page.status_code == 200
    return page.text


def test_a_form_post_without_the_token_is_refused_and_changes_nothing(
    ui_client: TestClient, world: World
) -> None:
    sign_in(ui_client, "admin")
    response = ui_client.post("/admin/offices", data=office_form(world, "X1"))
    assert response.status_code == 403
    assert "The form has expired or did not come from this site." in response.text
    assert 'data-office-code="X1"' not in offices_page(ui_client)


def test_a_wrong_token_is_refused(ui_client: TestClient, world: World) -> None:
    sign_in(ui_client, "admin")
    response = ui_client.post(
        "/admin/offices", data=office_form(world, "X2", csrf_token="not-the-token")
    )
    assert response.status_code == 403
    assert 'data-office-code="X2"' not in offices_page(ui_client)


def test_the_token_as_form_field_is_accepted(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post("/admin/offices", data=office_form(world, "X3", csrf_token=csrf))
    assert response.status_code == 303
    assert 'data-office-code="X3"' in offices_page(ui_client)


def test_the_token_as_htmx_header_is_accepted(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post(
        "/admin/offices",
        data=office_form(world, "X4"),
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Location"]  # htmx loads the office list next
    assert 'data-office-code="X4"' in offices_page(ui_client)


def test_the_page_carries_the_token_for_htmx_and_for_every_form(ui_client: TestClient) -> None:
    csrf = sign_in(ui_client, "admin")
    page = ui_client.get("/admin/offices").text
    assert f'hx-headers:inherited=\'{{"X-CSRF-Token": "{csrf}"}}\'' in page
    forms = page.count("<form")
    assert forms >= 2
    assert page.count(f'name="csrf_token" value="{csrf}"') == forms

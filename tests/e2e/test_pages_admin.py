"""Administration pages: offices, users, roles; navigation and access by permission."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]

NEW_PASSWORD = "Fresh-password-77"


def new_user_form(csrf: str, world: World, username: str, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": csrf,
        "username": username,
        "display_name": "New Officer",
        "password": "Strong-pass-2025",
        "office_id": str(world.offices["a"]),
        "scope": "office",
        "roles": ["loan_officer"],
    }
    return {**form, **changes}


def test_an_office_opens_under_its_parent(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post(
        "/admin/offices",
        data={"csrf_token": csrf, "parent_id": world.offices["b"], "code": "B9", "name": "东门"},
    )
    assert response.status_code == 303
    page = ui_client.get(response.headers["location"]).text
    assert "Office 东门 created." in page
    branch_b = page.index('data-office-code="B"')
    assert page.index('data-office-code="B9"') > branch_b  # drawn inside branch B's subtree


def test_a_taken_office_code_is_shown_beside_the_field(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post(
        "/admin/offices",
        data={"csrf_token": csrf, "parent_id": world.offices["hq"], "code": "A", "name": "Again"},
    )
    assert response.status_code == 409
    assert "This code is already used." in response.text
    assert 'value="Again"' in response.text  # the form keeps what was typed


def test_a_user_is_created_and_listed(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post("/admin/users/new", data=new_user_form(csrf, world, "newbie"))
    assert response.status_code == 303
    detail = ui_client.get(response.headers["location"]).text
    assert "User newbie created." in detail
    listing = ui_client.get("/admin/users?q=newbie").text
    assert ">newbie<" in listing and "Loan officer" in listing and "Branch A" in listing


def test_a_weak_password_is_explained(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    form = new_user_form(csrf, world, "weakling", password="short")
    response = ui_client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert "A password has at least 10 characters" in response.text
    assert 'value="weakling"' in response.text
    assert ">weakling<" not in ui_client.get("/admin/users?q=weakling").text


def test_a_malformed_office_is_a_message_not_a_crash(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    response = ui_client.post(
        "/admin/users/new", data=new_user_form(csrf, world, "broken", office_id="abc")
    )
    assert response.status_code == 422
    assert "Choose an office." in response.text


def test_roles_and_scope_are_granted(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    user_id = world.user_ids["officer_b"]
    response = ui_client.post(
        f"/admin/users/{user_id}/roles",
        data={"csrf_token": csrf, "roles": ["loan_officer", "collector"], "scope": "office"},
    )
    assert response.status_code == 303
    page = ui_client.get(f"/admin/users/{user_id}").text
    assert "Roles and data scope saved." in page
    assert re.search(r'value="collector" checked', page)


def test_a_reset_password_works_for_the_next_sign_in(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    user_id = world.user_ids["collector"]
    response = ui_client.post(
        f"/admin/users/{user_id}/password", data={"csrf_token": csrf, "password": NEW_PASSWORD}
    )
    assert response.status_code == 303
    ui_client.cookies.clear()
    sign_in(ui_client, "collector", NEW_PASSWORD)


def test_the_roles_page_lists_permission_codes(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    page = ui_client.get("/admin/roles").text
    for code in ("auth.user.create", "makerchecker.approve", "loans.disburse", "audit.verify"):
        assert f">{code}</code>" in page
    assert "Loan officer" in page


def navigation_of(page: str) -> str:
    start = page.index('<nav class="sidenav"')
    return page[start : page.index("</nav>", start)]


def test_the_navigation_shows_only_what_the_role_may_use(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    admin_nav = navigation_of(ui_client.get("/").text)
    for href in (
        "/inbox",
        "/admin/users",
        "/admin/roles",
        "/admin/offices",
        "/admin/maker-checker",
    ):
        assert f'href="{href}"' in admin_nav
    ui_client.cookies.clear()
    sign_in(ui_client, "officer_a")
    officer_nav = navigation_of(ui_client.get("/").text)
    assert 'href="/admin/offices"' in officer_nav  # loan officers may view offices
    for href in ("/inbox", "/admin/users", "/admin/roles", "/admin/maker-checker"):
        assert f'href="{href}"' not in officer_nav


def test_a_page_beyond_ones_permissions_is_a_friendly_403(ui_client: TestClient) -> None:
    sign_in(ui_client, "officer_a")
    response = ui_client.get("/admin/users", headers=HTML)
    assert response.status_code == 403
    assert "You do not have permission to do this." in response.text
    assert '<nav class="sidenav"' in response.text  # still inside the layout


def test_an_unknown_user_and_an_unknown_page_are_friendly_404s(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    assert ui_client.get("/admin/users/999999", headers=HTML).status_code == 404
    response = ui_client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404
    assert "There is no page at this address." in response.text
    api = ui_client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")

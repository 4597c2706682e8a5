"""Signing in and out through the HTML pages."""

from __future__ import annotations

import httpx2 as httpx
from fastapi.testclient import TestClient

from tests.e2e.pages_support import PASSWORD, csrf_token_in, sign_in, ui_client

__all__ = ["ui_client"]


def post_login(
    client: TestClient, username: str, password: str, next_url: str = "/"
) -> httpx.Response:
    token = csrf_token_in(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_url},
    )


def test_a_page_without_a_session_sends_the_browser_to_sign_in(ui_client: TestClient) -> None:
    response = ui_client.get("/admin/users?q=ad")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fq%3Dad"


def test_an_htmx_request_without_a_session_redirects_the_whole_page(ui_client: TestClient) -> None:
    response = ui_client.get("/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_signing_in_sets_a_protected_session_cookie_and_goes_on(ui_client: TestClient) -> None:
    response = post_login(ui_client, "admin", PASSWORD, next_url="/admin/offices")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/offices"
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("ml_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    page = ui_client.get("/admin/offices")
    assert page.status_code == 200
    assert "Admin" in page.text  # the display name in the top bar


def test_a_wrong_password_is_refused_with_a_message(ui_client: TestClient) -> None:
    response = post_login(ui_client, "admin", "not-the-password-1")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert 'value="admin"' in response.text  # the username is kept in the form
    assert "ml_session" not in ui_client.cookies


def test_after_repeated_failures_the_account_is_locked(ui_client: TestClient) -> None:
    for _ in range(5):
        assert post_login(ui_client, "officer_a", "wrong-password-9").status_code == 401
    response = post_login(ui_client, "officer_a", PASSWORD)
    assert response.status_code == 429
    assert "this account is locked for" in response.text
    assert "ml_session" not in ui_client.cookies


def test_sign_in_without_the_login_form_token_is_refused(ui_client: TestClient) -> None:
    response = ui_client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "ml_session" not in ui_client.cookies


def test_next_never_leads_to_another_site(ui_client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        ui_client.cookies.clear()
        response = post_login(ui_client, "admin", PASSWORD, next_url=target)
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_the_sign_in_page_sends_a_signed_in_user_home(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    response = ui_client.get("/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_session(ui_client: TestClient) -> None:
    csrf = sign_in(ui_client, "admin")
    old_session = ui_client.cookies["ml_session"]
    response = ui_client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You have signed out." in ui_client.get("/login").text
    # The old cookie is worthless now, even if a copy of it survived.
    ui_client.cookies.set("ml_session", old_session)
    assert ui_client.get("/").status_code == 303

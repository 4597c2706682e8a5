"""One template, two renderings: the whole page for a browser, the targeted block for htmx."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.pages_support import sign_in, ui_client

__all__ = ["ui_client"]

HTMX = {"HX-Request": "true"}


def test_a_plain_request_gets_the_whole_page(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    page = ui_client.get("/admin/users").text
    assert page.startswith("<!doctype html>")
    assert '<nav class="sidenav"' in page
    assert 'id="user-rows"' in page


def test_htmx_targeting_the_content_gets_only_the_content_block(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    response = ui_client.get("/admin/users", headers={**HTMX, "HX-Target": "main#content"})
    assert response.status_code == 200
    fragment = response.text
    assert "<html" not in fragment
    assert "sidenav" not in fragment
    assert fragment.lstrip().startswith('<div class="page-header">')
    assert 'id="user-rows"' in fragment
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_htmx_targeting_a_block_gets_only_that_block(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    response = ui_client.get(
        "/admin/users?q=officer", headers={**HTMX, "HX-Target": "div#user-rows"}
    )
    fragment = response.text.strip()
    assert fragment.startswith('<div id="user-rows">')
    assert fragment.endswith("</div>")
    assert "page-header" not in fragment
    assert ">officer_a<" in fragment and ">officer_b<" in fragment
    assert ">admin<" not in fragment  # the search filtered the rows


def test_an_unknown_target_falls_back_to_the_content_block(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    fragment = ui_client.get("/admin/roles", headers={**HTMX, "HX-Target": "div#nowhere"}).text
    assert "<html" not in fragment
    assert '<div class="page-header">' in fragment


def test_htmx_asking_for_the_full_page_or_history_gets_it(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    asking_for_all = (
        {"HX-Request-Type": "full"},
        {"HX-Boosted": "true"},
        {"HX-History-Restore-Request": "true"},
    )
    for extra in asking_for_all:
        page = ui_client.get("/admin/users", headers={**HTMX, **extra}).text
        assert page.startswith("<!doctype html>"), extra


def test_a_search_without_match_says_so(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    fragment = ui_client.get(
        "/admin/users?q=nobody", headers={**HTMX, "HX-Target": "div#user-rows"}
    ).text
    assert "No user matches “nobody”." in fragment

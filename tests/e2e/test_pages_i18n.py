"""The UI speaks Simplified Chinese and English: from the browser's preference, or the switch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.pages_support import EN, ZH, sign_in, ui_client

__all__ = ["ui_client"]


def test_a_chinese_browser_gets_chinese(ui_client: TestClient) -> None:
    page = ui_client.get("/login", headers=ZH).text
    assert '<html lang="zh-CN">' in page
    assert "登录" in page and "Sign in" not in page


def test_an_english_browser_gets_english(ui_client: TestClient) -> None:
    page = ui_client.get("/login", headers=EN).text
    assert '<html lang="en">' in page
    assert "Sign in" in page and "登录" not in page


def test_quality_values_decide_between_the_two(ui_client: TestClient) -> None:
    page = ui_client.get("/login", headers={"Accept-Language": "en;q=0.4, zh-TW;q=0.8"}).text
    assert '<html lang="zh-CN">' in page


def test_an_unsupported_language_gets_the_default_chinese(ui_client: TestClient) -> None:
    page = ui_client.get("/login", headers={"Accept-Language": "fr-FR,de;q=0.8"}).text
    assert '<html lang="zh-CN">' in page


def test_the_switch_remembers_the_choice_over_the_browser(ui_client: TestClient) -> None:
    response = ui_client.get("/language/zh_CN?next=/login", headers=EN)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert ui_client.cookies["ml_lang"] == "zh_CN"
    assert "登录" in ui_client.get("/login", headers=EN).text
    ui_client.get("/language/en?next=/login")
    assert "Sign in" in ui_client.get("/login", headers=ZH).text


def test_the_switch_ignores_unknown_languages_and_foreign_targets(ui_client: TestClient) -> None:
    response = ui_client.get("/language/xx?next=https://evil.example/")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "ml_lang" not in ui_client.cookies


def test_signed_in_pages_and_messages_follow_the_language(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    ui_client.get("/language/zh_CN")
    page = ui_client.get("/admin/users").text
    assert "用户管理" in page and "系统管理" in page and "退出" in page
    assert "系统管理员" in ui_client.get("/").text  # the role's name, not its code
    ui_client.get("/language/en")
    page = ui_client.get("/admin/users").text
    assert "Users" in page and "Administration" in page and "Sign out" in page


def test_the_switcher_links_back_to_the_current_page(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    page = ui_client.get("/admin/roles").text
    assert 'href="/language/en?next=/admin/roles"' in page
    assert 'href="/language/zh_CN?next=/admin/roles"' in page

"""The web shell in a real browser: sign in, navigation, the language switch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from microlend.cli.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(password)
    page.locator("form button[type=submit]").click()


def test_sign_in_shows_the_workbench_with_the_admin_navigation(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    screenshot(page, "login-en")
    sign_in(page, "admin")
    expect(page.locator("h1")).to_have_text("Welcome, admin")
    nav = page.locator("nav.sidenav")
    for label in ("Home", "Checker inbox", "Users", "Roles", "Offices", "Maker-checker"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator(".topbar-context")).to_contain_text("示范小额贷款有限公司")
    screenshot(page, "home-en")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".notice-success")).to_have_text("You have signed out.")


def test_a_loan_officer_sees_no_administration(page: Page) -> None:
    sign_in(page, "officer")
    expect(page.locator("h1")).to_have_text("Welcome, 王信贷")
    nav = page.locator("nav.sidenav")
    expect(nav.get_by_role("link", name="Offices")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    expect(nav.get_by_role("link", name="Checker inbox")).to_have_count(0)


def test_a_wrong_password_is_explained(page: Page) -> None:
    sign_in(page, "admin", "wrong-password-1")
    expect(page.locator(".login-card .notice-error")).to_have_text("Wrong username or password.")
    expect(page.locator("#f-username")).to_have_value("admin")
    screenshot(page, "login-error-en")


def test_the_language_switches_between_chinese_and_english(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form button[type=submit]")).to_have_text("Sign in")
    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("form button[type=submit]")).to_have_text("登录")
    screenshot(page, "login-zh")
    sign_in(page, "admin")
    expect(page.locator("h1")).to_have_text("欢迎，admin")
    page.locator("nav.sidenav").get_by_role("link", name="用户管理").click()
    expect(page.locator("h1")).to_have_text("用户管理")
    screenshot(page, "users-zh")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator("h1")).to_have_text("Users")
    expect(page.locator("html")).to_have_attribute("lang", "en")

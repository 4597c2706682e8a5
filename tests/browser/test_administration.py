"""Administration in a real browser: an office and a user, and a command approved by a checker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def create_user(page: Page, username: str, display_name: str, role: str) -> None:
    page.goto("/admin/users/new")
    page.locator("#f-username").fill(username)
    page.locator("#f-display_name").fill(display_name)
    page.locator("#f-password").fill("Browser-pass-2025")
    page.locator("#f-office_id").select_option(label="　城东支行 (B01)")
    page.locator("#f-scope").select_option("office")
    page.get_by_label(role).check()
    page.get_by_role("button", name="Create user").click()


def test_create_an_office_and_a_user(page: Page) -> None:
    sign_in(page, "admin")
    page.locator("nav.sidenav").get_by_role("link", name="Offices").click()
    page.locator("#f-parent_id").select_option(label="　城东支行 (B01)")
    page.locator("#f-code").fill("B0102")
    page.locator("#f-name").fill("城东支行老街营业部")
    page.get_by_role("button", name="Create office").click()
    expect(page.locator(".notice-success")).to_have_text("Office 城东支行老街营业部 created.")
    branch = page.locator('li[data-office-code="B01"]')
    expect(branch.locator('li[data-office-code="B0102"]')).to_contain_text("城东支行老街营业部")
    screenshot(page, "offices-en")

    create_user(page, "browser_officer", "冯浏览", "Loan officer")
    expect(page.locator(".notice-success")).to_have_text("User browser_officer created.")
    expect(page.locator("h1")).to_contain_text("冯浏览")
    screenshot(page, "user-detail-en")

    # The live search (htmx) narrows the list without reloading the page.
    page.locator("nav.sidenav").get_by_role("link", name="Users").click()
    page.get_by_placeholder("Search by username or name").fill("browser")
    rows = page.locator("#user-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("browser_officer")
    expect(page).to_have_url(re.compile(r"/admin/users\?q=browser$"))  # pushed to the history


def test_a_pending_user_is_approved_by_another_administrator(page: Page) -> None:
    sign_in(page, "admin")
    page.goto("/admin/maker-checker")
    rule = page.locator('tr[data-command="auth.user.create"]')
    rule.get_by_role("button", name="Switch on").click()
    expect(page.locator(".notice-success")).to_contain_text("now needs a checker")
    try:
        create_user(page, "checked_officer", "卫复核", "Collector")
        expect(page.locator(".notice-info")).to_contain_text("Submitted for approval")

        page.goto("/inbox")
        item = page.locator("#inbox tbody tr", has_text="checked_officer")
        item.get_by_role("button", name="Approve").click()
        expect(page.locator("#inbox .notice-error")).to_contain_text(
            "You submitted this command yourself"
        )
        screenshot(page, "inbox-own-refused-en")
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, "admin2")
        page.locator("nav.sidenav").get_by_role("link", name="Checker inbox").click()
        item = page.locator("#inbox tbody tr", has_text="checked_officer").first
        expect(item).to_contain_text("admin")
        screenshot(page, "inbox-en")
        item.get_by_role("button", name="Approve").click()
        expect(page.locator("#inbox .notice-success")).to_contain_text("the command has run")
        decided = page.locator("#inbox tr[data-decided-id]", has_text="checked_officer")
        expect(decided).to_contain_text("Approved")
        screenshot(page, "inbox-approved-en")

        page.goto("/admin/users?q=checked_officer")
        expect(page.locator("#user-rows")).to_contain_text("卫复核")
    finally:
        page.goto("/admin/maker-checker")
        switch_off = page.locator('tr[data-command="auth.user.create"]').get_by_role(
            "button", name="Switch off"
        )
        if switch_off.count():
            switch_off.click()

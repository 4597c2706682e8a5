"""Customers in a real browser: an officer registers a person; a second officer registering the
same ID is blocked and told who holds the customer; after the first releases it, the second
claims it from the shared pool."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_administration import create_user
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# 32010219850612003 and its check digit 4 (GB 11643: weighted sum 117 ≡ 7 mod 11 -> "4")
PERSON_ID = "320102198506120034"


@pytest.fixture
def second_tab(browser: Browser, live_server: str) -> Iterator[Page]:
    """Another browser profile (its own cookies), for a second user at the same time."""
    context = browser.new_context(base_url=live_server, locale="en-US",
                                  viewport={"width": 1280, "height": 800})  # fmt: skip
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def register_person(page: Page) -> None:
    page.goto("/customers")
    page.get_by_role("link", name="New individual").click()
    page.locator("#f-id_number").fill(PERSON_ID)
    page.locator("#f-name").fill("钱浏览")
    page.locator("#f-phone").fill("13912340000")
    page.get_by_role("button", name="Register").click()


def test_register_collide_release_and_claim(page: Page, second_tab: Page) -> None:
    sign_in(page, "admin")
    create_user(page, "pool_officer", "陈公海", "Loan officer")  # in 城东支行 (B01)
    expect(page.locator(".notice-success")).to_have_text("User pool_officer created.")
    page.locator("form.logout button").click()

    sign_in(page, "officer")  # 王信贷
    register_person(page)
    expect(page.locator(".notice-success")).to_have_text("Customer 钱浏览 registered.")
    expect(page.locator("h1")).to_contain_text("钱浏览")
    customer_url = page.url

    sign_in(second_tab, "pool_officer", "Browser-pass-2025")
    register_person(second_tab)
    blocked = second_tab.locator(".notice-error")
    expect(blocked).to_contain_text("Already registered: held by 王信贷")
    screenshot(second_tab, "customer-collision-en")

    page.goto(customer_url)
    page.get_by_role("button", name="Release to the pool").click()
    expect(page.locator(".notice-success")).to_have_text("钱浏览 is back in the pool.")

    second_tab.goto("/customers/pool?view=shared")
    row = second_tab.locator("tr", has_text="钱浏览")
    row.get_by_role("button", name="Claim").click()
    expect(second_tab.locator(".notice-success")).to_have_text("You now hold 钱浏览.")
    expect(second_tab).to_have_url(re.compile(r"/customers/\d+$"))
    expect(second_tab.locator("#transfer")).to_be_visible()  # the holder may ask a transfer
    screenshot(second_tab, "customer-claimed-en")

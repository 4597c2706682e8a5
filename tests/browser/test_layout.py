"""Every page of the navigation, and the first record each lists, fits a 1280-pixel-wide window:
nothing sticks out to the right (a toolbar that does not wrap once pushed the loans page to
1,430 pixels, its download button out of its panel), in English and in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from microlend.cli.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH = 1280


def _too_wide(page: Page, path: str) -> str | None:
    """``path`` and how wide it is, if it is wider than the window or not served."""
    response = page.goto(path)
    assert response is not None
    wide = page.evaluate("document.documentElement.scrollWidth")
    if response.status >= 400 or wide > WIDTH:
        return f"{path}: HTTP {response.status}, {wide} px"
    return None


@pytest.mark.parametrize(
    ("username", "locale"), [("finance", "en-US"), ("finance", "zh-CN"), ("admin", "en-US")]
)
def test_no_page_is_wider_than_the_window(
    browser: Browser, live_server: str, username: str, locale: str
) -> None:
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": WIDTH, "height": 800}
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.locator("#f-username").fill(username)
        page.locator("#f-password").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        listed = page.eval_on_selector_all(
            "nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
        )
        paths = list(dict.fromkeys(listed))
        assert len(paths) >= 8
        problems = []
        for path in paths:
            problems.append(_too_wide(page, path))
            first = page.eval_on_selector_all(
                "table.data tbody a[href^='/']",
                "links => links.slice(0, 1).map(a => a.getAttribute('href'))",
            )
            problems.extend(_too_wide(page, record) for record in first)
        assert [problem for problem in problems if problem] == []
    finally:
        context.close()

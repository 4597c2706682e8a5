"""Every asset a page references is served by the app itself: no CDN, no external font."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from microlend.web.kit.templating import STATIC_DIR, TEMPLATE_DIR
from tests.e2e.pages_support import sign_in, ui_client

__all__ = ["ui_client"]

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


class AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.urls.append(str(values["href"]))
        if tag in ("script", "img") and values.get("src"):
            self.urls.append(str(values["src"]))


def assets_of(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.urls


def assert_served(client: TestClient, urls: list[str]) -> None:
    for url in urls:
        assert url.startswith("/static/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        local = STATIC_DIR / url.removeprefix("/static/").partition("?")[0]
        assert response.content == local.read_bytes(), url


def test_the_sign_in_page_assets_are_served(ui_client: TestClient) -> None:
    urls = assets_of(ui_client.get("/login").text)
    assert any(url.startswith("/static/css/microlend.css") for url in urls)
    assert any(url.startswith("/static/vendor/htmx/htmx.min.js") for url in urls)
    assert_served(ui_client, urls)


def test_the_layout_assets_are_served(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    urls = assets_of(ui_client.get("/").text)
    assert len(urls) >= 4  # icon, stylesheet, htmx, logo
    assert_served(ui_client, urls)


def test_asset_urls_change_when_the_asset_does(ui_client: TestClient) -> None:
    urls = assets_of(ui_client.get("/login").text)
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls


def test_no_template_or_stylesheet_reaches_outside() -> None:
    offenders = [
        str(path)
        for path in [*TEMPLATE_DIR.rglob("*.html"), *Path(STATIC_DIR, "css").rglob("*.css")]
        if EXTERNAL.search(path.read_text(encoding="utf-8"))
        or "@import" in path.read_text(encoding="utf-8")
        or "url(http" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_htmx_is_vendored_with_its_license() -> None:
    vendor = STATIC_DIR / "vendor" / "htmx"
    assert (vendor / "htmx.min.js").stat().st_size > 10_000
    assert "Zero-Clause BSD" in (vendor / "LICENSE").read_text(encoding="utf-8")

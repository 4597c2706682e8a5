"""The pages' Content-Security-Policy allows the app's own scripts and style sheets only
(``PAGE_SECURITY_HEADERS``): a browser drops an inline script, an event handler attribute or a
style attribute in silence, so no page template may carry one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from microlend.web.kit.templating import PAGE_SECURITY_HEADERS, TEMPLATE_DIR

POLICY = PAGE_SECURITY_HEADERS["Content-Security-Policy"]
TEMPLATES = sorted(TEMPLATE_DIR.rglob("*.html"))
REFUSED = {
    "a style attribute": re.compile(r"\sstyle\s*="),
    "a style element": re.compile(r"<style\b"),
    "an inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>"),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*="),
    "an htmx handler (evaluated script)": re.compile(r"\shx-on[:-]"),
    "a javascript: address": re.compile(r"javascript:", re.IGNORECASE),
}


def test_the_policy_allows_no_inline_script_or_style() -> None:
    assert "script-src 'self';" in POLICY and "style-src 'self';" in POLICY
    assert "unsafe-inline" not in POLICY


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 50 and TEMPLATE_DIR / "customers" / "related.html" in TEMPLATES


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATE_DIR))
)
def test_no_page_template_holds_what_the_policy_refuses(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found = [
        f"{what} on line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in REFUSED.items()
        for match in pattern.finditer(text)
    ]
    assert found == []

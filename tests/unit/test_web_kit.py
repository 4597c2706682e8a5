"""The web kit's pure parts: choosing a locale, flash notices, which block htmx gets."""

from __future__ import annotations

import pytest
from fastapi import Request

from microlend.web.kit import i18n
from microlend.web.kit.notices import Notice, decode_notices, encode_notices
from microlend.web.kit.templating import environment, fragment_block, is_fragment_request


@pytest.mark.parametrize(
    ("accept_language", "chosen", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh_CN"),
        ("en-US,en;q=0.9", None, "en"),
        ("en;q=0.5, zh-Hans;q=0.9", None, "zh_CN"),
        ("zh-TW", None, "zh_CN"),
        ("fr-FR, de;q=0.7", None, "zh_CN"),
        ("fr-FR, en;q=0.1", None, "en"),
        ("en;q=0, zh;q=0.2", None, "zh_CN"),
        ("*", None, "zh_CN"),
        ("en-GB;q=garbage, zh", None, "zh_CN"),
        ("", None, "zh_CN"),
        (None, None, "zh_CN"),
        ("zh-CN", "en", "en"),
        ("en", "klingon", "en"),
    ],
)
def test_negotiate_locale(accept_language: str | None, chosen: str | None, expected: str) -> None:
    assert i18n.negotiate_locale(accept_language, chosen) == expected


def test_bilingual_records_pick_the_request_language() -> None:
    assert i18n.bilingual("zh_CN", en="Approver", zh="审批人") == "审批人"
    assert i18n.bilingual("en", en="Approver", zh="审批人") == "Approver"
    assert i18n.bilingual("zh_CN", en="Approver", zh="") == "Approver"


def test_notices_survive_the_cookie_round_trip() -> None:
    notices = [Notice("success", "用户 newbie 已创建。"), Notice("error", 'a; b=c, "d"')]
    assert decode_notices(encode_notices(notices)) == notices


@pytest.mark.parametrize(
    "value", ["", "not base64!", "e30", "W1siaGFjayIsICJ4Il1d", "W1sic3VjY2VzcyIsIDFdXQ"]
)
def test_malformed_notice_cookies_show_nothing(value: str) -> None:
    # e30 = {}, W1siaGFjayIsICJ4Il1d = [["hack", "x"]], W1sic3VjY2VzcyIsIDFdXQ = [["success", 1]]
    assert decode_notices(value) == []


def request_with(headers: dict[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


def test_only_partial_htmx_requests_are_fragments() -> None:
    assert not is_fragment_request(request_with({}))
    assert is_fragment_request(request_with({"HX-Request": "true"}))
    assert not is_fragment_request(request_with({"HX-Request": "true", "HX-Boosted": "true"}))
    assert not is_fragment_request(request_with({"HX-Request": "true", "HX-Request-Type": "full"}))


def test_the_targeted_block_is_named_after_the_target_id() -> None:
    users = environment.get_template("auth/users.html")
    assert fragment_block(users, request_with({"HX-Target": "div#user-rows"})) == "user_rows"
    assert fragment_block(users, request_with({"HX-Target": "user-rows"})) == "user_rows"
    assert fragment_block(users, request_with({"HX-Target": "main#content"})) == "content"
    assert fragment_block(users, request_with({"HX-Target": "div#title"})) == "title"
    assert fragment_block(users, request_with({})) == "content"

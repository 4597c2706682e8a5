"""Flash notices: short messages shown once on the next page (after a redirect) or the same one."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Literal

from fastapi import Request

NOTICES_COOKIE = "ml_notice"
NoticeLevel = Literal["success", "info", "warning", "error"]
_LEVELS: tuple[str, ...] = ("success", "info", "warning", "error")


@dataclass(frozen=True, slots=True)
class Notice:
    level: NoticeLevel
    text: str


def encode_notices(notices: list[Notice]) -> str:
    payload = json.dumps([[n.level, n.text] for n in notices], ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")


def decode_notices(value: str) -> list[Notice]:
    """The notices in a cookie value; anything malformed is ignored rather than shown."""
    try:
        items = json.loads(base64.urlsafe_b64decode(value.encode("ascii")).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        return []
    if not isinstance(items, list):
        return []
    notices = []
    for item in items[:5]:
        if (
            isinstance(item, list)
            and len(item) == 2
            and item[0] in _LEVELS
            and isinstance(item[1], str)
        ):
            notices.append(Notice(item[0], item[1][:500]))
    return notices


def take_notices(request: Request) -> list[Notice]:
    """Notices carried over by a redirect (the response that shows them deletes the cookie)."""
    value = request.cookies.get(NOTICES_COOKIE)
    return decode_notices(value) if value else []

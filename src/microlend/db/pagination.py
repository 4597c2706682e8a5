"""Keyset (cursor) pagination over an integer id: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from microlend.kernel.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != "id":
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("not a cursor this API gave out", field="cursor") from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            "limit must be between 1 and %(max_limit)s",
            field="limit",
            params={"max_limit": MAX_LIMIT},
        )
    return limit


def paginate(
    stmt: Select[Any],
    id_column: Any,
    *,
    cursor: str | None,
    limit: int,
    newest_first: bool = False,
) -> Select[Any]:
    """``stmt`` ordered by id, after the cursor, fetching one extra row to know if more follow."""
    order = id_column.desc() if newest_first else id_column
    stmt = stmt.order_by(order).limit(check_limit(limit) + 1)
    if cursor:
        last = decode_cursor(cursor)
        stmt = stmt.where(id_column < last if newest_first else id_column > last)
    return stmt


def page_of(rows: Sequence[T], *, limit: int, id_of: Any) -> Page[T]:
    """The page for rows fetched by ``paginate`` (``id_of(row)`` gives a row's id)."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(id_of(items[-1])) if more else None)

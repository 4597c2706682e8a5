"""Cursor pagination at the API: the query parameters and the page envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from microlend.db.pagination import MAX_LIMIT, Page

T = TypeVar("T")
U = TypeVar("U")

CursorParam = Annotated[
    str | None, Query(description="Opaque cursor from the previous page's next_cursor.")
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def page_out(page: Page[U], convert: Callable[[U], T]) -> PageOut[T]:
    return PageOut[T](items=[convert(item) for item in page.items], next_cursor=page.next_cursor)

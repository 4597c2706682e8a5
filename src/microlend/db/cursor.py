"""The psycopg cursor of our PostgreSQL connections: it describes a kind of result once.

psycopg builds a new ``Column`` per result column each time ``cursor.description`` is read, and
SQLAlchemy reads it for every result: the loan lock alone returns some sixty columns. A column's
description is made of the result's name, type and type modifier of that column (its size
follows from the type), so the columns built for a result are kept under those and handed out
again for every result that has the same ones. (A column's display details come from psycopg's
type registry, which no connection of ours changes: every connection describes a type alike.)
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import Column

_Signature = tuple[str, tuple[tuple[bytes | None, int, int], ...]]
_DESCRIBED: dict[_Signature, tuple[Column, ...]] = {}
_DESCRIBED_MAX = 1024


class DescribedCursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> list[Column] | None:
        result = self.pgresult
        if result is None or not result.nfields:
            return super().description
        name, kind, modifier = result.fname, result.ftype, result.fmod
        signature = (
            self.connection.info.encoding,
            tuple((name(n), kind(n), modifier(n)) for n in range(result.nfields)),
        )
        known = _DESCRIBED.get(signature)
        if known is not None:
            return list(known)
        built = super().description
        if built is not None:
            if len(_DESCRIBED) >= _DESCRIBED_MAX:
                _DESCRIBED.clear()
            _DESCRIBED[signature] = tuple(built)
        return built

"""PostgreSQL cursors describe a kind of result once (db/cursor.py): every result still gets the
description psycopg itself gives it, whatever result came before."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

from microlend.db.cursor import DescribedCursor

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def _described(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        assert isinstance(cursor, DescribedCursor)
        return [tuple(column) for column in cursor.description or ()]
    finally:
        raw.close()


def _by_psycopg(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    raw = engine.raw_connection()
    try:
        connection = raw.dbapi_connection
        assert isinstance(connection, psycopg.Connection)
        cursor = psycopg.Cursor(connection)
        cursor.execute(sql)
        return [tuple(column) for column in cursor.description or ()]
    finally:
        raw.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 AS a, 'x'::varchar(5) AS b",
        "SELECT 1 AS a, 'x'::varchar(5) AS b",  # the same kind again: from what was kept
        "SELECT 'x'::text AS a, 'x'::varchar(5) AS b",  # another type under the same names
        "SELECT 1 AS a, 'x'::varchar(9) AS b",  # another type modifier
        "SELECT 1 AS c, 'x'::varchar(5) AS b",  # another name
        "SELECT 1 AS a WHERE false",
    ],
)
def test_a_result_is_described_as_psycopg_describes_it(engine: Engine, sql: str) -> None:
    assert _described(engine, sql) == _by_psycopg(engine, sql)


def test_a_statement_without_rows_has_no_description(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET LOCAL statement_timeout = 0")
        assert cursor.description is None
    finally:
        raw.close()

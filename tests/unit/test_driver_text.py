"""A staged write's statement is compiled for psycopg once per text (db/driver.py
``compiled_text``): its ``:name`` parameters in psycopg's ``%(name)s`` style."""

from __future__ import annotations

from microlend.db.driver import compiled_text


def test_the_same_text_is_compiled_once_with_its_parameters_in_psycopg_style() -> None:
    rows = "json_populate_recordset(NULL::t, CAST(:p0 AS json))"
    statement = f"INSERT INTO t (a) SELECT a FROM {rows} WHERE a::text <> '10:30'"
    compiled = compiled_text(statement)
    assert compiled == (
        "INSERT INTO t (a) SELECT a FROM json_populate_recordset(NULL::t, CAST(%(p0)s AS json))"
        " WHERE a::text <> '10:30'"
    )
    assert compiled_text("" + statement) is compiled
    assert compiled_text(statement.replace("p0", "p1")) != compiled

"""A staged write's statement is compiled for psycopg once per text (db/driver.py
``compiled_text``): its ``:name`` parameters in psycopg's ``%(name)s`` style."""

from __future__ import annotations

from microlend.db.driver import compiled_text, numbered


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


def test_a_text_is_numbered_for_the_server_each_name_once_and_percent_signs_undoubled() -> None:
    sql = "SELECT %(b)s, %(a)s, %(b)s, '100%%', '%%(a)s' WHERE x LIKE 'a%%'"
    text, names = numbered(sql)
    assert text == b"SELECT $1, $2, $1, '100%', '%(a)s' WHERE x LIKE 'a%'"
    assert names == ("b", "a")
    assert numbered(compiled_text("SELECT :p0, :p1")) == (b"SELECT $1, $2", ("p0", "p1"))

"""A statement staged with a check (``Writes.statement(..., check=...)``): its last part is the
combined write's main query, whose rows the checks of all its stagings are handed (each row
also sets the setting that holds back a commit sent with the statement); every other part, the
last one staged too, becomes a ``WITH`` query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table

from microlend.db.bulk import Step, _combined, _merged

META = MetaData()
EVENTS = Table("events", META, Column("id", Integer, primary_key=True), Column("note", String))
CHECKED = ("INSERT INTO t SELECT * FROM {rows} RETURNING id", "SELECT id FROM {0}")


def _check(_rows: list[Any]) -> None:
    return None


def test_the_checked_query_is_the_main_one() -> None:
    steps = [
        Step("sql", EVENTS, [{"id": 1}], sql=CHECKED, checks=(_check,)),
        Step("insert", EVENTS, [{"id": 2, "note": "b"}]),
    ]
    statement, params = _combined(steps)
    assert statement.startswith("WITH w0 AS (INSERT INTO t SELECT * FROM CAST(:p0 AS json)")
    assert "w2 AS (INSERT INTO events (id, note)" in statement
    assert statement.endswith(
        ") SELECT m.*, set_config('microlend.hold_commit', 'on', true) "
        "FROM (SELECT id FROM w0) AS m"
    )
    assert set(params) == {"p0", "p1"}


def test_without_a_check_the_last_part_is_the_main_query() -> None:
    steps = [
        Step("sql", EVENTS, [{"id": 1}], sql=CHECKED),
        Step("insert", EVENTS, [{"id": 2, "note": "b"}]),
    ]
    statement, _params = _combined(steps)
    assert "w1 AS (SELECT id FROM w0)" in statement
    assert statement.endswith(
        ") INSERT INTO events (id, note) SELECT id, note FROM "
        "json_populate_record(NULL::events, CAST(:p1 AS json)) AS r"
    )


def test_the_checks_of_the_stagings_of_one_statement_are_kept() -> None:
    def other(_rows: list[Any]) -> None:
        return None

    merged = _merged(
        [
            Step("sql", EVENTS, [{"id": 1}], sql=CHECKED, checks=(_check,)),
            Step("sql", EVENTS, [{"id": 2}], sql=CHECKED, checks=(other,)),
        ]
    )
    assert len(merged) == 1 and merged[0].checks == (_check, other)

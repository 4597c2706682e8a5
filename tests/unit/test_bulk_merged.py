"""The combined write on PostgreSQL: the inserts of one table and columns are gathered into one
step at the place of the first (in the order staged), and so are the rows of one statement;
updates, upserts and deletes stay as staged."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

from microlend.db.bulk import Step, _merged

META = MetaData()
EVENTS = Table("events", META, Column("id", Integer, primary_key=True), Column("note", String))
AUDIT = Table("audit", META, Column("id", Integer, primary_key=True), Column("note", String))


def _rows(step: Step) -> list[int]:
    return [row["id"] for row in step.rows]


def test_inserts_of_one_shape_are_gathered_in_the_order_staged() -> None:
    steps = [
        Step("insert", EVENTS, [{"id": 1, "note": "a"}]),
        Step("insert", AUDIT, [{"id": 10, "note": "a"}]),
        Step("insert", EVENTS, [{"id": 2, "note": "b"}, {"id": 3, "note": "c"}]),
        Step("update", EVENTS, [{"id": 1, "note": "z"}], ("id",)),
        Step("insert", AUDIT, [{"id": 11, "note": "b"}]),
        Step("insert", EVENTS, [{"id": 4}]),  # other columns: a step of its own
        Step("update", EVENTS, [{"id": 2, "note": "y"}], ("id",)),
    ]
    merged = _merged(steps)
    assert [(s.kind, s.table.name, _rows(s)) for s in merged] == [
        ("insert", "events", [1, 2, 3]),
        ("insert", "audit", [10, 11]),
        ("update", "events", [1]),
        ("insert", "events", [4]),
        ("update", "events", [2]),
    ]


def test_the_staged_steps_are_left_as_they_were() -> None:
    first = Step("insert", EVENTS, [{"id": 1, "note": "a"}])
    _merged([first, Step("insert", EVENTS, [{"id": 2, "note": "b"}])])
    assert _rows(first) == [1]


def test_the_rows_of_one_statement_are_gathered_into_one() -> None:
    link, other = ("SELECT {rows}",), ("SELECT 2, {rows}",)
    steps = [
        Step("sql", AUDIT, [{"id": 10}], sql=link),
        Step("insert", EVENTS, [{"id": 1, "note": "a"}]),
        Step("sql", AUDIT, [{"id": 11}], sql=other),
        Step("sql", AUDIT, [{"id": 12}], sql=link),
    ]
    merged = _merged(steps)
    assert [(s.kind, s.sql, _rows(s)) for s in merged] == [
        ("sql", link, [10, 12]),
        ("insert", (), [1]),
        ("sql", other, [11]),
    ]

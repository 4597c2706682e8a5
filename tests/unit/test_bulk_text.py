"""The combined write's statement is made a clause once per text (db/bulk.py ``_text``)."""

from __future__ import annotations

from microlend.db.bulk import _text


def test_the_same_text_gives_the_same_clause_with_its_parameters() -> None:
    rows = "json_populate_recordset(NULL::t, CAST(:p0 AS json))"
    statement = f"INSERT INTO t (a) SELECT a FROM {rows}"
    clause = _text(statement)
    assert _text("" + statement) is clause
    assert clause.text == statement
    assert set(clause._bindparams) == {"p0"}
    assert _text(statement.replace("p0", "p1")) is not clause

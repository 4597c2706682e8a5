"""A combined write of one row or a few reaches a table's rows through its key (db/bulk.py
``_rows_source``): PostgreSQL takes ``json_populate_recordset`` for 100 rows, and for that many
it read the whole of a table of 20,000 narrow rows into a hash to update one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, MetaData, Table, Text, text
from sqlalchemy.orm import Session

from microlend.db.bulk import Step, Writes, _combined, _merged
from microlend.db.engine import create_engine_for

pytestmark = pytest.mark.postgres
ROWS = 20_000
META = MetaData()
PROBE = Table(
    "bulk_plan_probe",
    META,
    Column("id", BigInteger, primary_key=True),
    Column("amount", BigInteger),
    Column("note", Text),
)


@pytest.fixture
def session(pg_server_url: str) -> Iterator[Session]:
    engine = create_engine_for(pg_server_url)
    with Session(engine) as session:
        session.execute(
            text(
                "CREATE TEMP TABLE bulk_plan_probe"
                " (id bigint PRIMARY KEY, amount bigint NOT NULL, note text)"
            )
        )
        session.execute(
            text(
                "INSERT INTO bulk_plan_probe SELECT n, n, 'row ' || n"
                f" FROM generate_series(1, {ROWS}) AS n"
            )
        )
        session.execute(text("ANALYZE bulk_plan_probe"))
        yield session
        session.rollback()
    engine.dispose()


def _scans(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(node type, relation) of every node of a plan reading a table."""
    found = [(plan["Node Type"], plan["Relation Name"])] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _plan_scans(session: Session, step: Step) -> list[tuple[str, str]]:
    statement, params = _combined(_merged([step]))
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {statement}"), params).scalar_one()
    return [scan for scan in _scans(plan[0]["Plan"]) if scan[1] == "bulk_plan_probe"]


@pytest.mark.parametrize("count", [1, 2, 10])
@pytest.mark.parametrize("kind", ["update", "delete"])
def test_one_row_or_a_few_are_found_by_key(session: Session, kind: str, count: int) -> None:
    rows: list[dict[str, Any]] = [{"id": 100 * n + 7, "amount": -n} for n in range(1, count + 1)]
    if kind == "delete":
        rows = [{"id": row["id"]} for row in rows]
    scans = _plan_scans(session, Step(kind, PROBE, rows, ("id",)))
    assert scans and all(node != "Seq Scan" for node, _ in scans), scans


@pytest.mark.parametrize("count", [1, 3, 11, 150])
def test_every_count_of_rows_is_written(session: Session, count: int) -> None:
    ids = [100 * n + 7 for n in range(1, count + 1)]
    writes = Writes()
    writes.update(PROBE, [{"id": i, "amount": -i} for i in ids])
    writes.insert(PROBE, [{"id": ROWS + i, "amount": i, "note": "new"} for i in ids])
    writes.upsert(PROBE, [{"id": i + 1, "amount": 0, "note": "upserted"} for i in ids], key=["id"])
    writes.delete(PROBE, [{"id": i + 2} for i in ids], key=["id"])
    writes.flush(session)

    def amounts(where: str) -> dict[int, tuple[int, str]]:
        found = session.execute(text(f"SELECT id, amount, note FROM bulk_plan_probe {where}"))
        return {row.id: (row.amount, row.note) for row in found}

    assert amounts("WHERE amount < 0") == {i: (-i, f"row {i}") for i in ids}
    assert amounts(f"WHERE id > {ROWS}") == {ROWS + i: (i, "new") for i in ids}
    assert amounts("WHERE note = 'upserted'") == {i + 1: (0, "upserted") for i in ids}
    assert (
        session.execute(
            text("SELECT count(*) FROM bulk_plan_probe WHERE id = ANY(:ids)"),
            {"ids": [i + 2 for i in ids]},
        ).scalar_one()
        == 0
    )
    assert session.execute(text("SELECT count(*) FROM bulk_plan_probe")).scalar_one() == ROWS

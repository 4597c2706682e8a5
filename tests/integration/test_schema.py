"""The schema the migrations build is the schema the models describe, on both databases."""

from __future__ import annotations

from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, MetaData, Table, insert, inspect, select

from microlend.db.base import DecimalText
from microlend.db.metadata import load_all_tables
from microlend.db.migrate import current_revision


def test_migrations_match_the_models(engine: Engine) -> None:
    metadata = load_all_tables()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert current_revision(engine) is not None
    assert {"users", "offices", "audit_log"} <= set(inspect(engine).get_table_names())


def test_the_comparison_notices_a_missing_column(engine: Engine) -> None:
    """The check above can fail: a model column the migrations lack is reported."""
    metadata = MetaData()
    for table in load_all_tables().tables.values():
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(Column("nickname", DecimalText()))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, metadata)
    assert any(diff[0] == "add_column" and diff[3].name == "nickname" for diff in differences)


def test_decimal_text_round_trips_exactly(engine: Engine) -> None:
    table = Table("decimal_probe", MetaData(), Column("value", DecimalText()))
    table.create(engine)
    values = [Decimal("0.1"), Decimal("12345678901234567890.123456789"), Decimal("-7.50")]
    with engine.begin() as connection:
        connection.execute(insert(table), [{"value": value} for value in values])
    with engine.connect() as connection:
        stored = connection.execute(select(table.c.value)).scalars().all()
    assert stored == values
    assert all(isinstance(value, Decimal) for value in stored)
    assert [str(value) for value in stored] == [str(value) for value in values]

"""INSERT ... ON CONFLICT, which SQLAlchemy builds per dialect (PostgreSQL's and SQLite's
``insert`` constructs both have ``on_conflict_do_nothing``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from microlend.db.uow import UnitOfWork


def dialect_insert(uow: UnitOfWork, table: Any) -> Any:
    """``INSERT INTO table`` in the unit of work's dialect, with ``on_conflict_do_nothing``."""
    make = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    return make(table)

"""Declarative base, naming convention and the column types every context shares.

- ``Id``: integer keys (BIGINT on PostgreSQL, INTEGER — the rowid alias — on SQLite).
- ``MoneyMinor``: money in integer minor units (fen/cents), BIGINT; the currency sits beside it.
- ``DecimalText``: a ``Decimal`` that round-trips exactly (NUMERIC on PostgreSQL, text on SQLite).
- ``UtcDateTime``: timezone-aware UTC timestamps on both databases; naive datetimes are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, MetaData, Numeric, String, Table
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IdType = BigInteger().with_variant(Integer(), "sqlite")


class DecimalText(TypeDecorator[Decimal]):
    """Exact decimals: NUMERIC on PostgreSQL, the decimal's own text on SQLite."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise TypeError(f"DecimalText takes a finite Decimal, not {value!r}")
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes: TIMESTAMPTZ on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(moment, datetime)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is a programming error (whose clock would it be?)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return moment.astimezone(UTC)


Id = Annotated[int, mapped_column(IdType)]
MoneyMinor = Annotated[int, mapped_column(BigInteger)]
CurrencyCode = Annotated[str, mapped_column(String(3))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), Decimal: DecimalText()}  # noqa: RUF012


def id_column(**options: Any) -> Any:
    """The primary key column of a table."""
    return mapped_column(IdType, primary_key=True, autoincrement=True, **options)


def table(model: Any) -> Table:
    """A mapped class's table, typed for Core statements."""
    found = model.__table__
    assert isinstance(found, Table)
    return found

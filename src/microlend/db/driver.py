"""Statements run on psycopg's own cursor, past SQLAlchemy's execution: the hot path's way.

SQLAlchemy's execution of a statement (its compiled cache, parameter processing, result
metadata, and for the ORM the loading of entities) took two fifths of a single repayment's
Python time (a sampling profile, psycopg's own work left out): more than its engine, ledger and
audit code together. The two statements of every loan command — the lock that reads the loan
(``loans.account.lock_loans``) and the one write of its staged rows (``bulk.Writes``) — run
here on PostgreSQL instead (a single repayment: 3.1 ms instead of 3.5): the text compiled once,
the driver's cursor, the rows converted by the columns' own types, and the loan read as a
persistent instance of its class (``persistent``), as the ORM would have loaded it. The
engine's statement events are fired as SQLAlchemy fires them, and the driver's errors are
raised as SQLAlchemy raises them (``IntegrityError`` and the rest), so listeners, retries and
callers see no difference. What was sent earlier on the connection (``db.sent``) arrives first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Select, inspect, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from microlend.db import sent

PSYCOPG = PGDialect_psycopg()  # type: ignore[no-untyped-call]
T = TypeVar("T")


def run(
    session: Session, statement: str, params: dict[str, Any], checks: tuple[sent.Check, ...]
) -> None:
    """Run ``statement`` (a text with ``:name`` parameters) on the session's connection and
    hand its checks the rows its main query returned."""
    sql = compiled_text(statement)
    with _executed(session, sql, statement, params, fetch=bool(checks)) as (found, _cursor):
        for check in checks:
            check(found)


@contextmanager
def _executed(
    session: Session, sql: str, shown: str, params: dict[str, Any], *, fetch: bool
) -> Iterator[tuple[list[Any], psycopg.Cursor[Any]]]:
    """Run ``sql`` (psycopg's style; ``shown`` to listeners and in errors) and fetch its rows,
    with the cursor open for what the caller reads of it. (Sending the ``BEGIN`` psycopg sends
    first in one round trip with the statement, in pipeline mode, was slower: 345-378 us against
    313-356 us for a one-row select and its commit on this machine.)"""
    connection = session.connection()
    with connection_of(connection).cursor() as cursor:
        announce(connection, cursor, shown, params)
        try:
            cursor.execute(sql, params)
            found = cursor.fetchall() if fetch else []
        except psycopg.Error as error:
            raise wrapped(shown, params, error) from None
        answered(connection, cursor, shown, params)
        yield found, cursor


@dataclass
class Prepared:
    """A select compiled once for psycopg: its text, its bound values and their conversions;
    the conversions of its result columns are learnt from its first result (a type's
    conversion may depend on the type the server answers with)."""

    statement: Select[Any]
    sql: str
    defaults: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    results: list[tuple[int, Callable[[Any], Any]]] | None = None

    @classmethod
    def of(cls, statement: Select[Any]) -> Prepared:
        # the values bound in the statement (a scope's offices) are rendered in its text; those
        # given at each run stand as None until then
        compiled = statement.compile(dialect=PSYCOPG)
        given = {name: None for name, bind in compiled.binds.items() if bind.required}
        expanded = compiled.construct_expanded_state(given)
        return cls(
            statement, expanded.statement, dict(expanded.parameters), dict(expanded.processors)
        )

    def converters(self, cursor: psycopg.Cursor[Any]) -> list[tuple[int, Any]]:
        """The result columns that need converting, by position, with their conversion (from
        the first result's description: reading it costs, as it builds its columns)."""
        if self.results is None:
            assert cursor.description is not None
            columns = self.statement.selected_columns
            processors = [
                column.type._cached_result_processor(PSYCOPG, described.type_code)
                for column, described in zip(columns, cursor.description, strict=True)
            ]
            self.results = [(n, p) for n, p in enumerate(processors) if p is not None]
        return self.results


def rows(session: Session, prepared: Prepared, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows ``prepared`` returns for ``params``, each value converted by its column's type."""
    values = {**prepared.defaults, **params}
    for name, process in prepared.binds.items():
        values[name] = process(values[name])
    with _executed(session, prepared.sql, prepared.sql, values, fetch=True) as (found, cursor):
        converters = prepared.converters(cursor)
    if not converters:
        return found
    converted = []
    for row in found:
        listed = list(row)
        for n, convert in converters:
            listed[n] = convert(listed[n])
        converted.append(tuple(listed))
    return converted


def persistent(session: Session, mapped: type[T], keys: Sequence[str], values: Sequence[Any]) -> T:
    """The instance of ``mapped`` (no relationships) with these column values, persistent in
    ``session`` as if the ORM had loaded it with ``populate_existing``: the session's own
    instance of that row, if it holds one, with its values replaced."""
    loaded = dict(zip(keys, values, strict=True))
    mapper = inspect(mapped)
    key = mapper.identity_key_from_primary_key([loaded[c.key] for c in mapper.primary_key])
    held = session.identity_map.get(key)
    if held is not None:
        for name, value in loaded.items():
            set_committed_value(held, name, value)
        return held  # type: ignore[no-any-return]
    instance = mapper.class_manager.new_instance()
    instance_state(instance).dict.update(loaded)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance  # type: ignore[no-any-return]


def connection_of(connection: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under ``connection``, once what was sent on it has arrived."""
    sent.waited(connection)
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def announce(
    connection: Connection, cursor: psycopg.Cursor[Any], statement: str, params: Any
) -> None:
    """Fire the engine's ``before_cursor_execute`` for a statement run on the driver's cursor."""
    connection.dispatch.before_cursor_execute(connection, cursor, statement, params, None, False)


def answered(
    connection: Connection, cursor: psycopg.Cursor[Any], statement: str, params: Any
) -> None:
    """Fire the engine's ``after_cursor_execute`` for a statement run on the driver's cursor."""
    connection.dispatch.after_cursor_execute(connection, cursor, statement, params, None, False)


def wrapped(statement: str, params: Any, error: psycopg.Error) -> Exception:
    """The driver's ``error`` as SQLAlchemy raises it (``IntegrityError`` and the rest)."""
    return DBAPIError.instance(statement, params, error, psycopg.Error, ismulti=False)


@lru_cache(maxsize=64)
def compiled_text(statement: str) -> str:
    """``statement`` in psycopg's own parameter style (``%(name)s``)."""
    return str(text(statement).compile(dialect=PSYCOPG))

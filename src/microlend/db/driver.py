"""Statements run on the driver's connection, past SQLAlchemy's execution: the hot path's way.

SQLAlchemy's execution of a statement (its compiled cache, parameter processing, result
metadata, and for the ORM the loading of entities) took two fifths of a single repayment's
Python time (a sampling profile, psycopg's own work left out): more than its engine, ledger and
audit code together. The two statements of every loan command — the lock that reads the loan
(``loans.account.lock_loans``) and the one write of its staged rows (``bulk.Writes``) — run
here on PostgreSQL instead: the text compiled once, the rows converted by the columns' own
types, and the loan read as a persistent instance of its class (``persistent``), as the ORM
would have loaded it. Each is sent as a statement prepared on the connection, through libpq's
pipeline mode, in one round trip with the ``BEGIN`` that opens the transaction (psycopg sends
that ``BEGIN`` in a round trip of its own, and its own pipeline mode costs more than the round
trip it saves): a single repayment took 3.5 ms on SQLAlchemy, 3.1 on psycopg's cursor, 2.9 so.
The engine's statement events are fired as SQLAlchemy fires them (without a cursor), and the
driver's errors are raised as SQLAlchemy raises them (``IntegrityError`` and the rest), so
listeners, retries and callers see no difference. What was sent earlier on the connection
(``db.sent``) arrives first.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from psycopg import generators
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import DiagnosticField, ExecStatus, TransactionStatus
from psycopg.pq.abc import PGresult
from sqlalchemy import Connection, Select, inspect, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from microlend.db import sent

PSYCOPG = PGDialect_psycopg()  # type: ignore[no-untyped-call]
T = TypeVar("T")
IDLE = TransactionStatus.IDLE
COMMAND_OK, FATAL_ERROR, PIPELINE_SYNC = (
    ExecStatus.COMMAND_OK,
    ExecStatus.FATAL_ERROR,
    ExecStatus.PIPELINE_SYNC,
)
_NAMES = itertools.count()
SQLSTATE = DiagnosticField.SQLSTATE
# a prepared statement the server no longer has, or whose tables changed the rows it returns
# ("cached plan must not change result type": a migration ran meanwhile)
_GONE = {b"26000", b"0A000"}
# a commit sent with a checked write waits behind a savepoint and the guard (migration 0026),
# which raises HELD when the write's checks have rows to act on; the client then goes back to
# the savepoint (the write stays) and turns the setting off
HELD = b"MLH01"
_GUARD = (b"SAVEPOINT microlend_commit", b"SELECT microlend_commit_guard()")
_HELD_BACK = (
    b"ROLLBACK TO SAVEPOINT microlend_commit",
    b"SELECT set_config('microlend.hold_commit', 'off', true)",
)


def run(
    session: Session,
    statement: str,
    params: dict[str, Any],
    checks: tuple[sent.Check, ...],
    *,
    commit: bool = False,
) -> bool:
    """Run ``statement`` (a text with ``:name`` parameters) on the session's connection and
    hand its checks the rows its main query returned. With ``commit`` the transaction's
    ``COMMIT`` goes in the same round trip, behind a savepoint and the guard of migration 0026
    when there are checks: rows returned (by the query of a check, ``bulk._HOLD``) hold it back,
    the transaction is rolled back to the savepoint and goes on. Whether it committed is
    returned."""
    sql = compiled_text(statement)
    ending = ((_GUARD if checks else ()) + (b"COMMIT",)) if commit else ()
    found, _result, held = _executed(
        session, sql, statement, params, fetch=bool(checks), then=ending
    )
    if held:
        raw = connection_of(session.connection())
        with raw.lock:
            for command in _HELD_BACK:
                raw.wait(raw._exec_command(command))
    for check in checks:
        check(found)
    return bool(ending) and not held


def _executed(
    session: Session,
    sql: str,
    shown: str,
    params: dict[str, Any],
    *,
    fetch: bool,
    then: tuple[bytes, ...] = (),
) -> tuple[list[tuple[Any, ...]], PGresult, bool]:
    """Run ``sql`` (psycopg's style; ``shown`` to listeners and in errors), and the commands
    ``then`` after it, and with ``fetch`` load its rows as psycopg's cursor would; its result is
    returned with them, and whether the guard held back what followed it."""
    connection = session.connection()
    raw = connection_of(connection)
    announce(connection, shown, params)
    try:
        result, loader, held = _exchange(raw, sql, params, then)
    except psycopg.Error as error:
        raise wrapped(shown, params, error) from None
    answered(connection, shown, params)
    if not fetch or not result.ntuples:
        return [], result, held
    loader.set_pgresult(result)
    return loader.load_rows(0, result.ntuples, tuple), result, held


def _exchange(
    raw: psycopg.Connection[Any], sql: str, params: dict[str, Any], then: tuple[bytes, ...] = ()
) -> tuple[PGresult, Any, bool]:
    """Run ``sql`` as a statement prepared on ``raw``, in one round trip with the ``BEGIN``
    that opens the transaction (if none is open), on its first run its preparation, and the
    commands ``then`` after it; the statement's result is returned, and whether the guard
    (``_GUARD``) refused, which skips what follows it."""
    text, names = numbered(sql)
    loader: Any = Transformer(raw)
    values = loader.dump_sequence([params[name] for name in names], [PyFormat.AUTO] * len(names))
    known = prepared_names(raw)
    key = (text, tuple(loader.types or ()))
    found = known.get(key)
    if found is not None:
        known.move_to_end(key)  # used last: psycopg evicts the least recently used first
    fresh = found is None
    name = f"microlend_{next(_NAMES)}".encode() if found is None else found
    pg = raw.pgconn
    with raw.lock:
        begin = pg.transaction_status == IDLE
        pg.enter_pipeline_mode()
        try:
            if begin:  # as psycopg opens it (isolation level, read only)
                pg.send_query_params(raw._get_tx_start_command(), None)
            if fresh:
                pg.send_prepare(name, text, param_types=loader.types)
            pg.send_query_prepared(name, values, param_formats=loader.formats)
            for command in then:
                pg.send_query_params(command, None)
            pg.pipeline_sync()
            results = _answers(raw)
            pg.exit_pipeline_mode()
        except BaseException:
            pg.finish()  # interrupted half way: the connection's state is unknown
            raise
    at = len(results) - 1 - len(then)  # the statement's result
    if fresh and results[at - 1].status == COMMAND_OK:
        known[key] = name  # prepared, whatever became of its run
    for result in results:
        if result.status == FATAL_ERROR:
            if result.error_field(SQLSTATE) == HELD:
                return results[at], loader, True
            if result.error_field(SQLSTATE) in _GONE:
                known.pop(key, None)  # the next run prepares it again
            raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    return results[at], loader, False


def prepared_names(
    raw: psycopg.Connection[Any],
) -> OrderedDict[tuple[bytes, tuple[int, ...]], bytes]:
    """The statements prepared on ``raw``, by text and parameter types: psycopg's own record,
    so that whatever makes psycopg drop its statements (it sends ``DEALLOCATE ALL`` after its
    own rollback, which ``rollback`` spares it, or once a statement dropped or altered
    something) drops these with them; its cursors run these, prepared, when they run the same
    text. Past ``raw.prepared_max`` statements psycopg deallocates the least recently used:
    the driver marks its own as used when it runs them, as psycopg marks its."""
    return raw._prepared._names


def rollback(raw: psycopg.Connection[Any]) -> None:
    """Roll back ``raw``'s transaction, keeping the statements prepared on the connection.

    After its own ``ROLLBACK`` psycopg drops every statement it knows of (``DEALLOCATE ALL``,
    these of the driver with them), in case the transaction had made and dropped something
    they name; so a command after a rolled-back one (a refusal, a maker-checker wait, a page
    that wrote nothing) prepared and planned its statements anew: a repayment right after a
    rolled-back unit of work took 5.7 ms instead of 2.9. A rollback does not undo prepared
    statements, and the application's transactions change no tables (migrations run apart).
    psycopg rolls back itself where its own state is involved (a pipeline, a two-phase or
    nested transaction); after this ``ROLLBACK`` its own call finds nothing left to do."""
    if raw._pipeline is None and raw._tpc is None and not raw._num_transactions:
        with raw.lock:
            if raw.pgconn.transaction_status != IDLE:
                raw.wait(raw._exec_command(b"ROLLBACK"))
    raw.rollback()


def _answers(raw: psycopg.Connection[Any]) -> list[PGresult]:
    """The results of what was sent in pipeline mode, up to its sync."""
    pg = raw.pgconn
    raw.wait(generators.send(pg))
    results: list[PGresult] = []
    while True:
        got = raw.wait(generators.fetch_many(pg))
        if got and got[-1].status == PIPELINE_SYNC:
            return results
        results.extend(got)


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

    def converters(self, result: PGresult) -> list[tuple[int, Any]]:
        """The result columns that need converting, by position, with their conversion (from
        the types of the first result's columns)."""
        if self.results is None:
            columns = self.statement.selected_columns
            processors = [
                column.type._cached_result_processor(PSYCOPG, result.ftype(n))
                for n, column in enumerate(columns)
            ]
            self.results = [(n, p) for n, p in enumerate(processors) if p is not None]
        return self.results


def rows(session: Session, prepared: Prepared, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows ``prepared`` returns for ``params``, each value converted by its column's type."""
    values = {**prepared.defaults, **params}
    for name, process in prepared.binds.items():
        values[name] = process(values[name])
    found, result, _held = _executed(session, prepared.sql, prepared.sql, values, fetch=True)
    converters = prepared.converters(result)
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


def announce(connection: Connection, statement: str, params: Any) -> None:
    """Fire the engine's ``before_cursor_execute`` for a statement run past SQLAlchemy (no
    cursor: it runs on the driver's connection itself)."""
    connection.dispatch.before_cursor_execute(connection, None, statement, params, None, False)


def answered(connection: Connection, statement: str, params: Any) -> None:
    """Fire the engine's ``after_cursor_execute`` for a statement run past SQLAlchemy."""
    connection.dispatch.after_cursor_execute(connection, None, statement, params, None, False)


def wrapped(statement: str, params: Any, error: psycopg.Error) -> Exception:
    """The driver's ``error`` as SQLAlchemy raises it (``IntegrityError`` and the rest)."""
    return DBAPIError.instance(statement, params, error, psycopg.Error, ismulti=False)


@lru_cache(maxsize=64)
def compiled_text(statement: str) -> str:
    """``statement`` in psycopg's own parameter style (``%(name)s``)."""
    return str(text(statement).compile(dialect=PSYCOPG))


_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")


@lru_cache(maxsize=64)
def numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """``sql`` (psycopg's style: ``%(name)s``, ``%%``) in the server's own (``$1``...), with
    the names of its parameters in their numbers' order."""
    names: list[str] = []

    def placed(found: re.Match[str]) -> str:
        name = found.group(1)
        if name is None:
            return "%"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PLACEHOLDER.sub(placed, sql).encode(), tuple(names)

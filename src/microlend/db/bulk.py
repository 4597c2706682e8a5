"""Rows written in one go: the set-based write path of the busiest commands.

A command stages its rows (``Writes.insert``, ``update``, ``upsert``, ``delete``: plain dicts
of column values, keyed by column name) and the unit of work writes them when the command ends
(``UnitOfWork.flush_staged``), or, for the first command of a transaction, with its commit
(``UnitOfWork.defer_staged``). On PostgreSQL everything staged is **one statement**: each step
is a data-modifying ``WITH`` query reading its rows from a JSON parameter
(``json_populate_recordset`` of the table's own row type), so a repayment's event, postings,
vouchers and lines, installments, loan row, engine state and audit record cost one round trip,
with the ``COMMIT``, and a batch of a thousand costs the same one. Elsewhere (SQLite,
in-process) each step is one ``executemany``.

The steps of one flush must not depend on each other's effects (PostgreSQL runs them on one
snapshot): they touch distinct rows, and ids a step needs are allocated beforehand
(``allocate_ids``). Foreign keys between the steps hold: PostgreSQL checks them at the end of
the statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    Table,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session, SessionTransaction

from microlend.db import driver, sent
from microlend.db.sent import Check, Sent

Row = dict[str, Any]
IDS_KEY = "db.bulk.allocated"
FEW_ROWS = 10
# set by a checked statement's main query for each row it returns: the guard that a commit sent
# with the statement waits behind refuses it (migration 0026, ``driver.run``)
_HOLD = "set_config('microlend.hold_commit', 'on', true)"


def table_of(mapped: Any) -> Table:
    """The ``Table`` of a mapped class."""
    table = mapped.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{mapped!r} is not mapped to a table")
    return table


@dataclass
class Step:
    kind: str  # insert | update | upsert | delete | sql
    table: Table
    rows: list[Row]
    key: tuple[str, ...] = ()
    sql: tuple[str, ...] = ()  # kind sql: the parts of the statement (see ``Writes.statement``)
    checks: tuple[Check, ...] = ()  # kind sql: handed the rows its last part returns


@dataclass
class Kept:
    """A row as it is to end up: ``row`` None is deleted; ``existed``: whether it is in the
    database before the flush (None: not known, so it is upserted)."""

    table: Table
    key: tuple[str, ...]
    values: tuple[Any, ...]  # of the key
    existed: bool | None
    row: Row | None

    def step(self) -> tuple[str, Row] | None:
        if self.row is None:
            if self.existed is False:
                return None  # made and removed before the flush: nothing to write
            return "delete", dict(zip(self.key, self.values, strict=True))
        if self.existed is None:
            return "upsert", self.row
        return ("update" if self.existed else "insert"), self.row


@dataclass
class Writes:
    """Staged rows, written in order by ``flush`` (one statement on PostgreSQL): first the
    ``steps`` in the order staged, then the rows ``kept`` as they are to end up (a loan
    refreshed twice in a batch is written once)."""

    steps: list[Step] = field(default_factory=list)
    kept: dict[tuple[str, tuple[Any, ...]], Kept] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.steps or self.kept)

    def discard(self) -> None:
        self.steps, self.kept = [], {}

    def keep(
        self, table: Table, row: Row, *, key: Sequence[str] = ("id",), existed: bool | None = True
    ) -> None:
        """``row`` as it is to end up, merged over what was kept for the same key (later
        columns win). ``existed``: is the row in the database before the flush (None: not
        known, upsert it)? The first call for a key says."""
        keys = tuple(key)
        values = tuple(row[k] for k in keys)
        found = self.kept.get((table.name, values))
        if found is None:
            self.kept[(table.name, values)] = Kept(table, keys, values, existed, dict(row))
        else:
            found.row = {**(found.row or {}), **row}

    def drop(
        self, table: Table, row: Row, *, key: Sequence[str] = ("id",), existed: bool | None = True
    ) -> None:
        """Delete the row of ``row``'s ``key`` (unless it was made since the last flush)."""
        keys = tuple(key)
        values = tuple(row[k] for k in keys)
        found = self.kept.get((table.name, values))
        if found is None:
            self.kept[(table.name, values)] = Kept(table, keys, values, existed, None)
        else:
            found.row = None

    def take(self, other: Writes) -> None:
        """Stage what ``other`` staged, after what is staged here (``other`` is left empty)."""
        self.steps += other.steps
        for entry in other.kept.values():
            if entry.row is None:
                self.drop(
                    entry.table,
                    dict(zip(entry.key, entry.values, strict=True)),
                    key=entry.key,
                    existed=entry.existed,
                )
            else:
                self.keep(entry.table, entry.row, key=entry.key, existed=entry.existed)
        other.discard()

    def insert(self, table: Table, rows: Iterable[Row]) -> None:
        self._add("insert", table, rows, ())

    def update(self, table: Table, rows: Iterable[Row], *, key: Sequence[str] = ("id",)) -> None:
        """Each row sets its other columns where its ``key`` columns match."""
        self._add("update", table, rows, tuple(key))

    def upsert(self, table: Table, rows: Iterable[Row], *, key: Sequence[str]) -> None:
        """Insert, or update the row with the same ``key`` (a unique constraint)."""
        self._add("upsert", table, rows, tuple(key))

    def delete(self, table: Table, rows: Iterable[Row], *, key: Sequence[str]) -> None:
        """Delete the rows matching each row's ``key`` columns."""
        self._add("delete", table, rows, tuple(key))

    def statement(
        self, table: Table, rows: Iterable[Row], sql: tuple[str, ...], *, check: Check | None = None
    ) -> None:
        """Rows that ``sql`` writes, on PostgreSQL only: its parts join the flush's statement in
        order (in each, ``{rows}`` is the rows' JSON array, ``{0}``, ``{1}``... name the parts
        before it). The rows staged for one ``sql`` before a flush are written by one of it
        (``_merged``). With ``check``, the last part is a query, the statement's main one (at
        most one such ``sql`` per flush): ``check`` is handed its rows once the statement ran.
        What that query reads runs first; the parts nothing reads run after it. The query
        returns rows only when the check has to act on them: a row holds back a ``COMMIT`` sent
        with the statement (``flush(commit=True)``; ``_HOLD``)."""
        checks = (check,) if check is not None else ()
        self.steps.append(Step("sql", table, list(rows), sql=sql, checks=checks))

    def _add(self, kind: str, table: Table, rows: Iterable[Row], key: tuple[str, ...]) -> None:
        listed = list(rows)
        if not listed:
            return
        columns = listed[0].keys()
        for row in listed:  # one statement per step: every row names the same columns
            if row.keys() != columns:
                raise ValueError(f"rows for {table.name} name different columns")
        last = self.steps[-1] if self.steps else None
        same = last is not None and (last.kind, last.table, last.key) == (kind, table, key)
        if last is not None and same and last.rows[0].keys() == columns:
            last.rows.extend(listed)
            return
        self.steps.append(Step(kind, table, listed, key))

    def flush(self, session: Session, *, commit: bool = False) -> bool:
        """Write everything staged (in the session's transaction) and forget it. With
        ``commit``, on PostgreSQL, the transaction's ``COMMIT`` goes with the statement
        (``driver.run``); whether it committed is returned (not when a check's query returned
        rows: the checks then ran on them in the transaction, still open)."""
        found = self._statement(session)
        return found is not None and driver.run(session, *found, commit=commit)

    def send(self, session: Session) -> Sent | None:
        """``flush``, but on PostgreSQL the statement is only sent: the server writes while the
        caller goes on (``db.sent``; its checks run when it is settled)."""
        found = self._statement(session)
        return sent.send(session, *found) if found is not None else None

    def _statement(self, session: Session) -> tuple[str, dict[str, str], tuple[Check, ...]] | None:
        """Everything staged, forgotten here: on PostgreSQL as the one statement that writes it
        (with its parameters and checks), for the caller to run; elsewhere written now (None,
        as when nothing was staged)."""
        steps, kept, self.steps, self.kept = self.steps, self.kept, [], {}
        by_shape: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], Step] = {}
        for entry in kept.values():
            made = entry.step()
            if made is None:
                continue
            kind, row = made
            shape = (kind, entry.table.name, entry.key, tuple(row))
            if shape in by_shape:
                by_shape[shape].rows.append(row)
            else:
                by_shape[shape] = Step(kind, entry.table, [row], entry.key)
        steps += by_shape.values()
        if not steps:
            return None
        if session.get_bind().dialect.name == "postgresql":
            merged = _merged(steps)
            statement, params = _combined(merged)
            return statement, params, tuple(_unheld(c) for step in merged for c in step.checks)
        for step in steps:
            _run_one(session, step)
        return None


def _merged(steps: list[Step]) -> list[Step]:
    """The inserts of one shape (table and columns), and the rows of one ``sql``, gathered into
    one step, in the order they were staged, at the place of the first: a batch that stages each
    line's event, audit record, voucher and lines in turn writes four inserts, not four per line
    (and its audit records are linked by one statement, as they must be: each would lock and
    read the same head). Only for the one statement on PostgreSQL, where the order of the steps
    does not matter (one snapshot, the foreign keys checked when it ends); updates, upserts and
    deletes stay as staged."""
    merged: list[Step] = []
    gathered: dict[tuple[Any, ...], Step] = {}
    for step in steps:
        if step.kind == "insert":
            shape: tuple[Any, ...] = ("insert", step.table.name, tuple(step.rows[0]))
        elif step.kind == "sql":
            shape = ("sql", *step.sql)
        else:
            merged.append(step)
            continue
        found = gathered.get(shape)
        if found is None:
            found = gathered[shape] = replace(step, rows=list(step.rows))
            merged.append(found)
        else:
            found.rows.extend(step.rows)
            found.checks += step.checks
    return merged


def _unheld(check: Check) -> Check:
    """``check`` handed the rows of its query without the column ``_HOLD`` added."""
    return lambda rows: check([row[:-1] for row in rows])


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


def _sql(step: Step, param: str) -> str:
    count = _count_class(len(step.rows))
    return _step_sql(step.kind, step.table.name, tuple(step.rows[0]), step.key, param, count)


def _count_class(count: int) -> int:
    """How many rows the planner is told a step has: 1, at most 10, or many (0)."""
    return 1 if count == 1 else 10 if count <= FEW_ROWS else 0


def _rows_source(table: str, param: str, count: int) -> str:
    """The rows of a step as a relation whose size the planner can estimate. PostgreSQL takes
    any ``json_populate_recordset`` for 100 rows, and joins 100 rows to a table of some
    hundreds to some thousands of rows (more when they are narrow) by reading the whole table
    into a hash: updating one row of 5,000 rows of 400 bytes took 1.35 ms instead of 0.03.
    One row is one record (``json_populate_record``: 1 row, and cheaper to run); a few are
    capped by a ``LIMIT`` the planner believes; many stay as they are."""
    if count == 1:
        return f"json_populate_record(NULL::{table}, CAST(:{param} AS json))"
    rows = f"json_populate_recordset(NULL::{table}, CAST(:{param} AS json))"
    return f"(SELECT * FROM {rows} LIMIT {count})" if count else rows


@lru_cache(maxsize=1024)
def _step_sql(
    kind: str, table: str, columns: tuple[str, ...], key: tuple[str, ...], param: str, count: int
) -> str:
    """The statement of a step of ``kind`` on ``table`` whose rows name ``columns`` (made once
    per shape: the same commands stage the same shapes), for ``count`` rows
    (``_count_class``)."""
    names = ", ".join(columns)
    rows = _rows_source(table, param, count)
    if kind == "insert":
        return f"INSERT INTO {table} ({names}) SELECT {names} FROM {rows} AS r"
    matched = " AND ".join(f"t.{k} = r.{k}" for k in key)
    if kind == "delete":
        return f"DELETE FROM {table} AS t USING {rows} AS r WHERE {matched}"
    others = [c for c in columns if c not in key]
    if kind == "update":
        sets = ", ".join(f"{c} = r.{c}" for c in others)
        return f"UPDATE {table} AS t SET {sets} FROM {rows} AS r WHERE {matched}"
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
    conflict = ", ".join(key)
    return (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {rows} AS r "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )


def _json(document: Any) -> str:
    """A step's parameter as JSON text (orjson: dates and times in ISO 8601 as ``isoformat``
    writes them, text as UTF-8; a tenth of the time of the standard library's encoder, which
    took a tenth of a bank file's import)."""
    return orjson.dumps(document, default=_plain, option=orjson.OPT_NON_STR_KEYS).decode()


def _combined(steps: list[Step]) -> tuple[str, dict[str, str]]:
    params = {f"p{n}": _json(_document(step)) for n, step in enumerate(steps)}
    parts: list[str] = []
    main = -1  # the main query: the last part, or the query of the ``sql`` with a check
    for n, step in enumerate(steps):
        if step.kind != "sql":
            parts.append(_sql(step, f"p{n}"))
            continue
        names = [f"w{len(parts) + k}" for k in range(len(step.sql))]
        parts += [part.format(*names, rows=f"CAST(:p{n} AS json)") for part in step.sql]
        if step.checks:
            main = len(parts) - 1
    main %= len(parts)
    if any(step.checks for step in steps):  # its rows hold a commit sent with it back
        parts[main] = f"SELECT m.*, {_HOLD} FROM ({parts[main]}) AS m"
    if len(parts) == 1:
        return parts[0], params
    ctes = ", ".join(f"w{n} AS ({part})" for n, part in enumerate(parts) if n != main)
    return f"WITH {ctes} {parts[main]}", params


def _document(step: Step) -> Any:
    """What a step's parameter holds: its one row as an object (``_rows_source``), or the
    array of its rows."""
    if step.kind != "sql" and len(step.rows) == 1:
        return step.rows[0]
    return step.rows


def _run_one(session: Session, step: Step) -> None:
    table, rows = step.table, step.rows
    if step.kind == "sql":
        raise TypeError(f"the statement writing {table.name} is for PostgreSQL only")
    if step.kind == "insert":
        session.execute(insert(table), rows)
        return
    renamed = [{f"k_{k}" if k in step.key else k: v for k, v in row.items()} for row in rows]
    matched = [table.c[k] == bindparam(f"k_{k}") for k in step.key]
    if step.kind == "delete":
        session.execute(delete(table).where(*matched), renamed)
        return
    others = [c for c in rows[0] if c not in step.key]
    if step.kind == "update":
        values: Mapping[str, Any] = {c: bindparam(c) for c in others}
        session.execute(update(table).where(*matched).values(values), renamed)
        return
    stmt = sqlite.insert(table)
    upsert = stmt.on_conflict_do_update(
        index_elements=list(step.key), set_={c: stmt.excluded[c] for c in others}
    )
    session.execute(upsert, rows)


def next_id(table: str) -> Any:
    """PostgreSQL's next value of ``table``'s id sequence, the sequence looked up once per
    statement (a subquery), not once per row: ``pg_get_serial_sequence`` scans the catalog's
    dependencies (~6 us a call)."""
    sequence = select(cast(func.pg_get_serial_sequence(table, "id"), REGCLASS))
    return func.nextval(sequence.scalar_subquery())


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new primary keys of ``table`` for rows staged to be written later: from the
    table's sequence on PostgreSQL; on SQLite (one writer at a time: ``BEGIN IMMEDIATE``) past
    both the largest id written and the ones handed out in this transaction."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            select(next_id(table.name)).select_from(func.generate_series(1, count))
        ).scalars()
        return [int(value) for value in found]
    handed: dict[str, int] = session.info.setdefault(IDS_KEY, {})
    largest = session.execute(select(func.max(table.c.id))).scalar() or 0
    start = max(int(largest), handed.get(table.name, 0)) + 1
    handed[table.name] = start + count - 1
    return list(range(start, start + count))


@event.listens_for(Session, "after_transaction_end")
def _forget_ids(session: Session, transaction: SessionTransaction) -> None:
    """Ids handed out live for the transaction (a rollback may leave them unused: a gap)."""
    if transaction.parent is None:
        session.info.pop(IDS_KEY, None)

"""A write sent without waiting for it: the server runs it while the command goes on.

``UnitOfWork.send_staged`` hands the staged rows' one statement (``db.bulk``) to PostgreSQL in
psycopg's pipeline mode and returns at once: a bank file's import sends the rows of the lines it
has applied and applies the next lines while the server writes them (the server and the client
each work on a core of their own). It stays one transaction on one connection, and nothing else
goes to the server before the sent statement has finished: the connection's next statement,
``COMMIT`` or ``ROLLBACK`` first waits for it (``install``: engine events), so a command that
reads while a write is on its way reads what it wrote. The checks of its steps (see
``bulk.Writes.statement``) run when the unit of work next flushes, sends or commits. A sent
statement that failed raises where it is waited for, as SQLAlchemy would have raised it
(``IntegrityError`` and the rest), and again if waited for twice; a rollback waits without
raising. A sent part holds the locks its statement takes (a ledger period's row, when it numbers
vouchers) to the commit: a command sending parts holds them from its first part (the bank-file
import keeps its audit records for its last part, so that the audit chain's head, which every
command locks, is held no longer than before).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from microlend.db import driver

SENT = "microlend_sent"  # the connection's statement on its way (``Connection.info``)
Check = Callable[[list[Any]], None]  # handed the rows a statement's main query returned


@dataclass
class Sent:
    """A statement on its way, and once waited for, what it returned."""

    statement: str
    params: dict[str, Any]
    checks: tuple[Check, ...]
    pipeline: AbstractContextManager[Any]  # the connection's pipeline mode, entered
    cursor: psycopg.Cursor[Any]
    arrived: bool = False
    rows: list[Any] = field(default_factory=list)
    error: BaseException | None = None

    def wait(self) -> None:
        """Wait for the statement to finish; raise its error, if it failed."""
        if not self.arrived:
            self.arrived = True
            try:
                self.pipeline.__exit__(None, None, None)
                if self.checks:
                    self.rows = list(self.cursor.fetchall())
            except psycopg.Error as error:
                self.error = driver.wrapped(self.statement, self.params, error)
        if self.error is not None:
            raise self.error

    def settle(self) -> None:
        """Wait for the statement, then hand its checks what it returned."""
        self.wait()
        for check in self.checks:
            check(self.rows)


def send(
    session: Session, statement: str, params: dict[str, Any], checks: tuple[Check, ...]
) -> Sent:
    """Send ``statement`` (``:name`` parameters) on the session's connection without waiting
    (the engine's ``before_cursor_execute`` fires as it is sent)."""
    connection = session.connection()
    raw = driver.connection_of(connection)
    sql = driver.compiled_text(statement)
    pipeline = raw.pipeline()
    pipeline.__enter__()
    cursor = raw.cursor()
    driver.announce(connection, statement, params)
    try:
        cursor.execute(sql, params)
    except BaseException:
        pipeline.__exit__(None, None, None)
        raise
    sent = Sent(statement, params, checks, pipeline, cursor)
    connection.info[SENT] = sent
    return sent


def waited(connection: Connection) -> None:
    """Wait for the statement on its way on ``connection``, if there is one."""
    _wait_for(connection.info, quietly=False)


def _wait_for(info: dict[Any, Any], *, quietly: bool) -> None:
    """Wait for the statement on its way (``info[SENT]``), if any; ``quietly`` (before a
    rollback, or a connection back in the pool: what it did is undone whatever became of it)
    without raising."""
    sent: Sent | None = info.pop(SENT, None)
    if sent is not None:
        try:
            sent.wait()
        except DBAPIError:
            if not quietly:
                raise


def install(engine: Engine) -> None:
    """Make every statement, commit and rollback on ``engine``'s connections wait for a
    statement sent on them first."""
    event.listen(engine, "before_cursor_execute", lambda connection, *_: waited(connection))
    event.listen(engine, "commit", waited)
    event.listen(engine, "rollback", lambda connection: _wait_for(connection.info, quietly=True))
    event.listen(engine, "checkin", lambda _dbapi, record: _wait_for(record.info, quietly=True))

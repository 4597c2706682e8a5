"""Rows a command left to be written with the commit (``UnitOfWork.defer_staged``).

A command that is the first of its transaction ends with its rows still staged, so that
``UnitOfWork.commit`` writes them with the ``COMMIT`` in one round trip. Until then the
connection holds what writes them: whatever runs on it first — a statement (which must read
what the command wrote), or a commit of the session used directly — writes them, a rollback
drops them (``install``: engine and session events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

DEFERRED = "microlend_deferred"  # (write, drop) of the rows left on the connection


def hold(
    session: Session, connection: Connection, write: Callable[[], None], drop: Callable[[], None]
) -> None:
    connection.info[DEFERRED] = session.info[DEFERRED] = (write, drop)


def release(session: Session, connection: Connection) -> None:
    connection.info.pop(DEFERRED, None)
    session.info.pop(DEFERRED, None)


def _run(info: dict[Any, Any], *, write: bool) -> None:
    """Write or drop the rows held in ``info`` (once: they are no longer held after)."""
    held = info.pop(DEFERRED, None)
    if held is not None:
        write_rows, drop_rows = held
        (write_rows if write else drop_rows)()


def _written(connection: Connection, *_: Any) -> None:
    _run(connection.info, write=True)


def _written_before_commit(session: Session) -> None:
    _run(session.info, write=True)


def _dropped(connection: Connection) -> None:
    _run(connection.info, write=False)


def install(engine: Engine) -> None:
    """Make every statement on ``engine``'s connections, and every session's commit, write the
    rows left on it first, and a rollback drop them."""
    event.listen(engine, "before_cursor_execute", _written)
    event.listen(engine, "rollback", _dropped)
    if not event.contains(Session, "before_commit", _written_before_commit):
        event.listen(Session, "before_commit", _written_before_commit)

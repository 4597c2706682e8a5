"""Connections for close of business on a SQLite file: one kept open, not one per unit of work.

The house engine (``db.engine.create_engine_for``) opens a SQLite connection for every unit of
work (``NullPool``), which suits the web app. Close of business runs dozens of units of work a
day (claims, steps, bookkeeping) and its workers poll: opening a connection reads the schema
(~200 tables and indexes) and closing the last one checkpoints the write-ahead log, a few
milliseconds each time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from microlend.db.engine import create_engine_for
from microlend.db.uow import SessionFactory


@contextmanager
def pooled(session_factory: SessionFactory) -> Iterator[SessionFactory]:
    """On a SQLite file, a session factory whose engine hands one connection from unit of work
    to unit of work for as long as the ``with`` lasts (a close-of-business call, a worker's
    life). The engine is kept for the next time with its connection open, the statements
    SQLite prepared on it and SQLAlchemy's compiled ones (the demo and the tests make a call a
    day: a fresh connection read the schema again and prepared every statement anew, some of
    them a couple of milliseconds each), and the log is checkpointed at the end of each call,
    as closing the connection did. Elsewhere (PostgreSQL, an in-memory database, an engine with
    a pool already): as given."""
    bind = session_factory.kw.get("bind")
    if not (
        isinstance(bind, Engine)
        and bind.dialect.name == "sqlite"
        and bind.url.database not in (None, "", ":memory:")
        and isinstance(bind.pool, NullPool)
    ):
        yield session_factory
        return
    engine = pooled_engine(bind.url.render_as_string(hide_password=False))
    try:
        yield sessionmaker(class_=session_factory.class_, **{**session_factory.kw, "bind": engine})
    finally:
        checkpoint(engine)


def checkpoint(engine: Engine) -> None:
    """Copy the write-ahead log's committed pages into the database file, as closing the last
    connection would, without waiting for readers (``PASSIVE``): the connection stays open."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
    finally:
        raw.close()


_POOLED: dict[str, Engine] = {}
POOLED_KEPT = 4
# the statements SQLite keeps prepared on the connection (the driver's default is 128; a night
# runs about a hundred kinds, some of which take milliseconds to prepare)
CACHED_STATEMENTS = 512


def pooled_engine(url: str) -> Engine:
    """The kept engine for ``url`` (a pool of one; more connections only while one is in use)."""
    engine = _POOLED.pop(url, None) or create_engine_for(
        url,
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=-1,
        connect_args={"cached_statements": CACHED_STATEMENTS},
    )
    _POOLED[url] = engine  # the most recently used last
    while len(_POOLED) > POOLED_KEPT:
        _POOLED.pop(next(iter(_POOLED))).dispose()
    return engine

"""Engines for the two supported databases.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout; pysqlite's
own transaction handling is switched off so that we emit ``BEGIN IMMEDIATE`` ourselves: a unit of
work takes the write lock when it starts, instead of failing half-way with "database is locked".
A read-only unit of work (execution option ``microlend_read_only``) starts with a plain ``BEGIN``.
PostgreSQL goes through psycopg 3 (its cursors describe a kind of result once: ``db.cursor``); a
pooled connection is pinged at checkout only after it sat idle (``IDLE_PING_SECONDS``), not on
every checkout, and rolled back keeping the statements prepared on it (``driver.rollback``).
"""

from __future__ import annotations

import os
import time
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool

from microlend.db import deferred, driver, sent
from microlend.db.cursor import DescribedCursor

DEFAULT_DATABASE_URL = "sqlite:///./microlend.db"
READ_ONLY = "microlend_read_only"
SQLITE_BUSY_TIMEOUT_MS = 15_000
IDLE_PING_SECONDS = 10.0  # a pooled PostgreSQL connection idle longer is pinged at checkout
_IDLE_SINCE = "microlend_idle_since"


def database_url() -> str:
    """The configured database: ``MICROLEND_DATABASE_URL`` or ``./microlend.db``."""
    return os.environ.get("MICROLEND_DATABASE_URL") or DEFAULT_DATABASE_URL


def normalize_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return make_url(url).get_backend_name() == "sqlite"


def create_engine_for(url: str, **options: Any) -> Engine:
    """An engine configured the house way for ``url`` (SQLite or PostgreSQL)."""
    url = normalize_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, **options)
    connect_args = {"cursor_factory": DescribedCursor, **options.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **options)
    event.listen(engine, "connect", _json_with_orjson)
    sent.install(engine)
    deferred.install(engine)
    engine.dialect.do_rollback = _rollback_keeping_statements  # type: ignore[method-assign]
    if not options.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


def _json_with_orjson(dbapi_connection: Any, _record: Any) -> None:
    """``json`` and ``jsonb`` results decoded by orjson (the same values as the standard
    library's decoder, in a fifth of the time: a loan's lock reads its engine state and
    installments as JSON)."""
    set_json_loads(orjson.loads, dbapi_connection)


def _rollback_keeping_statements(dbapi_connection: Any) -> None:
    """The dialect's rollback (of a unit of work, of a connection the pool takes back) on
    PostgreSQL: ``driver.rollback``, which keeps the statements prepared on the connection."""
    driver.rollback(getattr(dbapi_connection, "driver_connection", dbapi_connection))


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it sat idle for ``IDLE_PING_SECONDS``
    (a server restart or a dropped connection shows then; a busy connection costs no round
    trip). A dead one is replaced: the pool retries the checkout with a new connection. A
    connection that dies while in use fails its statement, and the pool then drops the others
    (SQLAlchemy's disconnect handling)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the connection did not answer")


def _sqlite_engine(url: str, **options: Any) -> Engine:
    memory = make_url(url).database in (None, "", ":memory:")
    if not memory:
        options.setdefault("poolclass", NullPool)
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: we issue BEGIN ourselves (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine

"""PostgreSQL engines ping a pooled connection at checkout only after it sat idle
(db/engine.py): a busy connection costs no round trip, one that died while idle is replaced."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from microlend.db import engine as engines
from microlend.db.engine import create_engine_for


def _kill(server_url: str, pid: int) -> None:
    url = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
def test_only_an_idle_connection_is_pinged_and_a_dead_one_is_replaced(
    pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine_for(pg_server_url)
    pinged: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pinged.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as conn:  # busy: taken again at once, no ping
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
        assert pinged == []
        _kill(pg_server_url, first)
        monkeypatch.setattr(engines, "IDLE_PING_SECONDS", 0.0)  # now every checkout is "idle"
        with engine.connect() as conn:  # the ping finds it dead: a new connection serves
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
        assert len(pinged) == 1  # the dead one was pinged; the new one needs no ping
    finally:
        engine.dispose()

"""Staged rows sent without waiting (``UnitOfWork.send_staged``, db/sent.py), on PostgreSQL: the
server writes them while the command goes on; the connection's next statement, commit or
rollback waits for them; a failed write fails the unit of work; the statement's checks run at
the next flush."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, Text, event, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from microlend.db.driver import prepared_names
from microlend.db.engine import create_engine_for
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory

pytestmark = pytest.mark.postgres


@pytest.fixture
def probe(pg_server_url: str) -> Iterator[tuple[Engine, Table, str]]:
    """A table of its own (tests run side by side on one server), with row 1 in it."""
    name = f"sent_probe_{uuid.uuid4().hex[:12]}"
    table = Table(
        name, MetaData(), Column("id", BigInteger, primary_key=True), Column("note", Text)
    )
    engine = create_engine_for(pg_server_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {name} (id bigint PRIMARY KEY, note text)"))
        connection.execute(text(f"INSERT INTO {name} VALUES (1, 'first')"))
    yield engine, table, pg_server_url
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {name}"))
    engine.dispose()


def _notes(engine: Engine, table: Table) -> dict[int, str]:
    with Session(engine) as session:
        return {row.id: row.note for row in session.execute(select(table))}


def _raw(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def test_a_sent_write_runs_while_the_command_goes_on(probe: tuple[Engine, Table, str]) -> None:
    """Another transaction holds row 1: the sent update waits for it on the server while
    ``send_staged`` has returned; the unit of work's next statement waits for the update and
    reads what it wrote."""
    engine, table, url = probe
    with _raw(url) as other, UnitOfWork(make_session_factory(engine)) as uow:
        other.execute(f"SELECT * FROM {table.name} WHERE id = 1 FOR UPDATE")
        uow.session.execute(text("SET lock_timeout = '20s'"))  # a send that waited would fail
        pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        uow.staged.update(table, [{"id": 1, "note": "sent"}])
        uow.send_staged()
        assert _waits_for_a_lock(other, pid)  # returned while the server is held up
        other.commit()
        note = uow.session.execute(select(table.c.note).where(table.c.id == 1)).scalar_one()
        assert note == "sent"
        uow.commit()
    assert _notes(engine, table) == {1: "sent"}


def _waits_for_a_lock(other: psycopg.Connection[Any], pid: int) -> bool:
    query = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s"
    for _ in range(200):  # the statement reaches the server at once; give it ten seconds
        found = other.execute(query, (pid,)).fetchone()
        if found is not None and found[0] == "Lock":
            return True
        time.sleep(0.05)
    return False


def test_a_failed_sent_write_fails_the_next_statement_and_leaves_nothing(
    probe: tuple[Engine, Table, str],
) -> None:
    engine, table, _ = probe
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": 2, "note": "second"}])
        uow.send_staged()
        uow.staged.insert(table, [{"id": 1, "note": "again"}])  # row 1 is there
        uow.send_staged()
        with pytest.raises(IntegrityError):
            uow.session.execute(select(table.c.id))
    with UnitOfWork(factory) as uow:  # waited for by the commit, as a flush would be
        uow.staged.insert(table, [{"id": 1, "note": "again"}])
        uow.send_staged()
        with pytest.raises(IntegrityError):
            uow.commit()
    assert _notes(engine, table) == {1: "first"}


def test_a_rolled_back_send_leaves_nothing_and_the_connection_serves_on(
    probe: tuple[Engine, Table, str],
) -> None:
    engine, table, _ = probe
    factory = make_session_factory(engine)
    for note in ("kept", "failed"):
        with UnitOfWork(factory) as uow:  # left without committing: rolled back
            uow.staged.insert(table, [{"id": 1 if note == "failed" else 3, "note": note}])
            uow.send_staged()
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": 4, "note": "fourth"}])
        uow.send_staged()
        uow.commit()
    assert _notes(engine, table) == {1: "first", 4: "fourth"}


def test_the_checks_of_a_sent_statement_run_at_the_next_flush(
    probe: tuple[Engine, Table, str],
) -> None:
    engine, table, _ = probe
    seen: list[list[Any]] = []
    counted = ("SELECT count(*) FROM json_array_elements({rows})",)
    with UnitOfWork(make_session_factory(engine)) as uow:
        uow.staged.statement(table, [{"id": 5}, {"id": 6}], counted, check=seen.append)
        uow.send_staged()
        uow.session.execute(text("SELECT 1"))  # waits for it; the check waits for a flush
        assert seen == []
        uow.flush_staged()
        assert [[tuple(row) for row in rows] for rows in seen] == [[(2,)]]
        uow.flush_staged()
        assert len(seen) == 1


def test_a_flushed_write_runs_on_the_driver_yet_as_sqlalchemy_runs_it(
    probe: tuple[Engine, Table, str],
) -> None:
    """``flush_staged`` runs the staged statement on psycopg's cursor (``sent.run``): the
    engine's statement events still see it, its checks get what it returned, and a failed
    one raises SQLAlchemy's ``IntegrityError`` and leaves nothing."""
    engine, table, _ = probe
    seen: list[str] = []
    answered: list[str] = []
    checked: list[list[Any]] = []
    counted = ("SELECT count(*) FROM json_array_elements({rows})",)
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(str(a[2])))
    event.listen(engine, "after_cursor_execute", lambda *a: answered.append(str(a[2])))
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": 7, "note": "seventh"}])
        uow.staged.statement(
            table, [{"id": 8}, {"id": 9}, {"id": 10}], counted, check=checked.append
        )
        uow.flush_staged()
        uow.commit()
    written = [s for s in seen if table.name in s]
    assert len(written) == 1 and written == [s for s in answered if table.name in s]
    assert [[tuple(row) for row in rows] for rows in checked] == [[(3,)]]
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": 11, "note": "eleventh"}, {"id": 1, "note": "again"}])
        with pytest.raises(IntegrityError):
            uow.flush_staged()
    with UnitOfWork(factory) as uow:  # the connection went back to the pool in order
        uow.staged.insert(table, [{"id": 12, "note": "twelfth"}])
        uow.flush_staged()
        uow.commit()
    assert _notes(engine, table) == {1: "first", 7: "seventh", 12: "twelfth"}


def test_a_write_on_the_driver_opens_its_transaction_and_survives_psycopg_forgetting_statements(
    probe: tuple[Engine, Table, str],
) -> None:
    """The driver sends the ``BEGIN`` with the statement (one round trip): what it wrote is
    unseen by others until the commit. Its statements are prepared on the connection, in
    psycopg's own record: a rollback keeps them (``driver.rollback``: the rolled-back write is
    gone, the statement is not); when psycopg drops every statement it knows of (here after a
    ``DEALLOCATE ALL``), the driver's next run prepares its statement again instead of naming
    one the server no longer has."""
    engine, table, url = probe
    factory = make_session_factory(engine.execution_options(logging_token="one"))
    engine.pool.dispose()
    with UnitOfWork(factory) as uow:  # six runs: psycopg prepares a statement of its own
        for _ in range(6):
            uow.session.execute(text(f"SELECT note FROM {table.name} WHERE id = 1")).all()
        uow.commit()
    kept: set[str] = set()
    for n, end, before in ((20, "rollback", 1), (21, "commit", 1), (22, "forget", 2)):
        with UnitOfWork(factory) as uow:
            uow.staged.insert(table, [{"id": n, "note": end}])
            uow.flush_staged()
            raw = uow.session.connection().connection.driver_connection
            assert isinstance(raw, psycopg.Connection)
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
            with _raw(url) as other:
                assert other.execute(f"SELECT count(*) FROM {table.name}").fetchone() == (before,)
            if end == "rollback":
                uow.rollback()
                kept = _prepared_on(raw)
                assert len(kept) == 2  # psycopg's select and the driver's insert
                assert set(prepared_names(raw).values()) == {name.encode() for name in kept}
                continue
            uow.commit()
            assert _prepared_on(raw) == kept  # the insert ran as it was prepared
            if end == "forget":
                raw.execute("DEALLOCATE ALL")
                assert not prepared_names(raw)
    _written(factory, table, 23, "prepared again")
    assert engine.pool.checkedin() == 1  # one connection served all of it
    assert _notes(engine, table) == {
        1: "first",
        21: "commit",
        22: "forget",
        23: "prepared again",
    }


def _written(factory: SessionFactory, table: Table, n: int, note: str) -> None:
    """Row ``n`` written through the driver (its insert prepared on the connection)."""
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": n, "note": note}])
        uow.flush_staged()
        uow.commit()


def _prepared_on(raw: psycopg.Connection[Any]) -> set[str]:
    return {name for (name,) in raw.execute("SELECT name FROM pg_prepared_statements")}


def test_a_statement_dropped_behind_psycopgs_back_fails_once_and_is_prepared_again(
    probe: tuple[Engine, Table, str],
) -> None:
    """The server no longer has a statement the driver prepared (deallocated where psycopg did
    not see it): the command naming it fails (nothing of it is written) and the next prepares
    it again."""
    engine, table, _ = probe
    factory = make_session_factory(engine)
    engine.pool.dispose()
    with UnitOfWork(factory) as uow:
        uow.staged.insert(table, [{"id": 40, "note": "prepared"}])
        uow.flush_staged()
        uow.commit()
        raw = uow.session.connection().connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        assert raw.pgconn.exec_(b"DEALLOCATE ALL").status == psycopg.pq.ExecStatus.COMMAND_OK
    with UnitOfWork(factory) as uow, pytest.raises(DBAPIError, match="does not exist"):
        uow.staged.insert(table, [{"id": 41, "note": "gone"}])
        uow.flush_staged()
    _written(factory, table, 42, "prepared again")
    assert engine.pool.checkedin() == 1
    assert _notes(engine, table) == {1: "first", 40: "prepared", 42: "prepared again"}


def test_the_drivers_statements_stay_prepared_among_many_others(
    probe: tuple[Engine, Table, str],
) -> None:
    """Past ``prepared_max`` statements psycopg deallocates the least recently used: a
    statement the driver runs between others is used recently, so it stays prepared (under
    one name) while psycopg's own come and go."""
    engine, table, _ = probe
    factory = make_session_factory(engine)
    engine.pool.dispose()
    names: set[str] = set()
    for n in range(6):
        with UnitOfWork(factory) as uow:
            raw = uow.session.connection().connection.driver_connection
            assert isinstance(raw, psycopg.Connection)
            raw.prepared_max = 3
            uow.staged.insert(table, [{"id": 50 + n, "note": "driver"}])
            uow.flush_staged()
            for _ in range(6):  # prepared by psycopg from its sixth run
                uow.session.execute(text(f"SELECT note FROM {table.name} WHERE id > {n}")).all()
            uow.commit()
            names |= {
                name.decode()
                for name in prepared_names(raw).values()
                if name.startswith(b"microlend_")
            }
    assert len(names) == 1
    assert names <= {name.decode() for name in prepared_names(raw).values()}
    assert names <= _prepared_on(raw)


def test_a_read_keeps_the_statements_prepared_on_its_connection_and_cannot_write(
    probe: tuple[Engine, Table, str],
) -> None:
    """A read-only unit of work opens ``BEGIN READ ONLY`` (a write in it is refused by the
    server) and rolls back at its end keeping the statements prepared on the connection (with
    psycopg's own rollback the next command on it would plan its statements anew)."""
    engine, table, _ = probe
    factory = make_session_factory(engine)
    engine.pool.dispose()
    _written(factory, table, 30, "prepared")
    with UnitOfWork(factory, read_only=True) as uow:
        assert uow.session.execute(select(table.c.note).where(table.c.id == 30)).all()
    with (
        UnitOfWork(factory, read_only=True) as uow,
        pytest.raises(DBAPIError, match="read-only transaction"),
    ):
        uow.session.execute(text(f"DELETE FROM {table.name}"))
    with UnitOfWork(factory) as uow:
        raw = uow.session.connection().connection.driver_connection
        names = {name.decode() for name in prepared_names(raw).values()}
        in_server = raw.execute("SELECT name FROM pg_prepared_statements").fetchall()
        assert names and names <= {name for (name,) in in_server}
    assert engine.pool.checkedin() == 1
    assert _notes(engine, table) == {1: "first", 30: "prepared"}

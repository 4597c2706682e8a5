"""The unit of work: one transaction per command, committed once, by the edge.

    with UnitOfWork(session_factory) as uow:
        orgs.service.create_office(uow, actor, parent_id=1, code="B01", name="...", now=now)
        uow.commit()

Leaving the block without ``commit()`` rolls back. Services never commit. A write that must
survive a failed command (the audit record of a refused command, a failed login attempt) is
registered with ``uow.durable(write)``: it joins the transaction when it commits, and runs in a
fresh transaction of its own after a rollback. A write that must be kept before the caller goes
on, whatever becomes of the unit of work (the audit record of a read that hands out personal data,
in a read-only unit of work that cannot commit), is committed at once with ``uow.write_apart``.

Rows a command stages in ``uow.staged`` (``db.bulk.Writes``) are written by ``flush_staged``
(the command runner calls it when the command ends; ``flush`` and ``commit`` do too). A command
that failed without a savepoint of its own (the first of its transaction) leaves the unit of work
``rollback_only``: committing it raises, so no half-done command is ever committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from microlend.db import deferred
from microlend.db.bulk import Writes
from microlend.db.engine import READ_ONLY
from microlend.db.sent import Sent
from microlend.kernel.errors import DomainError

T = TypeVar("T")
DurableWrite = Callable[[Session], None]
SessionFactory = sessionmaker[Session]

RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
# the note on a refusal raised by the checks of rows sent earlier (``send_staged``): it is not
# the doing of whatever the command was applying when the checks ran
SENT_EARLIER = "refused when the rows sent earlier were checked"


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


class UnitOfWork:
    def __init__(self, session_factory: SessionFactory, *, read_only: bool = False) -> None:
        self._factory = session_factory
        self.read_only = read_only
        self._session: Session | None = None
        self._durable: list[DurableWrite] = []
        self.staged = Writes()
        self._sent: Sent | None = None
        self._deferred: tuple[Connection, Callable[[DomainError], None]] | None = None
        self.rollback_only = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `with UnitOfWork(...) as uow`")
        return self._session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        if self.read_only:
            options: dict[str, Any] = {READ_ONLY: True}
            if self.dialect == "postgresql":
                options["postgresql_readonly"] = True  # BEGIN READ ONLY: the server refuses writes
            self._session.connection(execution_options=options)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.staged.discard()
            self._sent = None
            self._forget_deferred()
            self.session.close()  # rolls back what was not committed; loaded objects stay readable
            self._write_durable()
        finally:
            self._session = None
            self.rollback_only = False

    def untouched(self) -> bool:
        """Nothing has happened in this unit of work's transaction yet (no statement, no
        pending change, nothing staged)."""
        return not (self.session.in_transaction() or self._orm_pending() or self.staged)

    def durable(self, write: DurableWrite) -> None:
        """Register a write that is kept whether or not the command commits."""
        self._durable.append(write)

    def write_apart(self, write: DurableWrite) -> None:
        """Commit ``write`` now, in a session and transaction of its own; this unit of work's
        transaction is left as it is. For a read-only unit of work: on SQLite a writing one holds
        the write lock that ``write`` would wait for."""
        with self._factory() as session:
            write(session)
            session.commit()

    def commit(self) -> None:
        """Write what is staged and commit: on PostgreSQL, with nothing else to write first,
        in one round trip (``Writes.flush(commit=True)``)."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        if self.rollback_only:
            raise RuntimeError("a command of this unit of work failed: it can only roll back")
        if self.staged and not self._durable and self._write_staged(commit=True):
            self.session.commit()  # the transaction's own COMMIT went with the rows
            return
        self.flush_staged()
        writes, self._durable = self._durable, []
        for write in writes:
            write(self.session)
        self.session.commit()

    def rollback(self) -> None:
        self.staged.discard()
        self._sent = None
        self._forget_deferred()
        self.session.rollback()
        self.rollback_only = False
        self._write_durable()

    def _write_durable(self) -> None:
        writes, self._durable = self._durable, []
        if not writes:
            return
        with self._factory() as session:
            for write in writes:
                write(session)
            session.commit()

    def flush(self) -> None:
        self.session.flush()
        self.flush_staged()

    def flush_staged(self) -> None:
        """Write the staged rows (after the session's own pending changes)."""
        self._write_staged(commit=False)

    def _write_staged(self, *, commit: bool, orm: bool = True) -> bool:
        """Write the staged rows (after the session's own pending changes, unless not
        ``orm``: the session is flushing them), with ``commit`` the transaction's ``COMMIT``
        with them where it can; whether it committed. A refusal by their checks of the rows of
        a command deferred (``defer_staged``) is handed to its ``on_refusal`` first."""
        self._settle()
        on_refusal = self._forget_deferred()
        if not self.staged:
            return False
        if orm and on_refusal is None:
            self.session.flush()
        # a command's rows go before the session's changes made since (they may refer to them)
        ride = commit and not (orm and self._orm_pending())
        try:
            committed = self.staged.flush(self.session, commit=ride)
        except DomainError as error:
            if on_refusal is not None:
                self.rollback_only = True  # what the refused rows' statement wrote stays
                on_refusal(error)
            raise
        if orm and not committed:
            self.session.flush()
        return committed

    def _orm_pending(self) -> bool:
        session = self.session
        return bool(session.new or session.dirty or session.deleted)

    def defer_staged(self, on_refusal: Callable[[DomainError], None]) -> None:
        """End a command that is the first of its transaction: on PostgreSQL its staged rows
        wait for ``commit``, to be written with the ``COMMIT`` in one round trip, or for the
        next statement on the connection, flush or send (``db.deferred``: a statement reads what
        the command wrote); elsewhere they are written now. A refusal by their checks, once
        written, is handed to ``on_refusal`` (the command's audit of it) before it is raised."""
        self._settle()
        self.session.flush()
        if not self.staged or self.dialect != "postgresql":
            self.flush_staged()
            return
        connection = self.session.connection()
        deferred.hold(self.session, connection, self._write_held, self._drop_held)
        self._deferred = (connection, on_refusal)

    def _write_held(self) -> None:
        self._write_staged(commit=False, orm=False)  # the session may be flushing its own

    def _drop_held(self) -> None:
        self.staged.discard()
        self._forget_deferred()

    def _forget_deferred(self) -> Callable[[DomainError], None] | None:
        held, self._deferred = self._deferred, None
        if held is None:
            return None
        connection, on_refusal = held
        deferred.release(self.session, connection)
        return on_refusal

    def send_staged(self) -> None:
        """Start writing the staged rows without waiting (on PostgreSQL the server writes them
        while the command goes on: ``db.sent``); elsewhere ``flush_staged``. The connection's
        next statement waits for them; the next flush, send or commit runs their checks."""
        self._settle()
        self._forget_deferred()
        if self.staged:
            self.session.flush()
            self._sent = self.staged.send(self.session)

    def _settle(self) -> None:
        sent, self._sent = self._sent, None
        if sent is not None:
            try:
                sent.settle()
            except DomainError as error:
                error.add_note(SENT_EARLIER)
                raise

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block that is undone on its own if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield


def sent_earlier(error: BaseException) -> bool:
    """Was ``error`` raised by the checks of rows sent earlier (see ``SENT_EARLIER``)?"""
    return SENT_EARLIER in getattr(error, "__notes__", ())


def is_retryable(error: BaseException) -> bool:
    """A PostgreSQL serialization failure or deadlock: the whole unit of work may be retried."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def run_with_retry(
    session_factory: SessionFactory, work: Callable[[UnitOfWork], T], *, attempts: int = 3
) -> T:
    """Run ``work`` in a fresh unit of work, committing it; retry on serialization failures."""
    for attempt in range(1, attempts + 1):
        try:
            with UnitOfWork(session_factory) as uow:
                result = work(uow)
                uow.commit()
                return result
        except DBAPIError as error:
            if attempt == attempts or not is_retryable(error):
                raise
    raise AssertionError("unreachable")

"""The unit of work: one transaction per command, committed once, by the edge.

    with UnitOfWork(session_factory) as uow:
        orgs.service.create_office(uow, actor, parent_id=1, code="B01", name="...", now=now)
        uow.commit()

Leaving the block without ``commit()`` rolls back. Services never commit. A write that must
survive a failed command (the audit record of a refused command, a failed login attempt) is
registered with ``uow.durable(write)``: it joins the transaction when it commits, and runs in a
fresh transaction of its own after a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from microlend.db.engine import READ_ONLY

T = TypeVar("T")
DurableWrite = Callable[[Session], None]
SessionFactory = sessionmaker[Session]

RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


class UnitOfWork:
    def __init__(self, session_factory: SessionFactory, *, read_only: bool = False) -> None:
        self._factory = session_factory
        self.read_only = read_only
        self._session: Session | None = None
        self._durable: list[DurableWrite] = []

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
            self._session.connection(execution_options={READ_ONLY: True})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.close()  # rolls back what was not committed; loaded objects stay readable
            self._write_durable()
        finally:
            self._session = None

    def durable(self, write: DurableWrite) -> None:
        """Register a write that is kept whether or not the command commits."""
        self._durable.append(write)

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        writes, self._durable = self._durable, []
        for write in writes:
            write(self.session)
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
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

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block that is undone on its own if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield


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

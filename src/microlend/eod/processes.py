"""Worker processes: the ``--workers N`` pool of one close of business, and the lone worker that
joins a running close of business from another machine (``microlend eod worker``)."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event

from sqlalchemy import Engine

from microlend.db.engine import create_engine_for
from microlend.db.uow import SessionFactory, make_session_factory
from microlend.eod.connections import pooled
from microlend.eod.discovery import load_steps
from microlend.eod.worker import Clock, serve

STOP_GRACE_SECONDS = 3.0  # then terminated: a worker still importing, or idle


def database_url_of(session_factory: SessionFactory) -> str:
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return bind.url.render_as_string(hide_password=False)


def spawned_worker(
    database_url: str, company_id: int, worker: int, now: Clock, lease_seconds: float, stop: Event
) -> None:
    """The body of one worker process of the pool (started with ``spawn``)."""
    engine = create_engine_for(database_url)
    try:
        with pooled(make_session_factory(engine)) as factory:  # it polls: one connection
            serve(
                factory,
                load_steps(),
                company_id=company_id,
                worker=worker,
                now=now,
                lease=timedelta(seconds=lease_seconds),
                should_stop=stop.is_set,
            )
    finally:
        engine.dispose()


class WorkerPool:
    """``size`` processes claiming the company's partitions until ``stop()``.

    ``now`` must be picklable (a module-level function), since each process gets a copy.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        company_id: int,
        size: int,
        now: Clock,
        lease: timedelta,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        url = database_url_of(session_factory)
        self._processes: list[SpawnProcess] = [
            context.Process(
                target=spawned_worker,
                args=(url, company_id, number, now, lease.total_seconds(), self._stop),
                name=f"eod-worker-{number}",
                daemon=True,
            )
            for number in range(1, size + 1)
        ]
        for process in self._processes:
            process.start()

    def alive(self) -> bool:
        return any(process.is_alive() for process in self._processes)

    def stop(self) -> None:
        self._stop.set()
        for process in self._processes:
            process.join(STOP_GRACE_SECONDS)
        for process in self._processes:
            if process.is_alive():
                process.terminate()
                process.join()

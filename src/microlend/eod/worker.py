"""A worker: claims partitions of a running close of business and does their work.

Each partition's work and its "done" mark commit in one transaction: a crash leaves all of the
partition or nothing. A partition whose step raises is marked failed together with its run (in a
transaction of its own, after the work was rolled back), which stops the run.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from microlend.db.eod import Counts, RunStopped
from microlend.db.uow import SessionFactory, UnitOfWork, is_retryable
from microlend.eod import partitions
from microlend.eod.discovery import StepBook
from microlend.eod.partitions import Claim
from microlend.eod.readable import reason_of
from microlend.eod.tables import EodRun

Clock = Callable[[], datetime]
MAX_ERROR = 4000
RETRY_ATTEMPTS = 3  # a partition hit by serialization failures is tried this many times


def claim_next(
    session_factory: SessionFactory, run_id: int, me: str, now: Clock, lease: timedelta
) -> Claim | None:
    """Claim a partition of the run's current step; ``None`` if there is none (or SQLite's
    writer lock stayed busy past its timeout: another worker's long partition)."""
    try:
        with UnitOfWork(session_factory) as uow:
            claimed = partitions.claim(uow, run_id=run_id, me=me, now=now(), lease=lease)
            uow.commit()
    except OperationalError as error:
        if not is_busy(error):
            raise
        return None
    return claimed


def is_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked": the writer lock was held longer than the busy timeout."""
    return "database is locked" in str(error.orig)


def work(
    session_factory: SessionFactory, book: StepBook, claim: Claim, me: str, now: Clock
) -> bool:
    """Run the claimed partition; ``True`` if it is done (``False``: failed, or taken over)."""
    done, _next = work_and_claim(session_factory, book, claim, me, now)
    return done


Then = Callable[[UnitOfWork, Claim, datetime], Claim | None]


def work_and_claim(
    session_factory: SessionFactory,
    book: StepBook,
    claim: Claim,
    me: str,
    now: Clock,
    *,
    then: Then | None = None,
) -> tuple[bool, Claim | None]:
    """Run the claimed partition; with ``then``, what it returns (the next claim) is decided in
    the same transaction, after the partition is marked done (one commit per partition instead
    of two). Returns whether the partition is done and the next claim."""
    business_date = date.fromisoformat(claim.business_date_iso)
    following = None
    try:
        step = book.step(claim.step_code)  # a step no longer defined fails the partition
        with UnitOfWork(session_factory) as uow:
            if not partitions.hold(uow, claim, me):
                return False, None
            started = now()  # the one clock reading the step gets
            if step.kind == "partitioned":
                counts = step.run(
                    uow,
                    claim.company_id,
                    business_date,
                    claim.id_low,
                    claim.id_high,
                    now=started,
                )
            else:
                counts = step.run(uow, claim.company_id, business_date, now=started)
            finished = now()
            partitions.finish(uow, claim, _plain(counts, step.code), finished)
            if then is not None:
                following = then(uow, claim, finished)
            uow.commit()
    except Exception as error:  # any failure of a step stops the run, and is recorded
        _record_failure(session_factory, claim, error, now)
        return False, None
    return True, following


def next_in_step(me: str, lease: timedelta) -> Then:
    """``then`` for a worker: claim another partition of the run's current step."""

    def then(uow: UnitOfWork, finished: Claim, now: datetime) -> Claim | None:
        return partitions.claim(uow, run_id=finished.run_id, me=me, now=now, lease=lease)

    return then


def _plain(counts: Counts | None, code: str) -> dict[str, int]:
    if counts is None:
        return {}
    if any(not isinstance(value, int) for value in counts.values()):
        raise TypeError(f"step {code} returned counts that are not integers: {counts!r}")
    return {str(key): int(value) for key, value in counts.items()}


def _record_failure(
    session_factory: SessionFactory, claim: Claim, error: Exception, now: Clock
) -> None:
    transient = is_retryable(error) or (isinstance(error, OperationalError) and is_busy(error))
    if transient and claim.attempts < RETRY_ATTEMPTS:
        _give_back(session_factory, claim)  # a serialization failure, or SQLite busy: again
        return
    if isinstance(error, RunStopped):
        message = str(error)
    else:
        lines = traceback.format_exception_only(type(error), error)
        message = "".join(lines).strip()
    report = dict(error.report) if isinstance(error, RunStopped) else {}
    readable = reason_of(error)
    if readable is not None:
        report["reason"] = readable
    with UnitOfWork(session_factory) as uow:
        partitions.fail(uow, claim, message[:MAX_ERROR], now())
        if report:
            _keep_report(uow, claim, report)
        uow.commit()


def _give_back(session_factory: SessionFactory, claim: Claim) -> None:
    for _attempt in range(RETRY_ATTEMPTS * 10):
        try:
            with UnitOfWork(session_factory) as uow:
                partitions.release(uow, claim)
                uow.commit()
            return
        except OperationalError as busy:
            if not is_busy(busy):
                raise
    raise RuntimeError(f"could not give back partition {claim.partition_id}")


def _keep_report(uow: UnitOfWork, claim: Claim, report: dict[str, Any]) -> None:
    summary = uow.session.scalar(select(EodRun.summary).where(EodRun.id == claim.run_id)) or {}
    failure = {"step": claim.step_code, "partition": claim.partition_no, **report}
    uow.session.execute(
        update(EodRun)
        .where(EodRun.id == claim.run_id)
        .values(summary={**summary, "failure": failure})
    )


def running_runs(session_factory: SessionFactory, company_id: int | None) -> list[int]:
    """The ids of running closes of business (of the company, if given), oldest first."""
    with UnitOfWork(session_factory, read_only=True) as uow:
        query = select(EodRun.id).where(EodRun.status == "running")
        if company_id is not None:
            query = query.where(EodRun.company_id == company_id)
        return list(uow.session.scalars(query.order_by(EodRun.business_date, EodRun.id)))


def serve(
    session_factory: SessionFactory,
    book: StepBook,
    *,
    company_id: int | None,
    worker: int,
    now: Clock,
    lease: timedelta,
    should_stop: Callable[[], bool] = lambda: False,
    idle_exit: float | None = None,
    poll_seconds: float = 0.1,
) -> int:
    """Claim and work partitions of running runs until ``should_stop()``, or until no run has
    been running for ``idle_exit`` seconds; how many partitions this worker did."""
    me = partitions.worker_name(worker)
    done = 0
    last_seen = time.monotonic()
    while not should_stop():
        run_ids = running_runs(session_factory, company_id)
        if not run_ids:
            if idle_exit is not None and time.monotonic() - last_seen > idle_exit:
                break
            time.sleep(poll_seconds)
            continue
        last_seen = time.monotonic()
        claimed = None
        for run_id in run_ids:
            claimed = claim_next(session_factory, run_id, me, now, lease)
            if claimed is not None:
                break
        if claimed is None:
            time.sleep(poll_seconds)
            continue
        sqlite = _is_sqlite(session_factory)
        then = None if sqlite else next_in_step(me, lease)
        while claimed is not None:  # on PostgreSQL the next claim rides on the work's commit
            finished, claimed = work_and_claim(session_factory, book, claimed, me, now, then=then)
            done += finished
        if sqlite:
            time.sleep(poll_seconds)  # SQLite's busy wait would let this worker claim every time
    return done


def _is_sqlite(session_factory: SessionFactory) -> bool:
    bind = session_factory.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"

"""The close-of-business runner: catch-up day by day, steps in order, a barrier between steps.

For each business date from the company's up to the target: open (or resume) the day's run; for
each step, in order, cut its work into partitions (once: they are stored), let the workers claim
them, and wait until every partition is done before the next step starts. The last step advances
the company's business date, so the next day's run follows. A failed partition stops the run;
running again resumes it (failed partitions are retried, done ones are never run again).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from microlend.db.eod import Step
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod import partitions
from microlend.eod.discovery import StepBook, load_steps
from microlend.eod.partitions import DEFAULT_LEASE, DEFAULT_PARTITION_SIZE, DONE, FAILED, PENDING
from microlend.eod.processes import WorkerPool
from microlend.eod.summary import DaySummary, RunSummary, day_summary, summary_json
from microlend.eod.tables import EodPartition, EodRun
from microlend.eod.worker import Clock, claim_next, is_busy, work
from microlend.orgs.tables import Company

POLL_SECONDS = 0.05
RELEASE_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class Progress:
    """Where the run is: ``done`` of ``total`` partitions of step ``step_no`` of ``step_count``."""

    business_date: date
    step_code: str
    step_no: int
    step_count: int
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass
class _Context:
    session_factory: SessionFactory
    company_id: int
    book: StepBook
    now: Clock
    lease: timedelta
    partition_size: int
    progress: ProgressCallback | None
    pool: WorkerPool | None


def run_close_of_business(
    session_factory: SessionFactory,
    *,
    company_id: int,
    target_date: date,
    workers: int = 1,
    now: Clock,
    progress: ProgressCallback | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    lease: timedelta = DEFAULT_LEASE,
) -> RunSummary:
    """Close every open business date of the company up to ``target_date``, one by one.

    This process works partitions itself; ``workers`` > 1 spawns ``workers - 1`` more processes
    that claim partitions too. ``now`` is the clock (leases, timestamps); with workers it must
    be picklable (a module-level function). Stops at the first day that fails
    (``RunSummary.status == "failed"``).
    """
    started = time.monotonic()
    book = load_steps()
    settle_closed_runs(session_factory, company_id=company_id, now=now, book=book)
    pool = None
    if workers > 1:  # this process is worker 0; the others are spawned
        pool = WorkerPool(
            session_factory, company_id=company_id, size=workers - 1, now=now, lease=lease
        )
    context = _Context(
        session_factory, company_id, book, now, lease, partition_size, progress, pool
    )
    days: list[DaySummary] = []
    try:
        business_date = business_date_of(session_factory, company_id)
        while business_date <= target_date:
            day = _close_day(context, business_date)
            days.append(day)
            if day.status != DONE:
                break
            following = business_date_of(session_factory, company_id)
            if following <= business_date:
                raise RuntimeError(f"close of business {business_date} did not advance the date")
            business_date = following
    finally:
        if pool is not None:
            pool.stop()
    return RunSummary(company_id, target_date, tuple(days), time.monotonic() - started)


def business_date_of(session_factory: SessionFactory, company_id: int) -> date:
    with UnitOfWork(session_factory, read_only=True) as uow:
        found = uow.session.scalar(select(Company.business_date).where(Company.id == company_id))
    if found is None:
        raise LookupError(f"no company {company_id}")
    return found


def settle_closed_runs(
    session_factory: SessionFactory, *, company_id: int, now: Clock, book: StepBook
) -> None:
    """Mark done the runs whose date is already advanced (a crash after the last step's commit)."""
    with UnitOfWork(session_factory) as uow:
        company_date = uow.session.scalar(
            select(Company.business_date).where(Company.id == company_id)
        )
        stale = uow.session.scalars(
            select(EodRun).where(
                EodRun.company_id == company_id,
                EodRun.status == "running",
                EodRun.business_date < company_date,
            )
        ).all()
        for run in stale:
            run.status, run.current_step, run.finished_at = DONE, None, now()
            run.summary = summary_json(day_summary(uow, run, [s.code for s in book.steps]))
        uow.commit()


def _close_day(context: _Context, business_date: date) -> DaySummary:
    run_id = _open_run(context, business_date)
    steps = context.book.steps
    for number, step in enumerate(steps, 1):
        if not _plan_step(context, run_id, step, business_date):
            break
        if not _await_step(context, run_id, step, number, business_date):
            break
    return _finish_run(context, run_id)


def _open_run(context: _Context, business_date: date) -> int:
    """The day's run, created, or resumed if it failed (its failed partitions pending again)."""
    for _attempt in range(2):
        try:
            with UnitOfWork(context.session_factory) as uow:
                run_id = _open_run_in(uow, context, business_date)
                uow.commit()
                return run_id
        except IntegrityError:  # another runner created it at the same moment
            continue
    raise RuntimeError(f"could not open the close of business of {business_date}")


def _open_run_in(uow: UnitOfWork, context: _Context, business_date: date) -> int:
    query = select(EodRun).where(
        EodRun.company_id == context.company_id, EodRun.business_date == business_date
    )
    if uow.dialect == "postgresql":
        query = query.with_for_update()
    run = uow.session.scalars(query).first()
    if run is None:
        run = EodRun(
            company_id=context.company_id,
            business_date=business_date,
            status="running",
            started_at=context.now(),
            summary={},
        )
        uow.session.add(run)
        uow.flush()
        return run.id
    if run.status == FAILED:
        run.status, run.error, run.finished_at = "running", None, None
        run.summary = {k: v for k, v in (run.summary or {}).items() if k != "failure"}
        uow.session.execute(
            update(EodPartition)
            .where(EodPartition.run_id == run.id, EodPartition.status == FAILED)
            .values(status=PENDING, claimed_by=None, lease_until=None, error=None)
        )
    return run.id


def _plan_step(context: _Context, run_id: int, step: Step, business_date: date) -> bool:
    """Make ``step`` the run's current step and store its partitions (once); ``False`` if the
    run is not running any more."""
    with UnitOfWork(context.session_factory) as uow:
        query = select(EodRun).where(EodRun.id == run_id)
        if uow.dialect == "postgresql":
            query = query.with_for_update()
        run = uow.session.scalars(query).one()
        if run.status != "running":
            return False
        run.current_step = step.code
        if not partitions.planned(uow, run_id, step.code):
            partitions.plan(uow, run_id, step.code, _ranges(uow, context, step, business_date))
        uow.commit()
    return True


def _ranges(
    uow: UnitOfWork, context: _Context, step: Step, business_date: date
) -> list[tuple[int, int]]:
    if step.kind == "company":
        return [(0, 0)]
    assert step.bounds is not None
    found = step.bounds(uow, context.company_id, business_date)
    if found is None:
        return []
    size = step.partition_size or context.partition_size
    return list(partitions.cut(found[0], found[1], size))


def _await_step(
    context: _Context, run_id: int, step: Step, number: int, business_date: date
) -> bool:
    """Work or wait until every partition of the step is done (``True``) or the run stopped."""
    shown: tuple[int, int] | None = None
    released_at = 0.0
    me = partitions.worker_name(0)
    while True:
        with UnitOfWork(context.session_factory, read_only=True) as uow:
            status = uow.session.scalar(select(EodRun.status).where(EodRun.id == run_id))
            tally = partitions.tally(uow, run_id, step.code)
        done, total = tally.get(DONE, 0), sum(tally.values())
        if context.progress is not None and (done, total) != shown:
            shown = (done, total)
            context.progress(
                Progress(business_date, step.code, number, len(context.book.steps), done, total)
            )
        if status != "running" or tally.get(FAILED):
            return False
        if done == total:
            return True
        if time.monotonic() - released_at > RELEASE_EVERY_SECONDS:
            released_at = time.monotonic()
            _release_dead(context, run_id)
        claimed = claim_next(context.session_factory, run_id, me, context.now, context.lease)
        if claimed is None:
            time.sleep(POLL_SECONDS)
            continue
        work(context.session_factory, context.book, claimed, me, context.now)
        if _dialect(context) == "sqlite" and (context.pool is not None or _shared(context, run_id)):
            time.sleep(POLL_SECONDS)  # let the other processes past SQLite's writer lock


def _shared(context: _Context, run_id: int) -> bool:
    with UnitOfWork(context.session_factory, read_only=True) as uow:
        return partitions.others_at_work(uow, run_id, partitions.worker_name(0))


def _dialect(context: _Context) -> str:
    bind = context.session_factory.kw.get("bind")
    return "" if bind is None else str(bind.dialect.name)


def _release_dead(context: _Context, run_id: int) -> None:
    try:
        with UnitOfWork(context.session_factory) as uow:
            if partitions.release_dead(uow, run_id):
                uow.commit()
    except OperationalError as error:
        if not is_busy(error):
            raise  # else: another worker holds SQLite's writer lock; next time


def _finish_run(context: _Context, run_id: int) -> DaySummary:
    """Mark the run done if every step is, and store its summary."""
    codes = [step.code for step in context.book.steps]
    with UnitOfWork(context.session_factory) as uow:
        run = uow.session.get(EodRun, run_id)
        assert run is not None
        if run.status == "running" and _all_done(uow, run_id, codes):
            run.status, run.current_step, run.finished_at = DONE, None, context.now()
        summary = day_summary(uow, run, codes)
        run.summary = summary_json(summary)
        uow.commit()
    return summary


def _all_done(uow: UnitOfWork, run_id: int, codes: list[str]) -> bool:
    rows = uow.session.execute(
        select(EodPartition.step_code, EodPartition.status).where(EodPartition.run_id == run_id)
    ).all()
    planned = {code for code, _status in rows}
    return set(codes) <= planned and all(status == DONE for _code, status in rows)

"""The close-of-business runner: catch-up day by day, steps in order, a barrier between steps.

For each business date from the company's up to the target: open (or resume) the day's run; for
each step, in order, cut its work into partitions (once: they are stored), let the workers claim
them, and wait until every partition is done before the next step starts. The last step advances
the company's business date, so the next day's run follows. A failed partition stops the run;
running again resumes it (failed partitions are retried, done ones are never run again).

Transactions are few, since a small company's day is mostly bookkeeping: the transaction that
finishes a partition also claims the next one of the step, or, when it finished the step's last
partition, plans the next step and claims its first (the chain); opening a day plans its first
step. With other worker processes on SQLite each claim is a transaction of its own, with a pause,
so that the writer lock goes round.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from microlend.db.base import table
from microlend.db.eod import Step
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod import partitions
from microlend.eod.connections import pooled
from microlend.eod.discovery import StepBook, load_steps
from microlend.eod.partitions import (
    CLAIMED,
    DEFAULT_LEASE,
    DEFAULT_PARTITION_SIZE,
    DONE,
    FAILED,
    PENDING,
    Claim,
    RunOf,
)
from microlend.eod.processes import WorkerPool
from microlend.eod.summary import DaySummary, RunSummary, day_summary, summary_json
from microlend.eod.tables import EodPartition, EodRun
from microlend.eod.worker import Clock, claim_next, is_busy, work_and_claim
from microlend.orgs.tables import Company

POLL_SECONDS = 0.05
# On SQLite, between the partitions of a step while no other worker has claimed any: a process
# waiting for the writer lock retries every 25-100 ms, and the runner, with its connection kept
# open, takes the lock again within a millisecond or two.
JOIN_WINDOW_SECONDS = 0.01
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
    dialect: str

    @property
    def me(self) -> str:
        return partitions.worker_name(0)

    @property
    def chained(self) -> bool:
        """Whether finishing a partition decides what is next in the same transaction (on SQLite
        with a pool of workers each claim is a transaction of its own, and the chain on SQLite
        only plans the next step)."""
        return self.pool is None or self.dialect != "sqlite"


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
    with pooled(session_factory) as factory:
        context = _Context(
            factory, company_id, book, now, lease, partition_size, progress, None, _dialect(factory)
        )
        days = _close_days(context, target_date, workers)
    return RunSummary(company_id, target_date, tuple(days), time.monotonic() - started)


def _close_days(context: _Context, target_date: date, workers: int) -> list[DaySummary]:
    """Settle, then close day after day up to ``target_date``, with ``workers - 1`` processes
    spawned to help; the days' summaries."""
    factory, company_id, now = context.session_factory, context.company_id, context.now
    business_date = settle_closed_runs(factory, company_id=company_id, now=now, book=context.book)
    if workers > 1:  # this process is worker 0; the others are spawned
        context.pool = WorkerPool(
            factory, company_id=company_id, size=workers - 1, now=now, lease=context.lease
        )
    days: list[DaySummary] = []
    try:
        while business_date <= target_date:
            day, following = _close_day(context, business_date)
            days.append(day)
            if day.status != DONE:
                break
            if following <= business_date:
                raise RuntimeError(f"close of business {business_date} did not advance the date")
            business_date = following
    finally:
        if context.pool is not None:
            context.pool.stop()
    return days


def _dialect(session_factory: SessionFactory) -> str:
    bind = session_factory.kw.get("bind")
    return "" if bind is None else str(bind.dialect.name)


def business_date_of(session_factory: SessionFactory, company_id: int) -> date:
    with UnitOfWork(session_factory, read_only=True) as uow:
        return _business_date_in(uow, company_id)


_BUSINESS_DATE = select(table(Company).c.business_date).where(
    table(Company).c.id == bindparam("company_id")
)


def _business_date_in(uow: UnitOfWork, company_id: int) -> date:
    found: date | None = uow.session.scalar(_BUSINESS_DATE, {"company_id": company_id})
    if found is None:
        raise LookupError(f"no company {company_id}")
    return found


def settle_closed_runs(
    session_factory: SessionFactory, *, company_id: int, now: Clock, book: StepBook
) -> date:
    """Mark done the runs whose date is already advanced (a crash after the last step's commit);
    the company's business date."""
    with UnitOfWork(session_factory) as uow:
        company_date = _business_date_in(uow, company_id)
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
        if stale:
            uow.commit()
    return company_date


def _close_day(context: _Context, business_date: date) -> tuple[DaySummary, date]:
    """Close one date; its summary and the company's business date after it."""
    steps = context.book.steps
    run_id, claimed = _open_run(context, business_date)
    for number, step in enumerate(steps, 1):
        if number > 1 and (claimed is None or claimed.step_code != step.code):
            running, claimed = _plan_step(context, run_id, step, business_date)
            if not running:
                break
        finished, claimed = _await_step(context, run_id, step, number, business_date, claimed)
        if not finished:
            break
    return _finish_run(context, run_id)


def _open_run(context: _Context, business_date: date) -> tuple[int, Claim | None]:
    """The day's run, created, or resumed if it failed (its failed partitions pending again),
    with its first step planned and claimed."""
    for _attempt in range(2):
        try:
            with UnitOfWork(context.session_factory) as uow:
                run, created = _open_run_in(uow, context, business_date)
                opened = RunOf(run.id, run.company_id, run.business_date)
                claimed = _plan_in(uow, context, opened, context.book.steps[0], fresh=created)
                uow.commit()
                return run.id, claimed
        except IntegrityError:  # another runner created it at the same moment
            continue
    raise RuntimeError(f"could not open the close of business of {business_date}")


def _open_run_in(uow: UnitOfWork, context: _Context, business_date: date) -> tuple[EodRun, bool]:
    """The day's run, and whether it was created now."""
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
        return run, True
    if run.status == FAILED:
        run.status, run.error, run.finished_at = "running", None, None
        run.summary = {k: v for k, v in (run.summary or {}).items() if k != "failure"}
        uow.session.execute(
            update(EodPartition)
            .where(EodPartition.run_id == run.id, EodPartition.status == FAILED)
            .values(status=PENDING, claimed_by=None, lease_until=None, error=None)
        )
    return run, False


def _plan_step(
    context: _Context, run_id: int, step: Step, business_date: date
) -> tuple[bool, Claim | None]:
    """Make ``step`` the run's current step, store its partitions (once) and claim one for this
    process, in one transaction; ``False`` if the run is not running any more."""
    with UnitOfWork(context.session_factory) as uow:
        found = partitions.running_step(uow, run_id, lock=True)
        if found is None:
            return False, None
        claimed = _plan_in(uow, context, found[0], step)
        uow.commit()
    return True, claimed


def _plan_in(
    uow: UnitOfWork, context: _Context, run: RunOf, step: Step, *, fresh: bool = False
) -> Claim | None:
    """In the caller's transaction (the run running, its row locked): ``step`` becomes current,
    its partitions are stored unless they are (``fresh``: the run was created in this
    transaction, nothing is), and one is claimed for this process."""
    partitions.set_step(uow, run.id, step.code)
    if fresh or not partitions.planned(uow, run.id, step.code):
        return _plan_new(uow, context, run, step)
    me, now, lease = context.me, context.now(), context.lease
    return partitions.claim(uow, run_id=run.id, me=me, now=now, lease=lease)


def _plan_new(uow: UnitOfWork, context: _Context, run: RunOf, step: Step) -> Claim | None:
    """Store the partitions of ``step``, which has none yet, and claim one for this process."""
    ranges = _ranges(uow, context, step, run.business_date)
    claim_for = (context.me, context.now(), context.lease)
    return partitions.plan(uow, run, step.code, ranges, claim_for=claim_for)


class _Chain:
    """What the transaction finishing a partition of ``step`` does next (``work_and_claim``'s
    ``then``): claim another partition of the step; if none is left and all are done, plan the
    next step and claim in it. ``step_done`` tells the runner the step finished (no need to
    look), when the transaction committed."""

    def __init__(self, context: _Context, step: Step) -> None:
        self.context, self.step = context, step
        codes = [s.code for s in context.book.steps]
        following = codes.index(step.code) + 1
        self.following = context.book.steps[following] if following < len(codes) else None
        self.step_done = False

    def __call__(self, uow: UnitOfWork, finished: Claim, now: datetime) -> Claim | None:
        context, run_id = self.context, finished.run_id
        self.step_done = False
        # A step planned as one partition has no other: no need to count (partitions are
        # stored once and never cut again).
        tally = {DONE: 1} if finished.sole else partitions.tally(uow, run_id, self.step.code)
        if tally.get(PENDING, 0) or tally.get(CLAIMED, 0):
            if context.dialect == "sqlite":
                return None  # claimed in a transaction of its own: joining workers get a turn
            me, lease = context.me, context.lease
            return partitions.claim(uow, run_id=run_id, me=me, now=now, lease=lease)
        if tally.get(FAILED, 0):
            return None
        self.step_done = True
        if self.following is None:
            return None
        run = partitions.advance_step(uow, run_id, self.step.code, self.following.code)
        return None if run is None else _plan_new(uow, context, run, self.following)


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
    context: _Context,
    run_id: int,
    step: Step,
    number: int,
    business_date: date,
    claimed: Claim | None,
) -> tuple[bool, Claim | None]:
    """Work or wait until every partition of the step is done (``True``) or the run stopped;
    with the claim of the next step the chain made, if it did."""
    shown: tuple[int, int] | None = None
    released_at = 0.0
    then = _Chain(context, step) if context.chained else None
    while True:
        while claimed is not None and claimed.step_code == step.code:
            finished, claimed = work_and_claim(
                context.session_factory, context.book, claimed, context.me, context.now, then=then
            )
            if (claimed is not None and claimed.step_code != step.code) or (
                finished and then is not None and then.step_done
            ):
                if context.progress is not None:  # the chain saw the step done (and planned on)
                    _show(context, run_id, step, number, business_date, shown)
                return True, claimed
            sqlite = context.dialect == "sqlite"
            if sqlite and (context.pool or _shared(context, run_id)):
                time.sleep(POLL_SECONDS)  # let the other processes past SQLite's writer lock
            else:
                if sqlite:  # a joining `eod worker` may be waiting for the lock: a window
                    time.sleep(JOIN_WINDOW_SECONDS)
                if context.progress is not None and claimed is not None:
                    shown = _show(context, run_id, step, number, business_date, shown)
        with UnitOfWork(context.session_factory, read_only=True) as uow:
            status = uow.session.scalar(select(EodRun.status).where(EodRun.id == run_id))
            tally = partitions.tally(uow, run_id, step.code)
        done, total = tally.get(DONE, 0), sum(tally.values())
        shown = _report(context, step, number, business_date, shown, done, total)
        if status != "running" or tally.get(FAILED):
            return False, None
        if done == total:
            return True, None
        if tally.get(CLAIMED) and time.monotonic() - released_at > RELEASE_EVERY_SECONDS:
            released_at = time.monotonic()
            _release_dead(context, run_id)
        claimed = claim_next(
            context.session_factory, run_id, context.me, context.now, context.lease
        )
        if claimed is None:
            time.sleep(POLL_SECONDS)


def _show(
    context: _Context,
    run_id: int,
    step: Step,
    number: int,
    business_date: date,
    shown: tuple[int, int] | None,
) -> tuple[int, int] | None:
    with UnitOfWork(context.session_factory, read_only=True) as uow:
        tally = partitions.tally(uow, run_id, step.code)
    return _report(
        context, step, number, business_date, shown, tally.get(DONE, 0), sum(tally.values())
    )


def _report(
    context: _Context,
    step: Step,
    number: int,
    business_date: date,
    shown: tuple[int, int] | None,
    done: int,
    total: int,
) -> tuple[int, int] | None:
    if context.progress is not None and (done, total) != shown:
        context.progress(
            Progress(business_date, step.code, number, len(context.book.steps), done, total)
        )
        return done, total
    return shown


def _shared(context: _Context, run_id: int) -> bool:
    """Whether other workers have taken part in the run (so it is worth yielding the lock)."""
    with UnitOfWork(context.session_factory, read_only=True) as uow:
        return partitions.others_at_work(uow, run_id, context.me)


def _release_dead(context: _Context, run_id: int) -> None:
    try:
        with UnitOfWork(context.session_factory) as uow:
            if partitions.release_dead(uow, run_id):
                uow.commit()
    except OperationalError as error:
        if not is_busy(error):
            raise  # else: another worker holds SQLite's writer lock; next time


def _finish_run(context: _Context, run_id: int) -> tuple[DaySummary, date]:
    """Mark the run done if every step is, and store its summary; the summary and the company's
    business date."""
    codes = [step.code for step in context.book.steps]
    with UnitOfWork(context.session_factory) as uow:
        run = uow.session.get(EodRun, run_id)
        assert run is not None
        if run.status == "running" and _all_done(uow, run_id, codes):
            run.status, run.current_step, run.finished_at = DONE, None, context.now()
        summary = day_summary(uow, run, codes)
        run.summary = summary_json(summary)
        following = _business_date_in(uow, context.company_id)
        uow.commit()
    return summary, following


def _all_done(uow: UnitOfWork, run_id: int, codes: list[str]) -> bool:
    rows = uow.session.execute(
        select(EodPartition.step_code, EodPartition.status).where(EodPartition.run_id == run_id)
    ).all()
    planned = {code for code, _status in rows}
    return set(codes) <= planned and all(status == DONE for _code, status in rows)

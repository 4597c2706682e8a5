"""Close of business for the edge: run it (with the operator's permission), and its status.

``run_close_of_business`` (``eod.runner``) is the machinery; ``close_business`` is the same with
the ``eod.run`` permission checked for an acting user, and ``join`` the lone worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, true

from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod.connections import pooled
from microlend.eod.discovery import load_steps
from microlend.eod.partitions import DEFAULT_LEASE, DEFAULT_PARTITION_SIZE
from microlend.eod.runner import ProgressCallback, run_close_of_business
from microlend.eod.summary import DaySummary, RunSummary, day_summary
from microlend.eod.tables import EodPartition, EodRun
from microlend.eod.worker import Clock, serve
from microlend.kernel.errors import NotFound
from microlend.kernel.principal import Principal, require

PERMISSION = "eod.run"


@dataclass(frozen=True)
class RunView:
    """A close of business as the status command and page show it."""

    id: int
    company_id: int
    business_date: date
    status: str
    current_step: str | None
    started_at: datetime
    finished_at: datetime | None
    partitions_done: int
    partitions_total: int
    error: str | None


def close_business(
    session_factory: SessionFactory,
    actor: Principal,
    *,
    company_id: int,
    target_date: date,
    workers: int,
    now: Clock,
    progress: ProgressCallback | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
) -> RunSummary:
    """Close the company's business dates up to ``target_date`` (see ``run_close_of_business``)."""
    require(actor, PERMISSION)
    if not actor.sees_company(company_id):
        raise NotFound(
            "company %(company_id)s not found",
            code="company_not_found",
            params={"company_id": company_id},
        )
    return run_close_of_business(
        session_factory,
        company_id=company_id,
        target_date=target_date,
        workers=workers,
        now=now,
        progress=progress,
        partition_size=partition_size,
    )


def join(
    session_factory: SessionFactory,
    actor: Principal,
    *,
    company_id: int | None,
    now: Clock,
    idle_seconds: float,
    lease: timedelta = DEFAULT_LEASE,
) -> int:
    """Work partitions of running closes of business (of the company, or any) until none has
    run for ``idle_seconds``; how many partitions this worker did."""
    require(actor, PERMISSION)
    with pooled(session_factory) as factory:  # it polls: one connection, not one a poll
        return serve(
            factory,
            load_steps(),
            company_id=company_id,
            worker=0,
            now=now,
            lease=lease,
            idle_exit=idle_seconds,
        )


def list_runs(
    uow: UnitOfWork, actor: Principal, *, limit: int = 20, run_id: int | None = None
) -> list[RunView]:
    """The latest closes of business of the actor's visible companies, newest first."""
    require(actor, PERMISSION)
    done = func.sum(case((EodPartition.status == "done", 1), else_=0))
    counts = (
        select(EodPartition.run_id, func.count().label("total"), done.label("done"))
        .group_by(EodPartition.run_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(EodRun, counts.c.total, counts.c.done)
        .outerjoin(counts, counts.c.run_id == EodRun.id)
        .where(EodRun.company_id.in_(sorted(actor.company_ids)))
        .where(true() if run_id is None else EodRun.id == run_id)
        .order_by(EodRun.business_date.desc(), EodRun.id.desc())
        .limit(limit)
    ).all()
    return [
        RunView(
            run.id,
            run.company_id,
            run.business_date,
            run.status,
            run.current_step,
            run.started_at,
            run.finished_at,
            int(done or 0),
            int(total or 0),
            run.error,
        )
        for run, total, done in rows
    ]


@dataclass(frozen=True)
class RunDetail:
    """One close of business with its steps (counts, partitions, seconds) and failure report."""

    run: RunView
    summary: DaySummary


def get_run(uow: UnitOfWork, actor: Principal, *, run_id: int) -> RunDetail:
    require(actor, PERMISSION)
    row = uow.session.get(EodRun, run_id)
    if row is None or not actor.sees_company(row.company_id):
        raise NotFound(
            "close of business %(run_id)s not found",
            code="eod_run_not_found",
            params={"run_id": run_id},
        )
    view = next(
        (run for run in list_runs(uow, actor, limit=1, run_id=run_id) if run.id == run_id), None
    )
    assert view is not None
    order = [step.code for step in load_steps().steps]
    return RunDetail(view, day_summary(uow, row, order))

"""What a close of business did: counts and time per step, per day, and over a catch-up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from microlend.db.uow import UnitOfWork
from microlend.eod.tables import EodPartition, EodRun


@dataclass(frozen=True)
class StepSummary:
    code: str
    partitions: int
    counts: dict[str, int]
    seconds: float


@dataclass(frozen=True)
class DaySummary:
    """One company's close of business for one date. ``failure`` is the stopping step's report
    (e.g. reconciliation differences), when it gave one."""

    run_id: int
    company_id: int
    business_date: date
    status: str
    steps: tuple[StepSummary, ...]
    seconds: float
    error: str | None = None
    failure: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSummary:
    """A ``run_close_of_business`` call: the days it closed (or stopped on), in order."""

    company_id: int
    target_date: date
    days: tuple[DaySummary, ...]
    seconds: float

    @property
    def status(self) -> str:
        """``done``, ``failed`` (the last day stopped), or ``nothing`` (no day was open)."""
        return self.days[-1].status if self.days else "nothing"

    @property
    def failed_day(self) -> DaySummary | None:
        return next((day for day in self.days if day.status == "failed"), None)

    def totals(self) -> dict[str, dict[str, int]]:
        """Counts per step, summed over the days, in step order."""
        totals: dict[str, dict[str, int]] = {}
        for day in self.days:
            for step in day.steps:
                into = totals.setdefault(step.code, {})
                for key, value in step.counts.items():
                    into[key] = into.get(key, 0) + value
        return totals

    def step_seconds(self) -> dict[str, float]:
        seconds: dict[str, float] = defaultdict(float)
        for day in self.days:
            for step in day.steps:
                seconds[step.code] += step.seconds
        return dict(seconds)


def day_summary(uow: UnitOfWork, run: EodRun, step_order: list[str]) -> DaySummary:
    """The run's summary from its partitions (steps in ``step_order``, unknown ones last)."""
    rows = uow.session.scalars(
        select(EodPartition)
        .where(EodPartition.run_id == run.id)
        .order_by(EodPartition.step_code, EodPartition.partition_no)
    ).all()
    by_step: dict[str, list[EodPartition]] = defaultdict(list)
    for row in rows:
        by_step[row.step_code].append(row)
    rank = {code: index for index, code in enumerate(step_order)}
    steps = tuple(
        _step_summary(code, by_step[code])
        for code in sorted(by_step, key=lambda code: (rank.get(code, len(rank)), code))
    )
    finished = run.finished_at or max(
        (row.finished_at for row in rows if row.finished_at), default=run.started_at
    )
    return DaySummary(
        run.id,
        run.company_id,
        run.business_date,
        run.status,
        steps,
        (finished - run.started_at).total_seconds(),
        run.error,
        dict((run.summary or {}).get("failure", {})),
    )


def _step_summary(code: str, rows: list[EodPartition]) -> StepSummary:
    counts: dict[str, int] = {}
    for row in rows:
        for key, value in (row.counts or {}).items():
            counts[key] = counts.get(key, 0) + int(value)
    started = [row.claimed_at for row in rows if row.claimed_at]
    finished = [row.finished_at for row in rows if row.finished_at]
    seconds = (max(finished) - min(started)).total_seconds() if started and finished else 0.0
    return StepSummary(code, len(rows), counts, max(seconds, 0.0))


def summary_json(day: DaySummary) -> dict[str, Any]:
    """What ``eod_runs.summary`` keeps once the day is closed."""
    stored: dict[str, Any] = {
        "steps": [
            {"code": s.code, "partitions": s.partitions, "counts": s.counts, "seconds": s.seconds}
            for s in day.steps
        ],
        "seconds": day.seconds,
    }
    if day.failure:
        stored["failure"] = day.failure
    return stored

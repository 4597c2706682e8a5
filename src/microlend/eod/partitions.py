"""Partitions of a step: cutting the id range, claiming, taking over dead claims, finishing.

Claiming takes the first pending partition of the run's current step (or a claimed one whose lease
ran out): on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so concurrent workers skip each other; on
SQLite the writer lock (``BEGIN IMMEDIATE``) serialises claims.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, or_, select, update

from microlend.db.base import table
from microlend.db.uow import UnitOfWork
from microlend.eod.tables import EodPartition, EodRun

PENDING, CLAIMED, DONE, FAILED = "pending", "claimed", "done", "failed"
DEFAULT_PARTITION_SIZE = 25_000
DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    """A partition this worker holds."""

    partition_id: int
    run_id: int
    company_id: int
    business_date_iso: str
    step_code: str
    partition_no: int
    id_low: int
    id_high: int
    attempts: int
    sole: bool = False  # the step's only partition (planned so): done, the step is done


def worker_name(worker: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{worker}"


def cut(low: int, high: int, size: int) -> Iterator[tuple[int, int]]:
    """The ranges ``low..high`` cut into pieces of ``size`` ids (both ends included)."""
    start = low
    while start <= high:
        yield start, min(start + size - 1, high)
        start += size


# The statements of the bookkeeping, built once: a small company's night is mostly bookkeeping,
# and building an ORM statement and its cache key each time cost about six times its run on SQLite.
P, R = table(EodPartition), table(EodRun)
_COUNT = (
    select(func.count())
    .select_from(P)
    .where(P.c.run_id == bindparam("run_id"), P.c.step_code == bindparam("step_code"))
)
_INSERT = insert(P)
_INSERT_ONE = insert(P).returning(P.c.id)
_RUN = select(R.c.status, R.c.current_step, R.c.company_id, R.c.business_date).where(
    R.c.id == bindparam("run_id")
)
_CLAIMABLE = (
    select(P.c.id, P.c.step_code, P.c.partition_no, P.c.id_low, P.c.id_high, P.c.attempts)
    .where(
        P.c.run_id == bindparam("run_id"),
        P.c.step_code == bindparam("step_code"),
        or_(
            P.c.status == PENDING,
            (P.c.status == CLAIMED) & (P.c.lease_until < bindparam("now")),
        ),
    )
    .order_by(P.c.partition_no)
    .limit(1)
)
_CLAIM = (
    update(P)
    .where(P.c.id == bindparam("partition_id"))
    .values(
        status=CLAIMED,
        claimed_by=bindparam("me"),
        claimed_at=bindparam("now", type_=P.c.claimed_at.type),
        lease_until=bindparam("until", type_=P.c.lease_until.type),
        attempts=P.c.attempts + 1,
    )
)
_HELD = select(P.c.id).where(
    P.c.id == bindparam("partition_id"),
    P.c.status == CLAIMED,
    P.c.claimed_by == bindparam("me"),
)
_FINISH = (
    update(P)
    .where(P.c.id == bindparam("partition_id"))
    .values(
        status=DONE,
        counts=bindparam("counts", type_=P.c.counts.type),
        finished_at=bindparam("now", type_=P.c.finished_at.type),
        lease_until=None,
    )
)
_SET_STEP = update(R).where(R.c.id == bindparam("run_id")).values(current_step=bindparam("step"))
_ADVANCE = (
    update(R)
    .where(
        R.c.id == bindparam("run_id"),
        R.c.status == "running",
        R.c.current_step == bindparam("finished"),
    )
    .values(current_step=bindparam("step"))
    .returning(R.c.company_id, R.c.business_date)
)
# on PostgreSQL the claim skips partitions other workers hold, the work locks its own, and the
# runner locks the run while it moves the run on
_CLAIMABLE_LOCKED = _CLAIMABLE.with_for_update(skip_locked=True)
_HELD_LOCKED = _HELD.with_for_update()
_RUN_LOCKED = _RUN.with_for_update()


def _on(uow: UnitOfWork, plain: Select[Any], locked: Select[Any]) -> Select[Any]:
    """``locked`` on PostgreSQL, ``plain`` elsewhere (SQLite's writer lock serialises all)."""
    return locked if uow.dialect == "postgresql" else plain


@dataclass(frozen=True)
class RunOf:
    """What a claim needs of its run."""

    id: int
    company_id: int
    business_date: date


def running_step(
    uow: UnitOfWork, run_id: int, *, lock: bool = False
) -> tuple[RunOf, str | None] | None:
    """The run, if it is running, and its current step; with ``lock`` its row locked."""
    statement = _on(uow, _RUN, _RUN_LOCKED) if lock else _RUN
    found = uow.session.execute(statement, {"run_id": run_id}).first()
    if found is None or found.status != "running":
        return None
    return RunOf(run_id, found.company_id, found.business_date), found.current_step


def set_step(uow: UnitOfWork, run_id: int, step_code: str) -> None:
    """Make ``step_code`` the run's current step."""
    uow.session.execute(_SET_STEP, {"run_id": run_id, "step": step_code})


def advance_step(uow: UnitOfWork, run_id: int, finished: str, step_code: str) -> RunOf | None:
    """Move the run on from ``finished`` to ``step_code``, its row locked by the update; ``None``
    if the run is not running or not at ``finished`` any more (another process moved it). For
    the transaction that finished the last partition of ``finished``: the partitions of the
    step after it cannot exist yet, as they are stored only once every partition of
    ``finished`` is done, and a done partition never changes."""
    found = uow.session.execute(
        _ADVANCE, {"run_id": run_id, "finished": finished, "step": step_code}
    ).first()
    return None if found is None else RunOf(run_id, found.company_id, found.business_date)


def planned(uow: UnitOfWork, run_id: int, step_code: str) -> bool:
    """Whether the step's partitions exist already."""
    return bool(uow.session.scalar(_COUNT, {"run_id": run_id, "step_code": step_code}))


def plan(
    uow: UnitOfWork,
    run: RunOf,
    step_code: str,
    ranges: list[tuple[int, int]],
    *,
    claim_for: tuple[str, datetime, timedelta] | None = None,
) -> Claim | None:
    """Store the step's partitions, pending. With no work at all, one empty partition, done, so
    that the step is recorded as finished (its partitions are never cut again).

    ``claim_for`` (who, when, lease): the first partition is stored claimed by that worker, and
    its claim returned (what ``claim`` would do next, without two statements)."""
    common = {"run_id": run.id, "step_code": step_code, "attempts": 0}
    if not ranges:
        empty = {**common, "partition_no": 0, "id_low": 1, "id_high": 0, "counts": {}}
        uow.session.execute(_INSERT, {**empty, "status": DONE})
        return None
    rows = [
        {**common, "partition_no": number, "id_low": low, "id_high": high, "status": PENDING}
        for number, (low, high) in enumerate(ranges)
    ]
    if claim_for is None:
        uow.session.execute(_INSERT, rows)
        return None
    me, now, lease = claim_for
    first = {**rows[0], "status": CLAIMED, "claimed_by": me, "claimed_at": now, "attempts": 1}
    first["lease_until"] = now + lease
    partition_id = uow.session.execute(_INSERT_ONE, first).scalar_one()
    if rows[1:]:
        uow.session.execute(_INSERT, rows[1:])
    low, high = ranges[0]
    return _claim_of(run, step_code, (partition_id, 0, low, high, 1), sole=len(rows) == 1)


def tally(uow: UnitOfWork, run_id: int, step_code: str) -> dict[str, int]:
    """How many partitions of the step are in each status."""
    rows = uow.session.execute(
        select(EodPartition.status, func.count())
        .where(EodPartition.run_id == run_id, EodPartition.step_code == step_code)
        .group_by(EodPartition.status)
    ).all()
    return {status: count for status, count in rows}


def claim(
    uow: UnitOfWork, *, run_id: int, me: str, now: datetime, lease: timedelta
) -> Claim | None:
    """Claim a partition of the run's current step, or ``None`` (nothing left, or not running)."""
    found = running_step(uow, run_id)
    if found is None:
        return None
    run, step_code = found
    if step_code is None:
        return None
    params = {"run_id": run_id, "step_code": step_code, "now": now}
    partition = uow.session.execute(_on(uow, _CLAIMABLE, _CLAIMABLE_LOCKED), params).first()
    if partition is None:
        return None
    claimed = {"partition_id": partition.id, "me": me, "now": now, "until": now + lease}
    uow.session.execute(_CLAIM, claimed)
    held = (partition.id, partition.partition_no, partition.id_low, partition.id_high)
    return _claim_of(run, step_code, (*held, partition.attempts + 1))


def _claim_of(
    run: RunOf, step_code: str, partition: tuple[int, int, int, int, int], *, sole: bool = False
) -> Claim:
    """The claim of ``partition`` (id, number, lowest and highest id, attempts)."""
    partition_id, number, low, high, attempts = partition
    iso = run.business_date.isoformat()
    return Claim(
        partition_id, run.id, run.company_id, iso, step_code, number, low, high, attempts, sole
    )


def hold(uow: UnitOfWork, claim: Claim, me: str) -> bool:
    """Lock the claimed partition for the work's transaction; ``False`` if it was taken over."""
    held = _on(uow, _HELD, _HELD_LOCKED)
    return uow.session.scalar(held, {"partition_id": claim.partition_id, "me": me}) is not None


def finish(uow: UnitOfWork, claim: Claim, counts: dict[str, int], now: datetime) -> None:
    done = {"partition_id": claim.partition_id, "counts": counts, "now": now}
    uow.session.execute(_FINISH, done)


def release(uow: UnitOfWork, claim: Claim) -> None:
    """Give the partition back (pending), e.g. after a serialization failure worth retrying."""
    uow.session.execute(
        update(EodPartition)
        .where(EodPartition.id == claim.partition_id, EodPartition.status == CLAIMED)
        .values(status=PENDING, claimed_by=None, lease_until=None)
    )


def fail(uow: UnitOfWork, claim: Claim, error: str, now: datetime) -> None:
    """Mark the partition and its run failed (the work itself was rolled back)."""
    uow.session.execute(
        update(EodPartition)
        .where(EodPartition.id == claim.partition_id)
        .values(status=FAILED, error=error, finished_at=now, lease_until=None)
    )
    uow.session.execute(
        update(EodRun)
        .where(EodRun.id == claim.run_id, EodRun.status == "running")
        .values(
            status=FAILED,
            finished_at=now,
            error=f"{claim.step_code} partition {claim.partition_no}: {error}",
        )
    )


def others_at_work(uow: UnitOfWork, run_id: int, me: str) -> bool:
    """Whether another worker has claimed any partition of the run (so it is worth yielding)."""
    found = uow.session.scalar(
        select(EodPartition.id)
        .where(
            EodPartition.run_id == run_id,
            EodPartition.claimed_by.is_not(None),
            EodPartition.claimed_by != me,
        )
        .limit(1)
    )
    return found is not None


def release_dead(uow: UnitOfWork, run_id: int) -> int:
    """Put back to pending the claims of processes of this host that are gone; how many."""
    host = socket.gethostname()
    claimed = uow.session.execute(
        select(EodPartition.id, EodPartition.claimed_by).where(
            EodPartition.run_id == run_id, EodPartition.status == CLAIMED
        )
    ).all()
    dead = [pid for pid, owner in claimed if owner and _is_dead_here(owner, host)]
    if dead:
        uow.session.execute(
            update(EodPartition)
            .where(EodPartition.id.in_(dead), EodPartition.status == CLAIMED)
            .values(status=PENDING, claimed_by=None, lease_until=None)
        )
    return len(dead)


def _is_dead_here(owner: str, host: str) -> bool:
    """Whether ``owner`` (``host:pid:worker``) is a process of this host that no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed child its parent has not reaped yet still answers ``kill(pid, 0)``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False

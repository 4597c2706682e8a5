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
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

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


def planned(uow: UnitOfWork, run_id: int, step_code: str) -> bool:
    """Whether the step's partitions exist already."""
    found = uow.session.scalar(
        select(func.count())
        .select_from(EodPartition)
        .where(EodPartition.run_id == run_id, EodPartition.step_code == step_code)
    )
    return bool(found)


def plan(
    uow: UnitOfWork,
    run_id: int,
    step_code: str,
    ranges: list[tuple[int, int]],
    *,
    claim_for: tuple[EodRun, str, datetime, timedelta] | None = None,
) -> Claim | None:
    """Store the step's partitions, pending. With no work at all, one empty partition, done, so
    that the step is recorded as finished (its partitions are never cut again).

    ``claim_for`` (the run, who, when, lease): the first partition is stored claimed by that
    worker, and its claim returned (what ``claim`` would do next, without two statements)."""
    if not ranges:
        uow.session.add(
            EodPartition(
                run_id=run_id,
                step_code=step_code,
                partition_no=0,
                id_low=1,
                id_high=0,
                status=DONE,
                attempts=0,
                counts={},
            )
        )
    rows = [
        EodPartition(
            run_id=run_id,
            step_code=step_code,
            partition_no=number,
            id_low=low,
            id_high=high,
            status=PENDING,
            attempts=0,
        )
        for number, (low, high) in enumerate(ranges)
    ]
    if rows and claim_for is not None:
        _, me, now, lease = claim_for
        first = rows[0]
        first.status, first.claimed_by, first.claimed_at = CLAIMED, me, now
        first.lease_until, first.attempts = now + lease, 1
    uow.session.add_all(rows)
    uow.flush()
    if not rows or claim_for is None:
        return None
    return _claim_of(claim_for[0], rows[0], sole=len(rows) == 1)


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
    run = uow.session.get(EodRun, run_id)
    if run is None or run.status != "running" or run.current_step is None:
        return None
    query = (
        select(EodPartition)
        .where(
            EodPartition.run_id == run_id,
            EodPartition.step_code == run.current_step,
            or_(
                EodPartition.status == PENDING,
                (EodPartition.status == CLAIMED) & (EodPartition.lease_until < now),
            ),
        )
        .order_by(EodPartition.partition_no)
        .limit(1)
    )
    if uow.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    partition = uow.session.scalars(query).first()
    if partition is None:
        return None
    partition.status = CLAIMED
    partition.claimed_by = me
    partition.claimed_at = now
    partition.lease_until = now + lease
    partition.attempts += 1
    uow.flush()
    return _claim_of(run, partition)


def _claim_of(run: EodRun, partition: EodPartition, *, sole: bool = False) -> Claim:
    return Claim(
        partition.id,
        run.id,
        run.company_id,
        run.business_date.isoformat(),
        partition.step_code,
        partition.partition_no,
        partition.id_low,
        partition.id_high,
        partition.attempts,
        sole,
    )


def hold(uow: UnitOfWork, claim: Claim, me: str) -> bool:
    """Lock the claimed partition for the work's transaction; ``False`` if it was taken over."""
    query = select(EodPartition.id).where(
        EodPartition.id == claim.partition_id,
        EodPartition.status == CLAIMED,
        EodPartition.claimed_by == me,
    )
    if uow.dialect == "postgresql":
        query = query.with_for_update()
    return uow.session.scalar(query) is not None


def finish(uow: UnitOfWork, claim: Claim, counts: dict[str, int], now: datetime) -> None:
    uow.session.execute(
        update(EodPartition)
        .where(EodPartition.id == claim.partition_id)
        .values(status=DONE, counts=counts, finished_at=now, lease_until=None)
    )


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

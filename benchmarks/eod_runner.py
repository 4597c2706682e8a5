"""The close-of-business runner's own cost: one day over N ids with two set-based steps.

    .venv/bin/python benchmarks/eod_runner.py [--n 1000000] [--workers 1 2] [--skip-sqlite]

Not the loan steps (benchmarks/eod.py measures those): two stand-in partitioned steps, each one
statement per partition — ``bench.accrue`` inserts a row per id (``INSERT ... SELECT``),
``bench.age`` updates a row per id — plus the real reconciliation and advance-date steps. It
shows what the runner (partitions of 25,000 ids, claims, barriers, worker processes) adds on top
of the SQL, and the peak memory (this process and its workers). PostgreSQL is a throwaway cluster
(tests/pg_cluster.py); SQLite a WAL file in a temporary directory. Writes
benchmarks/results/eod_runner.json. Never run as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from microlend.db.engine import create_engine_for
from microlend.db.eod import ACCRUAL, DELINQUENCY, Counts, Step
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.eod.discovery import STEP_MODULES_VARIABLE
from microlend.eod.runner import run_close_of_business
from microlend.orgs import service as orgs

RESULTS = Path(__file__).resolve().parent / "results" / "eod_runner.json"
DAY = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)


def clock() -> datetime:
    return datetime.now(UTC)


def bounds(uow: UnitOfWork, company_id: int, business_date: date) -> tuple[int, int] | None:
    low, high = uow.session.execute(text("SELECT MIN(id), MAX(id) FROM bench_items")).one()
    return None if low is None else (int(low), int(high))


def accrue(
    uow: UnitOfWork, company_id: int, business_date: date, low: int, high: int, *, now: datetime
) -> Counts:
    inserted = uow.session.execute(
        text(
            "INSERT INTO bench_accruals (item, day, amount) SELECT id, :day, id % 97"
            " FROM bench_items WHERE id BETWEEN :low AND :high"
        ),
        {"day": business_date.isoformat(), "low": low, "high": high},
    )
    return {"loans": int(inserted.rowcount)}  # type: ignore[attr-defined]


def age(
    uow: UnitOfWork, company_id: int, business_date: date, low: int, high: int, *, now: datetime
) -> Counts:
    updated = uow.session.execute(
        text("UPDATE bench_items SET days = days + 1 WHERE id BETWEEN :low AND :high"),
        {"low": low, "high": high},
    )
    return {"aged": int(updated.rowcount)}  # type: ignore[attr-defined]


STEPS = [
    Step.partitioned("bench.accrue", ACCRUAL, run=accrue, bounds=bounds),
    Step.partitioned("bench.age", DELINQUENCY, run=age, bounds=bounds),
]


def prepare(url: str, n: int) -> int:
    engine = create_engine_for(url)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        company = orgs.found_company(
            uow, company_code="BENCH", company_name="Bench", business_date=DAY, now=NOW
        )
        uow.commit()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_items (id BIGINT PRIMARY KEY, days INT)"))
        connection.execute(
            text("CREATE TABLE bench_accruals (item BIGINT, day VARCHAR(10), amount BIGINT)")
        )
        for start in range(1, n + 1, 100_000):
            rows = [{"id": i, "days": 0} for i in range(start, min(start + 100_000, n + 1))]
            connection.execute(text("INSERT INTO bench_items (id, days) VALUES (:id, :days)"), rows)
    engine.dispose()
    return company.id


def measure(name: str, url: str, n: int, workers: int) -> dict[str, float]:
    company_id = prepare(url, n)
    engine = create_engine_for(url)
    started = time.monotonic()
    summary = run_close_of_business(
        make_session_factory(engine),
        company_id=company_id,
        target_date=DAY,
        workers=workers,
        now=clock,
    )
    seconds = time.monotonic() - started
    engine.dispose()
    assert summary.status == "done", summary
    print(f"{name} workers={workers}: {n:,} ids in {seconds:.2f} s ({n / seconds:,.0f}/s)")
    for code, spent in summary.step_seconds().items():
        print(f"  {code:<18} {spent:8.2f} s  {summary.totals()[code]}")
    return {f"{name}_workers{workers}_seconds": round(seconds, 2)}


def peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="ids (stand-in loans)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-sqlite", action="store_true")
    options = parser.parse_args()
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    sys.path.insert(0, str(here))
    os.environ[STEP_MODULES_VARIABLE] = "eod_runner"
    from tests.pg_cluster import PgCluster

    measured: dict[str, float] = {}
    if not options.skip_sqlite:
        with tempfile.TemporaryDirectory() as directory:
            measured |= measure("sqlite", f"sqlite:///{directory}/bench.db", options.n, 1)
    cluster = PgCluster().start()
    try:
        for number, workers in enumerate(options.workers):
            database = f"bench{number}"
            with create_engine_for(cluster.url()).connect() as admin:
                admin.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text(f'CREATE DATABASE "{database}"')
                )
            measured |= measure("postgres", cluster.url(database), options.n, workers)
    finally:
        cluster.stop()
    report = {
        "benchmark": "eod_runner",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "ids": options.n,
        "peak_memory_mb": peak_memory_mb(),
        **measured,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"peak memory {report['peak_memory_mb']} MB; written to {RESULTS}")


if __name__ == "__main__":
    main()

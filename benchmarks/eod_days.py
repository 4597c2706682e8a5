"""The fixed cost of a close of business: a small company closed day by day on SQLite.

    .venv/bin/python benchmarks/eod_days.py [--loans 30] [--days 30] [--postgres]

The demo (``microlend demo``) runs close of business for each of 365 days over 30-100 loans, so
what a day costs with little work matters as much as the throughput at a million loans. The
company is the benchmark portfolio's (benchmarks/portfolio.py) with ``--loans`` template loans
(no clones), in a SQLite file in a temporary directory (``--postgres``: a throwaway cluster);
then ``--days`` days are closed one ``run_close_of_business`` call each, in this process, as the
demo does. Prints the seconds per day (median and mean) and per step; writes
benchmarks/results/eod_days.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.portfolio import DAY, build_portfolio, clock
from sqlalchemy import text

from microlend.db.engine import create_engine_for
from microlend.db.uow import make_session_factory
from microlend.eod.runner import run_close_of_business

RESULTS = Path(__file__).resolve().parent / "results" / "eod_days.json"


def measure(url: str, loans: int, days: int) -> dict[str, object]:
    portfolio = build_portfolio(url, loans=loans, templates=loans)
    engine = create_engine_for(url)
    factory = make_session_factory(engine)
    per_day: list[float] = []
    per_step: dict[str, float] = defaultdict(float)
    load_before = os.getloadavg()[0]
    for offset in range(days):
        started = time.perf_counter()
        summary = run_close_of_business(
            factory,
            company_id=portfolio.company_id,
            target_date=DAY + timedelta(days=offset),
            now=clock,
        )
        per_day.append(time.perf_counter() - started)
        if summary.status != "done":
            raise SystemExit(f"close of business {summary.status}: {summary}")
        for code, seconds in summary.step_seconds().items():
            per_step[code] += seconds / days
    engine.dispose()
    return {
        "loans": loans,
        "days": days,
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "seconds_per_day_median": round(statistics.median(per_day), 4),
        "seconds_per_day_mean": round(statistics.fmean(per_day), 4),
        "step_seconds_per_day": {code: round(s, 4) for code, s in per_step.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=30)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args()
    if options.postgres:
        from tests.pg_cluster import PgCluster

        cluster = PgCluster().start()
        try:
            with create_engine_for(cluster.url()).connect() as admin:
                admin.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text('CREATE DATABASE "bench"')
                )
            result = measure(cluster.url("bench"), options.loans, options.days)
        finally:
            cluster.stop()
    else:
        with tempfile.TemporaryDirectory() as directory:
            result = measure(f"sqlite:///{directory}/days.db", options.loans, options.days)
    report = {
        "benchmark": "eod_days",
        "command": "benchmarks/eod_days.py " + " ".join(sys.argv[1:]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if options.postgres else "sqlite",
        **result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

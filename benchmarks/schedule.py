"""Schedules per second of the schedule engine, on one core.

    .venv/bin/python benchmarks/schedule.py [--seconds 2]

Builds equal-installment schedules of 12 and 360 monthly installments (and, for scale, the APR
of the 12-installment one) over and over for a few seconds each, keeps the best of three runs,
prints the rates per CPU second and per wall-clock second and writes them to
benchmarks/results/schedule.json. The target is at least 10,000 twelve-installment schedules per
second on one core (CPU time, so that other work on the machine does not blur it). Never run as a
test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from microlend.loans.calculator.apr import schedule_apr
from microlend.loans.calculator.model import RepaymentMethod, Terms
from microlend.loans.calculator.schedule import build_schedule

RESULTS = Path(__file__).resolve().parent / "results" / "schedule.json"
TARGET_12 = 10_000


def loan(term: int) -> Terms:
    return Terms(
        principal=Decimal("100000"),
        annual_rate=Decimal("12"),
        term=term,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursement_date=date(2025, 1, 15),
    )


def rates_per_second(work: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Calls per CPU second and per wall-clock second, best of three runs of ``seconds`` / 3.

    CPU time is what one core spends on the work whatever else the machine runs; wall-clock
    time is what a caller waits for on a busy machine."""
    best_cpu = best_wall = 0.0
    for _ in range(3):
        calls, wall_start, cpu_start = 0, time.perf_counter(), time.process_time()
        deadline = wall_start + seconds / 3
        while time.perf_counter() < deadline:
            for _ in range(50):
                work()
            calls += 50
        cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
        best_cpu, best_wall = max(best_cpu, calls / cpu), max(best_wall, calls / wall)
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    seconds = parser.parse_args().seconds
    twelve, three_sixty = loan(12), loan(360)
    schedule_12 = build_schedule(twelve)
    work = {
        "equal_installment_12": lambda: build_schedule(twelve),
        "equal_installment_360": lambda: build_schedule(three_sixty),
        "apr_of_equal_installment_12": lambda: schedule_apr(schedule_12),
    }
    measured: dict[str, float] = {}
    print(f"{'per second':30} {'CPU (one core)':>15} {'wall clock':>12}")
    for name, call in work.items():
        cpu, wall = rates_per_second(call, seconds)
        measured[f"{name}_per_cpu_second"], measured[f"{name}_per_wall_second"] = cpu, wall
        print(f"{name:30} {cpu:15,.0f} {wall:12,.0f}")
    meets = measured["equal_installment_12_per_cpu_second"] >= TARGET_12
    report = {
        "benchmark": "schedule",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "load_average_1m": os.getloadavg()[0],
        "target_12_per_cpu_second": TARGET_12,
        "meets_target": meets,
        **{name: round(value) for name, value in measured.items()},
    }
    verdict = "meets it" if meets else "MISSES it"
    print(f"target >= {TARGET_12:,} twelve-installment schedules per CPU second: {verdict}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

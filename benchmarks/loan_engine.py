"""Replays per second of the pure loan account engine, on one core.

    .venv/bin/python benchmarks/loan_engine.py [--seconds 3]

A replay rebuilds a loan's account from its contract and events (what the service does on every
repayment, back-dated payment or reversal, before it posts vouchers). Measured on equal-
installment loans of 12, 36 and 360 monthly installments with one repayment per installment
(every third one late, so penalty accrues), and ``post`` of a back-dated payment onto the
36-installment history (two replays and the comparison of postings). Best of three runs, per
CPU second and per wall-clock second; written to benchmarks/results/loan_engine.json. Never run
as a test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from microlend.loans.calculator.model import RepaymentMethod, Terms
from microlend.loans.engine import LoanContract, LoanEvent, Repayment, post, replay

RESULTS = Path(__file__).resolve().parent / "results" / "loan_engine.json"
START = date(2025, 1, 15)


def history(term: int) -> tuple[LoanContract, list[LoanEvent], date]:
    terms = Terms(
        principal=Decimal("100000"),
        annual_rate=Decimal("12"),
        term=term,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursement_date=START,
    )
    contract = LoanContract.open(terms)
    events: list[LoanEvent] = []
    for k, installment in enumerate(contract.schedule.installments):
        late = timedelta(days=7 if k % 3 == 2 else 0)
        amount = installment.total + (Decimal("50") if late else 0)
        events.append(Repayment(f"r{k}", installment.due_date + late, k, amount))
    return contract, events, contract.schedule.installments[-1].due_date + timedelta(days=30)


def rates_per_second(work: Callable[[], object], seconds: float) -> tuple[float, float]:
    best_cpu = best_wall = 0.0
    for _ in range(3):
        calls, wall_start, cpu_start = 0, time.perf_counter(), time.process_time()
        deadline = wall_start + seconds / 3
        while time.perf_counter() < deadline:
            work()
            calls += 1
        cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
        best_cpu, best_wall = max(best_cpu, calls / cpu), max(best_wall, calls / wall)
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    seconds = parser.parse_args().seconds
    work: dict[str, Callable[[], object]] = {}
    for term in (12, 36, 360):
        work[f"replay_{term}_installments"] = partial(replay, *history(term))
    contract, events, end = history(36)
    back_dated = Repayment("late-entry", START + timedelta(days=45), 999, Decimal("100.00"))
    work["post_back_dated_onto_36"] = lambda: post(contract, events, back_dated, end)
    measured: dict[str, float] = {}
    print(f"{'per second':30} {'CPU (one core)':>15} {'wall clock':>12}")
    for name, call in work.items():
        cpu, wall = rates_per_second(call, seconds)
        measured[f"{name}_per_cpu_second"], measured[f"{name}_per_wall_second"] = cpu, wall
        print(f"{name:30} {cpu:15,.1f} {wall:12,.1f}")
    report = {
        "benchmark": "loan_engine",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "load_average_1m": os.getloadavg()[0],
        **{name: round(value, 1) for name, value in measured.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

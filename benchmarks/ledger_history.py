"""Balances on a journal with years of history, with and without the balances kept at month ends.

    .venv/bin/python benchmarks/ledger_history.py [--months 36] [--vouchers 20000] [--repeat 5]

A throwaway PostgreSQL cluster (tests/pg_cluster.py, fsync off) gets a company with the default
chart and ``--months`` months of history from January 2024 written set-based: ``--vouchers``
vouchers a month, each of two lines (loans 130301 against the bank 1002, paid out or repaid,
spread over the month's days), numbered in their periods as posting numbers them. The business
date is the day after the last month. Timed, each ``--repeat`` times (the median is printed):

* *reconciliation*: the trial balance close of business's reconciliation reads at the business
  date (1303 and its sub-accounts, ``trial_balance(codes=)``);
* *1304*: ``account_balance`` of the provision account, as the provisions step asks every night
  (no lines: the cost of finding that out);
* *trial balance* of the last month, every account;
* *balance sheet* at the last month's end.

First with every month open (every line since the first is read), then after closing the months
in order (each close keeps its balances, ``accounting.period_balances``; the closes are timed
too), then again. The figures of both passes are printed with their ratio and written to
benchmarks/results/ledger_history.json. Never run as a test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import ledger as bench_ledger

from microlend.accounting import service as ledger
from microlend.accounting.model import period_end
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.kernel.principal import Principal

RESULTS = Path(__file__).resolve().parent / "results" / "ledger_history.json"
NOW = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
FIRST = date(2024, 1, 1)

# a month's vouchers and their lines, set-based; :office, :loan and :bank are ids
HISTORY = """
WITH made AS (
    INSERT INTO vouchers (company_id, office_id, number, period, business_date, entered_at, kind,
                          summary, idempotency_key, fingerprint, created_by)
    SELECT :company, :office, :period || '-' || lpad(n::text, 6, '0'), :period,
           :first + (n % :days), :now, 'bench', 'bench', 'bench:' || :period || ':' || n, NULL,
           'bench'
    FROM generate_series(1, :count) AS n
    RETURNING id, business_date
)
INSERT INTO voucher_lines (voucher_id, line_no, company_id, office_id, business_date, account_id,
                           side, amount_minor, currency, memo)
SELECT made.id, line.no, :company, :office, made.business_date,
       CASE WHEN (line.no = 1) = (made.id % 3 = 0) THEN :bank ELSE :loan END,
       CASE line.no WHEN 1 THEN 'D' ELSE 'C' END, 10000 + made.id % 997, 'CNY', ''
FROM made CROSS JOIN (VALUES (1), (2)) AS line (no)
"""


def months(count: int) -> list[str]:
    out, day = [], FIRST
    for _ in range(count):
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = period_end(out[-1]) + timedelta(days=1)
    return out


def prepare(url: str, periods: list[str], vouchers: int) -> tuple[SessionFactory, Principal]:
    factory, actor, company = bench_ledger.prepare(url, period_end(periods[-1]) + timedelta(1))
    engine = factory.kw["bind"]
    with engine.begin() as connection:
        ids = dict(
            connection.execute(
                text("SELECT code, id FROM ledger_accounts WHERE company_id = :c"),
                {"c": company},
            ).all()
        )
    for period in periods:
        first = date.fromisoformat(f"{period}-01")
        with engine.begin() as connection:
            connection.execute(
                text(HISTORY),
                {
                    "company": company,
                    "office": actor.office_id,
                    "period": period,
                    "first": first,
                    "days": period_end(period).day,
                    "now": NOW,
                    "count": vouchers,
                    "loan": ids["130301"],
                    "bank": ids["1002"],
                },
            )
            connection.execute(
                text(
                    "INSERT INTO ledger_periods (company_id, period, status, last_number) "
                    "VALUES (:company, :period, 'open', :count)"
                ),
                {"company": company, "period": period, "count": vouchers},
            )
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return factory, actor


def timed(work: Callable[[], object], repeat: int) -> float:
    """The median of ``repeat`` runs of ``work``, in milliseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def reports(factory: SessionFactory, actor: Principal, last: str, repeat: int) -> dict[str, Any]:
    """Each report's median milliseconds, and what it said (both passes must say the same)."""
    today = period_end(last) + timedelta(days=1)
    month = (date.fromisoformat(f"{last}-01"), period_end(last))
    asks: dict[str, Callable[[Any], Any]] = {
        "reconciliation": lambda uow: (
            ledger.trial_balance(uow, actor, date_from=today, date_to=today, codes=["1303"]).rows
        ),
        "1304": lambda uow: ledger.account_balance(uow, actor, code="1304", as_of=today),
        "trial_balance": lambda uow: (
            ledger.trial_balance(uow, actor, date_from=month[0], date_to=month[1]).rows
        ),
        "balance_sheet": lambda uow: ledger.balance_sheet(uow, actor, as_of=month[1]),
    }
    out: dict[str, Any] = {}
    for name, ask in asks.items():

        def run(ask: Callable[[Any], Any] = ask) -> Any:
            with UnitOfWork(factory, read_only=True) as uow:
                return ask(uow)

        said = run()  # and a warm-up: the first run after the closes plans anew
        out[name] = (timed(run, repeat), said)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--vouchers", type=int, default=20000, help="vouchers a month")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    from tests.pg_cluster import PgCluster

    periods = months(options.months)
    cluster = PgCluster().start()
    try:
        start = time.perf_counter()
        factory, actor = prepare(cluster.url(), periods, options.vouchers)
        built = time.perf_counter() - start
        open_months = reports(factory, actor, periods[-1], options.repeat)
        closes = []
        for period in periods:
            with UnitOfWork(factory) as uow:
                began = time.perf_counter()
                ledger.close_period(uow, actor, period=period, now=NOW)
                uow.commit()
                closes.append((time.perf_counter() - began) * 1000)
        with factory.kw["bind"].connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        kept = reports(factory, actor, periods[-1], options.repeat)
    finally:
        cluster.stop()
    lines = 2 * options.vouchers * options.months
    print(f"{options.months} months, {lines:,} voucher lines (built in {built:.1f} s)")
    figures: dict[str, Any] = {}
    for name, (before, said) in open_months.items():
        after, said_after = kept[name]
        if said != said_after:
            raise SystemExit(f"{name}: the report changed once the months were closed")
        print(f"{name:16} every month open {before:9.1f} ms   months closed {after:7.1f} ms")
        figures[name] = {"open_ms": round(before, 2), "closed_ms": round(after, 2)}
    print(f"month close, keeping its balances: median {statistics.median(closes):.1f} ms")
    report = {
        "benchmark": "ledger_history",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "months": options.months,
        "vouchers_a_month": options.vouchers,
        "voucher_lines": lines,
        "reports": figures,
        "month_close_median_ms": round(statistics.median(closes), 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

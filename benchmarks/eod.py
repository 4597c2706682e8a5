"""One close of business over N active loans on PostgreSQL with the real loan and risk steps.

    .venv/bin/python benchmarks/eod.py [--loans 100000] [--workers 2]

A throwaway PostgreSQL cluster (tests/pg_cluster.py, fsync off) gets a company and one loan
disbursed through ``loans.service`` (benchmarks/repayments.py ``prepare``: 12,000.00, 12 months,
等额本金, 2025-03-03); it is cloned set-based (applications, loans, installments:
``INSERT ... SELECT ... generate_series``) to ``--loans`` loans, with one voucher for the clones'
principal so the ledger matches, and the company books accruals in summary (汇总凭证;
``--per-loan-vouchers`` keeps the default, one voucher per loan: about 20 ms a voucher).
The business date is moved to 2025-04-10 (installment 1, due 3 Apr, unpaid: every loan is 7
days past due) and one close of business is timed with
``--workers`` processes: accrual (the first one for these loans, so the whole period), due and
overdue with the overdue transfer, penalty, vouchers, DPD, classification, provisions,
reconciliation. Prints loans/second and peak memory; writes benchmarks/results/eod.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.repayments import prepare
from sqlalchemy import text

from microlend.accounting import service as ledger
from microlend.db.engine import create_engine_for
from microlend.db.uow import UnitOfWork
from microlend.eod.runner import run_close_of_business

RESULTS = Path(__file__).resolve().parent / "results" / "eod.json"
DAY = date(2025, 4, 10)


def columns(connection: object, table: str) -> list[str]:
    rows = connection.execute(  # type: ignore[attr-defined]
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
            " ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [r[0] for r in rows if r[0] != "id"]


def clone(url: str, loans: int, summary_vouchers: bool) -> int:
    factory, actor, ids = prepare(url, 1)
    template = ids[0]
    engine = factory.kw["bind"]
    with engine.begin() as c:
        app_cols = columns(c, "applications")
        loan_cols = columns(c, "loans")
        inst_cols = columns(c, "loan_installments")
        app_id, company_id = c.execute(
            text("SELECT application_id, company_id FROM loans WHERE id = :id"), {"id": template}
        ).one()
        pick_app = ", ".join("'SQX' || g" if col == "number" else f"a.{col}" for col in app_cols)
        swap = {"number": "'DKX' || g", "contract_number": "'HTX' || g", "application_id": "n.id"}
        pick_loan = ", ".join(swap.get(col, f"l.{col}") for col in loan_cols)
        c.execute(
            text(
                f"WITH n AS (INSERT INTO applications ({', '.join(app_cols)}) "
                f"SELECT {pick_app} FROM applications a, generate_series(1, :k) g "
                f"WHERE a.id = :app RETURNING id, substr(number, 4) AS g) "
                f"INSERT INTO loans ({', '.join(loan_cols)}) "
                f"SELECT {pick_loan} FROM loans l, n WHERE l.id = :loan"
            ),
            {"k": loans - 1, "app": app_id, "loan": template},
        )
        pick_inst = ", ".join("l.id" if col == "loan_id" else f"i.{col}" for col in inst_cols)
        c.execute(
            text(
                f"INSERT INTO loan_installments ({', '.join(inst_cols)}) "
                f"SELECT {pick_inst} FROM loan_installments i JOIN loans l "
                f"ON l.company_id = i.company_id AND l.id <> i.loan_id WHERE i.loan_id = :loan"
            ),
            {"loan": template},
        )
        c.execute(text("ANALYZE"))
    with UnitOfWork(factory) as uow:
        ledger.post(
            uow,
            actor,
            event=ledger.LedgerEvent(
                type="disbursement",
                company_id=company_id,
                office_id=actor.office_id,
                business_date=date(2025, 3, 3),
                amounts={"principal": Decimal(12000) * (loans - 1)},
                idempotency_key="bench:clones",
            ),
            now=datetime(2025, 3, 3, 9, tzinfo=UTC),
        )
        uow.commit()
    with engine.begin() as c:
        c.execute(
            text("UPDATE companies SET business_date = :d WHERE id = :c"),
            {"d": DAY, "c": company_id},
        )
        c.execute(text("UPDATE loans SET position_as_of = :d"), {"d": date(2025, 4, 9)})
        if summary_vouchers:
            c.execute(
                text(
                    "INSERT INTO ledger_settings (company_id, accrual_vouchers)"
                    " VALUES (:c, 'summary')"
                ),
                {"c": company_id},
            )
    engine.dispose()
    return int(company_id)


def clock() -> datetime:
    return datetime.now(UTC)


def peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--per-loan-vouchers",
        action="store_true",
        help="one accrual voucher per loan (default: summary)",
    )
    options = parser.parse_args()
    from tests.pg_cluster import PgCluster

    from microlend.db.uow import make_session_factory

    cluster = PgCluster().start()
    try:
        with create_engine_for(cluster.url()).connect() as admin:
            admin.execution_options(isolation_level="AUTOCOMMIT").execute(
                text('CREATE DATABASE "bench"')
            )
        url = cluster.url("bench")
        started = time.monotonic()
        company_id = clone(url, options.loans, not options.per_loan_vouchers)
        print(f"{options.loans:,} loans prepared in {time.monotonic() - started:.1f} s")
        engine = create_engine_for(url)
        started = time.monotonic()
        summary = run_close_of_business(
            make_session_factory(engine),
            company_id=company_id,
            target_date=DAY,
            workers=options.workers,
            now=clock,
        )
        seconds = time.monotonic() - started
        engine.dispose()
    finally:
        cluster.stop()
    assert summary.status == "done", summary
    rate = options.loans / seconds
    print(f"close of business: {options.loans:,} loans in {seconds:.2f} s ({rate:,.0f} loans/s)")
    for code, spent in summary.step_seconds().items():
        print(f"  {code:<24} {spent:8.2f} s  {summary.totals().get(code)}")
    report = {
        "benchmark": "eod",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "loans": options.loans,
        "workers": options.workers,
        "accrual_vouchers": "per_loan" if options.per_loan_vouchers else "summary",
        "seconds": round(seconds, 2),
        "loans_per_second": round(rate),
        "peak_memory_mb": peak_memory_mb(),
        "step_seconds": {k: round(v, 2) for k, v in summary.step_seconds().items()},
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

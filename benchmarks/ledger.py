"""Vouchers posted per second by ``accounting.service.post``, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/ledger.py [--seconds 3] [--batch 100] [--skip-postgres]

Each measurement posts repayment events (three amount roles, so six voucher lines) through the
default posting rules for ``--seconds``: *single* commits one unit of work per voucher (what an
API request does); *batched* posts ``--batch`` vouchers per unit of work (what a close of
business does). SQLite is a WAL file in a temporary directory; PostgreSQL is a throwaway cluster
from the machine's own binaries (tests/pg_cluster.py), with fsync off — figures for the code
path, not for the disk. Prints the rates and writes benchmarks/results/ledger.json. Never run as
a test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from microlend.accounting import service as ledger
from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs

RESULTS = Path(__file__).resolve().parent / "results" / "ledger.json"
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 3)
AMOUNTS = {"principal": Decimal("812.34"), "interest": Decimal("95.10"), "penalty": Decimal("3.05")}


def prepare(url: str, business_date: date = DAY) -> tuple[SessionFactory, Principal, int]:
    """A migrated database with a company at ``business_date`` and its books open."""
    engine = create_engine_for(url)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        company = orgs.found_company(
            uow, company_code="BENCH", company_name="Bench", business_date=business_date, now=NOW
        )
        actor = auth.system_principal(
            uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
        )
        ledger.open_books(uow, actor, now=NOW)
        uow.commit()
    return factory, actor, company.id


def poster(
    factory: SessionFactory, actor: Principal, company_id: int, batch: int
) -> Callable[[], int]:
    keys = itertools.count(1)

    def post_batch() -> int:
        with UnitOfWork(factory) as uow:
            for _ in range(batch):
                event = ledger.LedgerEvent(
                    type="repayment",
                    company_id=company_id,
                    office_id=actor.office_id,
                    business_date=DAY,
                    amounts=AMOUNTS,
                    idempotency_key=f"repay:{next(keys)}",
                    dims=ledger.Dims(product_code="P1", loan_id=7, customer_id=9),
                )
                ledger.post(uow, actor, event=event, now=NOW)
            uow.commit()
        return batch

    return post_batch


def rate(work: Callable[[], int], seconds: float) -> float:
    """Vouchers per wall-clock second over ``seconds``."""
    posted, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        posted += work()
    return posted / (time.perf_counter() - start)


def measure(name: str, url: str, seconds: float, batch: int) -> dict[str, float]:
    factory, actor, company_id = prepare(url)
    poster(factory, actor, company_id, 1)()  # warm up caches and the period row
    single = rate(poster(factory, actor, company_id, 1), seconds)
    batched = rate(poster(factory, actor, company_id, batch), seconds)
    with UnitOfWork(factory, read_only=True) as uow:
        problems = ledger.check_ledger(uow, actor)
    if problems:
        raise SystemExit(f"{name}: the ledger check failed after the run: {problems[:3]}")
    print(f"{name:10} single {single:10,.0f}/s   batched ({batch}) {batched:10,.0f}/s")
    return {
        f"{name}_single_per_second": round(single),
        f"{name}_batched_per_second": round(batched),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--batch", type=int, default=100, help="vouchers per unit of work")
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    measured: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        measured |= measure("sqlite", url, options.seconds, options.batch)
    if not options.skip_postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pg_cluster import PgCluster

        cluster = PgCluster().start()
        try:
            measured |= measure("postgres", cluster.url(), options.seconds, options.batch)
        finally:
            cluster.stop()
    report = {
        "benchmark": "ledger",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "event": "repayment, 3 roles, 6 lines",
        "batch": options.batch,
        **measured,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

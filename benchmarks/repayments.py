"""Loan repayments posted per second on PostgreSQL, with their vouchers, beside pgbench.

    .venv/bin/python benchmarks/repayments.py [--seconds 5] [--loans 200] [--batch 200]

A throwaway PostgreSQL cluster from the machine's own binaries (tests/pg_cluster.py, fsync off:
figures for the code path, not the disk) gets a company, a product and ``--loans`` disbursed
loans (12,000.00, 12 months). Then, for ``--seconds`` each:

* *single*: one repayment per unit of work (``loans.service.repay``: lock the loan, apply the
  event with the engine from the loan's stored book, append it, post the voucher, refresh
  installments, the snapshot and the engine state, audit), round-robin over the loans — what an
  API request does;
* *batched*: a bank file of ``--batch`` lines per unit of work through the bank-file import
  (``loans.batch.repay_batch``, each line with its own external reference; a file is one
  transaction, all or nothing), round-robin over the loans (with ``--loans`` at least
  ``--batch``, each loan once a file) — what ``microlend import repayments`` and the import page
  do.

Both run with ONE client (client concurrency 1). In the same run ``pgbench -b tpcb-like``
(scale 1, one client, ``-c 1 -j 1``) measures the server's TPS; the ratios are printed, with the
statements a repayment sends. Before the rates, a pass of its own times how long the client
waits on the database (each statement from send to result, and ``COMMIT``) per repayment: the
rate the code could reach if Python took no time at all, and so the ratio it could reach, are
printed beside the measured ones. The three rates are interleaved, one second of each per round
(``--seconds`` rounds), so that on a shared machine they see the same load; the load average
before and after is printed, and the ratios of each round (its second of repayments over its
second of pgbench: the machine's speed drifts by a fifth within an hour, less within a round).
The CPU each spends a repayment or a transaction, the client's (this process, or pgbench) and the
server's (all its processes, ``cpu_time``), is printed too, and the ratio of those sums: at one
client pgbench mostly waits for the two processes to wake (seven round trips a transaction) and a
repayment mostly computes, so the ratio of rates depends on how dear a wake-up is beside CPU on
the machine; the ratio of CPU much less.
Every loan is repaid once before measuring (its first repayment after disbursement replays its
history and stores the engine's book); the tables are analysed between the passes and rounds, as
autovacuum keeps them on a live database, and the heap is settled as ``microlend serve`` settles
it once started (``kernel.heap``). Results go to benchmarks/results/repayments.json. Never run
as a test: speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import cpu_time

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.auth.roles import sync_default_roles
from microlend.customers import service as customers
from microlend.db import sent as sent_writes
from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from microlend.kernel.heap import settle_heap
from microlend.kernel.principal import Principal
from microlend.loans import service as loans
from microlend.loans.batch import repay_batch
from microlend.loans.calculator.model import RepaymentMethod
from microlend.orgs import service as orgs
from microlend.origination.tables import Application
from microlend.products import service as products
from microlend.products.model import ProductTerms

RESULTS = Path(__file__).resolve().parent / "results" / "repayments.json"
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 3)
D = Decimal


def prepare(url: str, count: int) -> tuple[SessionFactory, Principal, list[int]]:
    engine = create_engine_for(url)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        sync_default_roles(uow)
        company = orgs.found_company(
            uow, company_code="BENCH", company_name="Bench", business_date=DAY, now=NOW
        )
        actor = auth.system_principal(
            uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
        )
        terms = ProductTerms(
            customer_kinds=("individual",),
            currency="CNY",
            min_amount=D("1000"),
            max_amount=D("100000"),
            min_term=3,
            max_term=24,
            methods=(RepaymentMethod.EQUAL_PRINCIPAL,),
            min_rate=D("6"),
            max_rate=D("24"),
        )
        product = products.create_product(
            uow,
            actor,
            company_id=company.id,
            code="B1",
            name="Bench",
            customer_kind="individual",
            currency="CNY",
            terms=terms,
            now=NOW,
        )
        customer = customers.register_customer(
            uow, actor, kind="individual", id_number="11010519491231002X", name="张三", now=NOW
        )
        assert not isinstance(product, type(None)) and hasattr(product, "current")
        office = company.head_office_id
        assert office is not None
        officer = auth.create_user(
            uow,
            actor,
            username="officer",
            password="Correct-horse-42",
            display_name="Officer",
            office_id=office,
            roles=["loan_officer"],
            scope="office",
            now=NOW,
        )
        apps = []
        for n in range(count):
            app = Application(
                company_id=company.id,
                office_id=office,
                owner_id=officer.id,  # type: ignore[union-attr]
                number=f"SQB{n:06d}",
                customer_id=customer.id,  # type: ignore[union-attr]
                product_version_id=product.current.id,  # type: ignore[union-attr]
                status="contracted",
                currency="CNY",
                amount_minor=1_200_000,
                term_count=12,
                annual_rate=D("12"),
                method="equal_principal",
                purpose="bench",
                approved_amount_minor=1_200_000,
                approved_term_count=12,
                approved_annual_rate=D("12"),
                created_at=NOW,
                updated_at=NOW,
            )
            uow.session.add(app)
            uow.session.flush()
            apps.append(app.id)
        ids = []
        for app_id in apps:
            view = loans.disburse(uow, actor, application_id=app_id, now=NOW)
            ids.append(view.id)  # type: ignore[union-attr]
        uow.commit()
    return factory, actor, ids


def analyse(factory: SessionFactory) -> None:
    """Statistics for the planner, as autovacuum keeps them on a live database (it analyses a
    table that grew by a tenth, checking every minute). The run is shorter than that minute and
    its tables grow from almost nothing to thousands of rows, so without this the plans would be
    made for the tables' first rows: it is called between the passes and before every round,
    outside the timed work."""
    with factory.kw["bind"].connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def repayer(factory: SessionFactory, actor: Principal, ids: list[int]) -> Callable[[], int]:
    loan_ids = itertools.cycle(ids)

    def run() -> int:
        with UnitOfWork(factory) as uow:
            loans.repay(uow, actor, loan_id=next(loan_ids), amount="10.00", now=NOW)
            uow.commit()
        return 1

    return run


# The bank files' references, one count for every importer: a reference sent again is a replay
# (the import recognises it and posts nothing), which would be counted as a repayment posted.
REFERENCES = itertools.count(1)


def importer(
    factory: SessionFactory, actor: Principal, ids: list[int], batch: int
) -> Callable[[], int]:
    loan_ids, references = itertools.cycle(ids), REFERENCES

    def run() -> int:
        items = [
            {"loan_id": next(loan_ids), "amount": "10.00", "external_reference": f"B{n}"}
            for n in itertools.islice(references, batch)
        ]
        with UnitOfWork(factory) as uow:
            done = repay_batch(uow, actor, items, now=NOW)
            uow.commit()
        if any(getattr(outcome, "replayed", True) for outcome in done):
            raise SystemExit("a line of the bank file was not posted as a new repayment")
        return batch

    return run


@dataclass
class Waited:
    """What units of work sent to the database and how long the client waited on it: every
    statement (``BEGIN`` rides on the first) from send to result, and ``COMMIT``; a statement
    sent without waiting (``db.sent``: the parts of a bank file) counts the time the client
    then waited for it."""

    units: int = 0
    statements: int = 0
    seconds: float = 0.0

    def per_unit(self) -> tuple[float, float]:
        """Statements and seconds of waiting per unit of work."""
        return self.statements / self.units, self.seconds / self.units


def database_wait(factory: SessionFactory, work: Callable[[], int], runs: int) -> Waited:
    """``runs`` calls of ``work`` with the client's wait on the database timed (a pass of its
    own, so that the timing does not slow the measured rates)."""
    engine, waited, started = factory.kw["bind"], Waited(), [0.0]

    def sent(*_args: object) -> None:
        started[0] = time.perf_counter()

    def answered(*_args: object) -> None:
        waited.statements += 1
        waited.seconds += time.perf_counter() - started[0]

    def committed(*_args: object) -> None:
        waited.seconds += time.perf_counter() - started[0]

    hooks = [
        (engine, "before_cursor_execute", sent),
        (engine, "after_cursor_execute", answered),
        (engine, "commit", sent),
        (factory, "after_commit", committed),
    ]
    send, wait = sent_writes.send, sent_writes.Sent.wait

    def counted_send(*args: Any, **kwargs: Any) -> sent_writes.Sent:
        waited.statements += 1
        return send(*args, **kwargs)

    def timed_wait(self: sent_writes.Sent) -> None:
        start = time.perf_counter()
        try:
            wait(self)
        finally:
            waited.seconds += time.perf_counter() - start

    for target, name, hook in hooks:
        event.listen(target, name, hook)
    sent_writes.send, sent_writes.Sent.wait = counted_send, timed_wait  # type: ignore[method-assign]
    try:
        for _ in range(runs):
            waited.units += work()
    finally:
        for target, name, hook in hooks:
            event.remove(target, name, hook)
        sent_writes.send, sent_writes.Sent.wait = send, wait  # type: ignore[method-assign]
    return waited


class Meter:
    """Work done, time spent and CPU spent (the client's and the server's), summed over the
    rounds, and each round's rate. ``cpu`` reads the CPU seconds spent so far by the client
    (this process, or the program a round runs) and by the server."""

    def __init__(self, cpu: Callable[[], tuple[float, float]]) -> None:
        self.cpu = cpu
        self.done, self.spent, self.client_cpu, self.server_cpu = 0.0, 0.0, 0.0, 0.0
        self.rounds: list[float] = []

    def add(self, done: float, spent: float, begun: tuple[float, float]) -> None:
        """A round of ``done`` units in ``spent`` seconds, ``begun`` the CPU read at its start."""
        client, server = self.cpu()
        self.client_cpu += client - begun[0]
        self.server_cpu += server - begun[1]
        self.done += done
        self.spent += spent
        self.rounds.append(done / spent)

    def run(self, work: Callable[[], int], seconds: float) -> None:
        begun = self.cpu()
        start, done = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            done += work()
        self.add(done, time.perf_counter() - start, begun)

    @property
    def rate(self) -> float:
        return self.done / self.spent if self.spent else 0.0

    @property
    def cpu_ms(self) -> tuple[float, float]:
        """The client's and the server's CPU milliseconds a unit."""
        return self.client_cpu * 1000 / self.done, self.server_cpu * 1000 / self.done

    def ratios(self, server: Meter) -> list[float]:
        """This meter's rate in each round over the server's in the same round, sorted."""
        paired = zip(self.rounds, server.rounds, strict=True)
        return sorted(mine / theirs for mine, theirs in paired)


def spread(ratios: list[float]) -> str:
    """The lowest, median and highest of sorted per-round ratios."""
    return f"{ratios[0]:.2f} / {statistics.median(ratios):.2f} / {ratios[-1]:.2f}"


def pgbench_init(cluster: object) -> list[str]:
    port = str(cluster.port)  # type: ignore[attr-defined]
    base = ["pgbench", "-h", "127.0.0.1", "-p", port, "-U", "postgres"]
    subprocess.run([*base, "-i", "-s", "1", "-q", "postgres"], check=True, capture_output=True)
    return base


def pgbench_round(base: list[str], seconds: int, meter: Meter) -> None:
    """``seconds`` of ``pgbench -b tpcb-like`` with one client; its tps (without the
    connection time) counts as ``tps x seconds`` transactions (its CPU includes the
    connection's: pgbench's start and its backend's)."""
    begun = meter.cpu()
    result = subprocess.run(
        [*base, "-b", "tpcb-like", "-c", "1", "-j", "1", "-T", str(seconds), "postgres"],
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"tps = ([0-9.]+)", result.stdout)
    if found is None:
        raise SystemExit(f"pgbench printed no tps:\n{result.stdout}")
    meter.add(float(found.group(1)) * seconds, seconds, begun)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--loans", type=int, default=200)
    parser.add_argument("--batch", type=int, default=200)
    options = parser.parse_args()
    from tests.pg_cluster import PgCluster

    cluster = PgCluster().start()
    try:
        database = "bench"
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "-c",
                f"CREATE DATABASE {database}",
            ],
            check=True,
            capture_output=True,
        )
        factory, actor, ids = prepare(cluster.url(database), options.loans)
        warm = repayer(factory, actor, ids)
        for _ in ids:  # warm up: each loan's first repayment replays its history once
            warm()
        analyse(factory)
        settle_heap()  # as `microlend serve` does once the app is built
        single_wait = database_wait(factory, repayer(factory, actor, ids), 200)
        analyse(factory)
        batch_wait = database_wait(factory, importer(factory, actor, ids, options.batch), 10)
        base = pgbench_init(cluster)
        load_before = os.getloadavg()[0]
        postgres = cpu_time.Server.of(cluster.data_dir)

        def ours() -> tuple[float, float]:
            return cpu_time.client_seconds(), postgres.seconds()

        def pgbench() -> tuple[float, float]:
            return cpu_time.client_seconds(children=True), postgres.seconds()

        one, many, server = Meter(ours), Meter(ours), Meter(pgbench)
        single_work = repayer(factory, actor, ids)
        batch_work = importer(factory, actor, ids, options.batch)
        rounds = max(int(options.seconds), 1)
        for _ in range(rounds):  # interleaved: on a shared machine all three see the same load
            analyse(factory)
            one.run(single_work, options.seconds / rounds)
            many.run(batch_work, options.seconds / rounds)
            pgbench_round(base, 1, server)
        single, batched, tps = one.rate, many.rate, server.rate
        load_after = os.getloadavg()[0]
    finally:
        cluster.stop()
    statements, single_db = single_wait.per_unit()
    batch_statements = batch_wait.statements / (batch_wait.units / options.batch)
    _, batch_db = batch_wait.per_unit()
    print(
        f"repayments single   {single:8,.1f}/s  "
        f"(1 client, 1 per transaction, {statements:.0f} statements)"
    )
    print(
        f"repayments batched  {batched:8,.1f}/s  "
        f"(1 client, {options.batch} per transaction, {batch_statements:.0f} statements)"
    )
    print(f"pgbench tpcb-like   {tps:8,.1f} tps (1 client, -c 1 -j 1, scale 1)")
    print(f"ratio single {single / tps:.2f}  batched {batched / tps:.2f}  (targets 0.3 and 1.0)")
    single_rounds, batched_rounds = one.ratios(server), many.ratios(server)
    print(
        f"ratio per round (lowest / median / highest): single {spread(single_rounds)}  "
        f"batched {spread(batched_rounds)}"
    )
    print(
        f"waiting on the database: single {single_db * 1000:.2f} ms a repayment, batched "
        f"{batch_db * 1000:.2f} ms a repayment; pgbench {1000 / tps:.2f} ms a transaction"
    )
    print(
        f"ratio if only the database calls took time: single {1 / single_db / tps:.2f}  "
        f"batched {1 / batch_db / tps:.2f}"
    )
    (single_client, single_server), (batch_client, batch_server) = one.cpu_ms, many.cpu_ms
    pgbench_client, pgbench_server = server.cpu_ms
    print(
        f"CPU a repayment (client + server): single {single_client:.2f} + {single_server:.2f} ms,"
        f" batched {batch_client:.2f} + {batch_server:.2f} ms; pgbench a transaction"
        f" {pgbench_client:.2f} + {pgbench_server:.2f} ms"
    )
    pgbench_cpu = pgbench_client + pgbench_server
    cpu_single = pgbench_cpu / (single_client + single_server)
    cpu_batched = pgbench_cpu / (batch_client + batch_server)
    print(
        f"ratio of CPU a transaction, pgbench's over a repayment's: single {cpu_single:.2f}"
        f"  batched {cpu_batched:.2f}"
    )
    print(f"interleaved over {rounds} rounds; load average {load_before:.2f} -> {load_after:.2f}")
    report = {
        "benchmark": "repayments",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
        "rounds": rounds,
        "loans": options.loans,
        "batch": options.batch,
        "client_concurrency": 1,
        "pgbench_clients": 1,
        "statements_per_single_repayment": round(statements),
        "statements_per_batch": round(batch_statements),
        "database_wait_ms_single": round(single_db * 1000, 3),
        "database_wait_ms_batched_per_repayment": round(batch_db * 1000, 3),
        "ratio_single_without_client_time": round(1 / single_db / tps, 3),
        "ratio_batched_without_client_time": round(1 / batch_db / tps, 3),
        "single_per_second": round(single, 1),
        "batched_per_second": round(batched, 1),
        "pgbench_tpcb_like_tps": round(tps, 1),
        "ratio_single": round(single / tps, 3),
        "ratio_batched": round(batched / tps, 3),
        "ratio_single_per_round": [round(r, 3) for r in single_rounds],
        "ratio_batched_per_round": [round(r, 3) for r in batched_rounds],
        "cpu_ms_single_client_server": [round(single_client, 3), round(single_server, 3)],
        "cpu_ms_batched_client_server": [round(batch_client, 3), round(batch_server, 3)],
        "cpu_ms_pgbench_client_server": [round(pgbench_client, 3), round(pgbench_server, 3)],
        "cpu_ratio_single": round(cpu_single, 3),
        "cpu_ratio_batched": round(cpu_batched, 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

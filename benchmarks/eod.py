"""One close of business over N active loans on PostgreSQL with the real steps of every context.

    .venv/bin/python benchmarks/eod.py [--loans 100000] [--workers 2] [--templates 96]
        [--keep DIR] [--shared-buffers 32MB]

A throwaway PostgreSQL cluster (tests/pg_cluster.py, fsync off: figures for the code, not the
disk) gets the benchmark portfolio (benchmarks/portfolio.py: template loans made through the real
services over the year before 2025-04-10 with a behaviour model, closed through 2025-04-09 by the
real runner, then cloned set-based to ``--loans`` loans with the ledger matching). Then one close
of business, 2025-04-10, is timed with ``--workers`` processes: accrual, due and overdue with the
overdue transfer, penalty, the day's vouchers (summary, 汇总凭证), DPD, classification,
provisions, reconciliation and advancing the date. Prints loans/second, seconds per step, the
peak memory of all the benchmark's processes (this one and its workers, sampled from /proc; the
database server apart) and the load average; writes benchmarks/results/eod.json.

``--keep DIR`` keeps the built portfolio: the first run builds it as usual, copies it to the
database ``portfolio`` before the timed close and moves the cluster's data directory to DIR when
done; later runs with the same DIR start that cluster and time a fresh copy
(``CREATE DATABASE bench TEMPLATE portfolio``, seconds instead of minutes of building).
``--shared-buffers`` sets the server's shared buffers (default: the test cluster's 32MB).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.portfolio import DAY, Portfolio, build_portfolio, clock
from sqlalchemy import text

from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import make_session_factory
from microlend.eod.runner import run_close_of_business

RESULTS = Path(__file__).resolve().parent / "results" / "eod.json"


class MemorySampler(threading.Thread):
    """The largest sum of resident memory of this process and its descendants, sampled."""

    def __init__(self, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.every, self.peak_kb, self._halt = every, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_kb = max(self.peak_kb, tree_rss_kb(os.getpid()))
            self._halt.wait(self.every)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return round(self.peak_kb / 1024, 1)


def tree_rss_kb(root: int) -> int:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, todo = {root}, [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                todo.append(pid)
    return sum(rss_kb(pid) for pid in tree if not _is_server(pid))


def _is_server(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as comm:
            return comm.read().strip() in ("postgres", "pg_ctl", "runuser")
    except OSError:
        return True


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tune(url: str) -> None:
    """Memory for sorts and hashes as a server of this size would have (no restart needed)."""
    with create_engine_for(url).connect() as admin:
        admin = admin.execution_options(isolation_level="AUTOCOMMIT")
        admin.execute(text("ALTER SYSTEM SET work_mem = '64MB'"))
        admin.execute(text("SELECT pg_reload_conf()"))


# --explain MS: the plans of statements slower than MS milliseconds, with their buffers, in the
# server's log (server.log of the kept directory): auto_explain, loaded by every session
EXPLAIN = {
    "session_preload_libraries": "auto_explain",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "auto_explain.log_timing": "off",
    "auto_explain.log_nested_statements": "on",
}


def start_cluster(keep: Path | None, extra: list[str]) -> tuple[Any, bool]:
    """The benchmark's cluster, and whether it is a kept one that already holds the portfolio."""
    from tests.pg_cluster import SERVER_SETTINGS, PgCluster, free_port

    names = {s.split("=")[0] for s in extra}
    settings = [s for s in SERVER_SETTINGS if s.split("=")[0] not in names] + extra
    if keep is None or not (keep / "data").is_dir():
        cluster = PgCluster().start()
        if set(settings) != set(SERVER_SETTINGS):
            _pg_ctl(cluster, "restart", settings)
        return cluster, False
    cluster = PgCluster(root=keep, port=free_port())
    _pg_ctl(cluster, "start", settings)
    return cluster, True


def _pg_ctl(cluster: Any, action: str, settings: list[str]) -> None:
    from tests.pg_cluster import find_binary

    options = " ".join([f"-p {cluster.port}", f"-k {cluster.root}"] + [f"-c {s}" for s in settings])
    log = str(cluster.root / "server.log")
    argv = [find_binary("pg_ctl"), "-D", str(cluster.data_dir), "-o", options, "-l", log]
    cluster._run([*argv, "-w", "-t", "120", action])


def keep_cluster(cluster: Any, keep: Path) -> None:
    """Stop the server cleanly and move its data directory to ``keep`` for later runs."""
    from tests.pg_cluster import find_binary

    cluster._run([find_binary("pg_ctl"), "-D", str(cluster.data_dir), "-m", "fast", "stop"])
    cluster._started = False
    keep.mkdir(parents=True, exist_ok=True)
    shutil.move(str(cluster.data_dir), str(keep / "data"))
    if os.geteuid() == 0:
        shutil.chown(keep, "postgres", "postgres")
    cluster.stop()


def stop_kept(cluster: Any) -> None:
    from tests.pg_cluster import find_binary

    cluster._run([find_binary("pg_ctl"), "-D", str(cluster.data_dir), "-m", "fast", "stop"])


def admin_sql(url: str, *statements: str) -> None:
    with create_engine_for(url).connect() as admin:
        admin = admin.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            admin.execute(text(statement))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--templates", type=int, default=96)
    parser.add_argument("--partition-size", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--shared-buffers", default="32MB")
    parser.add_argument("--explain", default=None, metavar="MS")
    options = parser.parse_args()

    settings = [f"shared_buffers={options.shared_buffers}"]
    if options.explain:
        settings += [f"{k}={v}" for k, v in EXPLAIN.items()]
        settings.append(f"auto_explain.log_min_duration={options.explain}")
    cluster, kept = start_cluster(options.keep, settings)
    built: Portfolio | None = None
    try:
        tune(cluster.url())
        url = cluster.url("bench")
        if kept:
            template = create_engine_for(cluster.url("portfolio"))
            upgrade_engine(template)  # the kept portfolio is brought to the current schema
            template.dispose()
            admin_sql(
                cluster.url(),
                'DROP DATABASE IF EXISTS "bench"',
                'CREATE DATABASE "bench" TEMPLATE "portfolio"',
            )
            saved = json.loads((options.keep / "portfolio.json").read_text())
            portfolio = Portfolio(**{**saved, "url": url})
            if portfolio.loans != options.loans:
                raise SystemExit(f"{options.keep} holds {portfolio.loans:,} loans")
            print(f"{portfolio.loans:,} loans copied from the kept portfolio")
        else:
            admin_sql(cluster.url(), 'CREATE DATABASE "bench"')
            portfolio = build_portfolio(url, loans=options.loans, templates=options.templates)
            print(
                f"{portfolio.loans:,} loans ({portfolio.templates} templates"
                f" {portfolio.behaviours}) prepared in {portfolio.seconds:.1f} s"
            )
            if options.keep is not None:
                admin_sql(cluster.url(), 'CREATE DATABASE "portfolio" TEMPLATE "bench"')
                built = portfolio
        engine = create_engine_for(url)
        extra = {}
        if options.partition_size:
            extra["partition_size"] = options.partition_size
        load_before = os.getloadavg()[0]
        sampler = MemorySampler()
        sampler.start()
        started = time.monotonic()
        summary = run_close_of_business(
            make_session_factory(engine),
            company_id=portfolio.company_id,
            target_date=DAY,
            workers=options.workers,
            now=clock,
            **extra,  # type: ignore[arg-type]
        )
        seconds = time.monotonic() - started
        peak = sampler.stop()
        engine.dispose()
    finally:
        if kept:
            stop_kept(cluster)
        elif options.keep is not None and built is not None:
            keep_cluster(cluster, options.keep)
            saved = {k: v for k, v in vars(built).items() if k != "url"}
            (options.keep / "portfolio.json").write_text(json.dumps(saved))
        else:
            cluster.stop()
    if summary.status != "done":
        raise SystemExit(f"close of business {summary.status}: {summary}")
    rate = options.loans / seconds
    print(f"close of business: {options.loans:,} loans in {seconds:.2f} s ({rate:,.0f} loans/s)")
    for code, spent in summary.step_seconds().items():
        print(f"  {code:<24} {spent:8.2f} s  {summary.totals().get(code)}")
    report = {
        "benchmark": "eod",
        "command": "benchmarks/eod.py " + " ".join(sys.argv[1:]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m_before": round(load_before, 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "loans": options.loans,
        "templates": portfolio.templates,
        "behaviours": portfolio.behaviours,
        "workers": options.workers,
        "shared_buffers": options.shared_buffers,
        "accrual_vouchers": "summary",
        "seconds": round(seconds, 2),
        "loans_per_second": round(rate),
        "peak_memory_mb": peak,
        "step_seconds": {k: round(v, 2) for k, v in summary.step_seconds().items()},
        "counts": summary.totals(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()

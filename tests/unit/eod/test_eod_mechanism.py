"""The pieces of close of business that need no database: cutting ranges, the step interface,
discovery, dead-claim detection, the summary and the reconciliation report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.pool import QueuePool

from microlend.db.engine import create_engine_for
from microlend.db.eod import RECONCILIATION, Step
from microlend.db.uow import make_session_factory
from microlend.eod import discovery
from microlend.eod.connections import pooled
from microlend.eod.partitions import _is_dead_here, cut
from microlend.eod.readable import RECONCILIATION_FAILED
from microlend.eod.reconciliation import AccountCheck, ReconciliationFailed
from microlend.eod.summary import DaySummary, RunSummary, StepSummary


def nothing(*_args: object, **_kwargs: object) -> dict[str, int]:
    return {}


def no_bounds(*_args: object) -> tuple[int, int] | None:
    return None


def test_cut_makes_contiguous_ranges_of_the_size() -> None:
    assert list(cut(1, 25, 10)) == [(1, 10), (11, 20), (21, 25)]
    assert list(cut(7, 7, 10_000)) == [(7, 7)]
    assert list(cut(1, 20, 10)) == [(1, 10), (11, 20)]
    assert list(cut(5, 4, 10)) == []


def test_a_step_is_partitioned_with_bounds_or_company_without() -> None:
    step = Step.partitioned("loans.accrue", 10, run=nothing, bounds=no_bounds, partition_size=500)
    assert (step.kind, step.partition_size) == ("partitioned", 500)
    assert Step.company("eod.reconcile", RECONCILIATION, run=nothing).bounds is None
    with pytest.raises(ValueError, match="has bounds"):
        Step("x", 1, "partitioned", nothing)
    with pytest.raises(ValueError, match="has bounds"):
        Step("x", 1, "company", nothing, no_bounds)
    with pytest.raises(ValueError, match="positive"):
        Step.partitioned("x", 1, run=nothing, bounds=no_bounds, partition_size=0)


def _module(name: str, steps: list[object], subledger: bool = False) -> ModuleType:
    module = ModuleType(name)
    module.STEPS = steps  # type: ignore[attr-defined]
    if subledger:
        module.subledger_balances = nothing  # type: ignore[attr-defined]
    sys.modules[name] = module
    return module


def test_load_steps_orders_by_order_then_code_and_collects_subledgers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _module("probe_a", [Step.company("b.late", 70, run=nothing)], subledger=True)
    _module("probe_b", [Step.company("a.early", 10, run=nothing)])
    _module("probe_c", [Step.company("a.late", 70, run=nothing)])
    monkeypatch.setenv(discovery.STEP_MODULES_VARIABLE, "probe_a, probe_b,probe_c")
    book = discovery.load_steps()
    assert [s.code for s in book.steps] == [
        "a.early",
        "a.late",
        "b.late",
        "eod.reconcile",
        "eod.advance_date",
    ]
    assert book.subledgers == (nothing,)
    assert book.step("a.late").order == 70
    with pytest.raises(LookupError):
        book.step("missing")


def test_load_steps_refuses_duplicates_and_strangers() -> None:
    _module("probe_d", [Step.company("eod.reconcile", 5, run=nothing)])
    with pytest.raises(ValueError, match="defined twice"):
        discovery.load_steps(["probe_d", discovery.OWN_MODULE])
    _module("probe_e", ["not a step"])
    with pytest.raises(TypeError, match="not a Step"):
        discovery.load_steps(["probe_e"])


def test_without_the_variable_every_context_eod_steps_module_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(discovery.STEP_MODULES_VARIABLE, raising=False)
    modules = discovery.step_modules()
    assert discovery.OWN_MODULE in modules
    assert all(name.startswith("microlend.") and name.endswith(".eod_steps") for name in modules)


def test_a_claim_is_dead_only_when_its_process_on_this_host_is_gone() -> None:
    host = socket.gethostname()
    finished = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert finished.returncode == 0
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert _is_dead_here(f"{host}:{gone.pid}:1", host)
    assert not _is_dead_here(f"{host}:{os.getpid()}:0", host)  # this very process
    assert not _is_dead_here(f"{host}:{os.getppid()}:0", host)  # alive
    assert not _is_dead_here(f"elsewhere:{gone.pid}:1", host)  # another machine: lease only
    assert not _is_dead_here("garbage", host)


def test_the_run_summary_adds_counts_per_step_over_the_days() -> None:
    def day(on: date, loans: int, status: str = "done") -> DaySummary:
        steps = (
            StepSummary("loans.accrue", 2, {"loans": loans, "vouchers": loans - 1}, 1.5),
            StepSummary("eod.advance_date", 1, {"days_advanced": 1}, 0.25),
        )
        return DaySummary(1, 1, on, status, steps, 2.0)

    summary = RunSummary(
        1, date(2025, 3, 4), (day(date(2025, 3, 3), 10), day(date(2025, 3, 4), 12)), 4.5
    )
    assert summary.status == "done" and summary.failed_day is None
    assert summary.totals() == {
        "loans.accrue": {"loans": 22, "vouchers": 20},
        "eod.advance_date": {"days_advanced": 2},
    }
    assert summary.step_seconds() == {"loans.accrue": 3.0, "eod.advance_date": 0.5}
    assert RunSummary(1, date(2025, 3, 4), (), 0.0).status == "nothing"


def test_the_reconciliation_report_lists_account_subledger_gl_and_difference() -> None:
    failed = ReconciliationFailed(
        date(2025, 3, 3),
        ["2025-03-000007: CNY off by 5 minor units"],
        [AccountCheck("1303", "贷款", "Loans", Decimal("1500.00"), Decimal("1499.99"))],
    )
    assert failed.differences[0].difference == Decimal("0.01")
    assert failed.report == {
        "unbalanced_vouchers": ["2025-03-000007: CNY off by 5 minor units"],
        "differences": [
            {"account": "1303", "subledger": "1500.00", "gl": "1499.99", "difference": "0.01"}
        ],
        "reason": {
            "template": RECONCILIATION_FAILED,
            "params": {"day": "2025-03-03", "vouchers": 1, "accounts": 1},
        },
    }
    lines = str(failed).splitlines()
    assert lines[0] == "reconciliation of 2025-03-03 failed"
    assert lines[1] == "  voucher 2025-03-000007: CNY off by 5 minor units"
    assert lines[2].split() == ["account", "sub-ledger", "GL", "difference"]
    assert lines[3].split() == ["1303", "1500.00", "1499.99", "0.01"]


def test_on_a_sqlite_file_the_runner_keeps_one_pooled_engine(tmp_path: Path) -> None:
    """The house engine opens a SQLite connection per unit of work; the runner works through an
    engine of its own with a pool of one, kept (with its compiled statements) for the next call.
    No connection is opened here: engines connect lazily."""
    engine = create_engine_for(f"sqlite:///{tmp_path}/close.db")
    factory = make_session_factory(engine)
    with pooled(factory) as first:
        used = first.kw["bind"]
    with pooled(factory) as second:
        assert second.kw["bind"] is used
    assert isinstance(used.pool, QueuePool) and used.pool.size() == 1
    assert used.url == engine.url and used is not engine
    assert second.kw["expire_on_commit"] is False  # the factory's settings are kept
    memory = make_session_factory(create_engine_for("sqlite://"))
    with pooled(memory) as same:  # an in-memory database (or PostgreSQL): as given
        assert same is memory

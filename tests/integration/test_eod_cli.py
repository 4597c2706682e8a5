"""``microlend eod``: a run with its summary, a reconciliation stop (exit 1), ``eod status``."""

from __future__ import annotations

from sqlalchemy import Engine
from typer.testing import CliRunner

from microlend.cli import app
from tests.integration.test_eod_runner import control, scratch
from tests.seed import World

__all__ = ["scratch"]  # the fixture


def eod(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["eod", *args], env={"MICROLEND_DATABASE_URL": db_url, "COLUMNS": "200"}
    )
    return result.exit_code, result.output


def test_eod_closes_up_to_the_date_and_prints_a_summary(
    scratch: World, db_url: str, engine: Engine
) -> None:
    code, output = eod(db_url, "--company", "MLC", "--date", "2025-03-04", "--partition-size", "10")
    assert code == 0, output
    assert "Close of business 2025-03-03 .. 2025-03-04: 2 day(s) closed" in output
    assert "scratch.first" in output and "items 50, partitions 6" in output
    assert "eod.advance_date" in output and "days_advanced 2" in output

    code, output = eod(db_url, "--company", "MLC", "--date", "2025-03-04")
    assert (code, output.strip()) == (0, "nothing to close: the business date is after 2025-03-04")

    code, output = eod(db_url, "status", "--company", "MLC")
    assert code == 0
    lines = [line for line in output.splitlines() if "2025-03-0" in line]
    assert len(lines) == 2
    assert "2025-03-04" in lines[0] and "done" in lines[0] and "8/8" in lines[0]  # 3 + 3 + 1 + 1
    assert "2025-03-03" in lines[1] and "done" in lines[1]


def test_eod_stops_with_the_reconciliation_report(
    scratch: World, db_url: str, engine: Engine
) -> None:
    control(engine, "subledger", '{"1303": "99.50"}')
    code, output = eod(db_url, "--company", "MLC")
    assert code == 1
    assert "close of business 2025-03-03 STOPPED:" in output
    assert "eod.reconcile partition 0: reconciliation of 2025-03-03 failed" in output
    report = output[output.index("account") :].splitlines()
    assert report[1].split() == ["1303", "99.50", "0.00", "99.50"]

    code, output = eod(db_url, "status", "--company", "MLC")
    assert code == 0 and "failed" in output and "eod.reconcile" in output


def test_eod_refuses_a_bad_date(scratch: World, db_url: str) -> None:
    code, output = eod(db_url, "--date", "03/03/2025")
    assert (code, output) == (2, "error: --date: dates are YYYY-MM-DD\n")

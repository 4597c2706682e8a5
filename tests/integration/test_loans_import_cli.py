"""``microlend import repayments FILE.csv``: a bank's failed debits (its ``status`` column) are
skipped, and a refusal names the file's line (the skipped lines counted)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from microlend.cli import app
from microlend.loans import service as loans
from tests.integration.loans_support import disbursed, set_business_date
from tests.seed import World

HEADER = "loan_number,amount,value_date,channel,external_reference,status"


def _run(db_url: str, path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["import", "repayments", str(path)], env={"MICROLEND_DATABASE_URL": db_url}
    )
    return result.exit_code, result.output


def _repayments(world: World, loan_id: int) -> list[str]:
    with world.make_uow() as uow:
        rows = loans.events(uow, world.principal("finance"), loan_id=loan_id)
    return [str(row.amount) for row in rows if row.kind == "repayment"]


def test_failed_debits_are_skipped_and_a_refusal_names_the_files_line(
    db_url: str, world: World, tmp_path: Path
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    path = tmp_path / "result.csv"
    lines = [
        HEADER,
        f"{loan.number},1120.00,2025-02-15,deduction,DD-1,成功",
        f"{loan.number},50.00,2025-02-15,deduction,DD-2,余额不足",
        f"{loan.number},100.00,2025-01-01,deduction,DD-3,SUCCESS",  # before the disbursement
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, output = _run(db_url, path)
    assert code != 0 and "(line 3)" in output
    assert _repayments(world, loan.id) == []

    path.write_text("\n".join(lines[:3]), encoding="utf-8")
    code, output = _run(db_url, path)
    assert code == 0, output
    assert "1 repayments: 1 posted, 0 already there; 1 skipped" in output
    assert _repayments(world, loan.id) == ["1120.00"]


def test_a_line_without_the_banks_reference_is_refused_before_anything_is_posted(
    db_url: str, world: World, tmp_path: Path
) -> None:
    """Without a reference a file imported twice would pay twice: line 3 (the failed line 2 is
    not posted and needs none) has none, so nothing is posted and line 3 is named."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    path = tmp_path / "result.csv"
    lines = [
        HEADER,
        f"{loan.number},1120.00,2025-02-15,deduction,DD-1,成功",
        f"{loan.number},50.00,2025-02-15,deduction,,余额不足",
        f"{loan.number},100.00,2025-02-15,deduction,,成功",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, output = _run(db_url, path)
    assert code != 0
    assert "external_reference" in output and "(line 3)" in output
    assert _repayments(world, loan.id) == []

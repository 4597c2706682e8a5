"""``microlend ledger``: open-books, check (which notices a broken voucher), trial-balance."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from microlend.cli import app
from tests.ledger_support import event, post
from tests.seed import World

DAY = date(2025, 3, 3)


def ledger(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ledger", *args], env={"MICROLEND_DATABASE_URL": db_url})
    return result.exit_code, result.output


def test_open_books_check_and_trial_balance(db_url: str, world: World) -> None:
    assert ledger(db_url, "open-books", "--company", "MLC") == (0, "default books opened\n")
    assert ledger(db_url, "open-books", "--company", "MLC")[1].startswith("the company already")
    finance = world.principal("finance")
    post(world, finance, event(world, "disbursement", "d:1", DAY, principal="1234.56"))
    code, output = ledger(db_url, "check", "--company", "MLC")
    assert (code, output) == (0, "ledger sound: every voucher balances, numbers have no gaps\n")
    code, output = ledger(
        db_url, "trial-balance", "--company", "MLC", "--from", "2025-03-01", "--to", "2025-03-31",
        "--csv",
    )  # fmt: skip
    assert code == 0
    assert "130301,正常贷款,Loans - performing,1,0.00,0.00,1234.56,0.00,1234.56,0.00" in output
    assert ",合计,Total,0,0.00,0.00,1234.56,1234.56,1234.56,1234.56" in output


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_check_names_an_unbalanced_voucher(db_url: str, world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "disbursement", "d:1", DAY, principal="100"))
    with world.make_uow() as uow:  # forge a line behind the ledger's back (SQLite has no
        uow.session.execute(  # deferred balance trigger; PostgreSQL refuses this at commit)
            text(
                "INSERT INTO voucher_lines (voucher_id, line_no, company_id, office_id,"
                " business_date, account_id, side, amount_minor, currency, memo)"
                " SELECT voucher_id, 9, company_id, office_id, business_date, account_id, 'D',"
                " 7, currency, 'forged' FROM voucher_lines WHERE line_no = 1"
            )
        )
        uow.commit()
    code, output = ledger(db_url, "check", "--company", "MLC")
    assert code == 1
    assert "2025-03-000001: unbalanced: CNY off by 7 minor units" in output

"""``microlend demo`` seeds an empty database once, through ``microlend init``, and never touches a
database that already has a company."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from typer.testing import CliRunner

from microlend.accounting import service as ledger
from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.demo import ADMIN, DEMO_PASSWORD, USERS
from microlend.db.tables import AuditRecord
from microlend.orgs import service as orgs
from tests.conftest import NOW, MakeUow
from tests.seed import World


def run_demo(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["demo", *args], env={"MICROLEND_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_seeds_an_empty_database_once(db_url: str, make_uow: MakeUow) -> None:
    first = run_demo(db_url, "--loans", "0")  # staff and books only: the portfolio has its test
    assert f"all with the password {DEMO_PASSWORD}" in first
    with make_uow() as uow:
        principal = auth.authenticate(
            uow, username=ADMIN, password=DEMO_PASSWORD, address="test", now=NOW
        )
        users = auth.list_users(uow, principal, limit=100).items
        offices = [node.office.code for node in orgs.office_tree(uow, principal)[0].children]
        business_date = orgs.company_by_code(uow, code="DEMO").business_date
        bank = ledger.account_balance(uow, principal, code="1002", as_of=business_date)
        capital = ledger.account_balance(uow, principal, code="4001", as_of=business_date)
    assert {user.username for user in users} == {ADMIN, *(user.username for user in USERS)}
    assert {"admin", "loan_officer", "approver", "auditor"} <= {
        role for user in users for role in user.roles
    }
    assert offices == ["B01", "B02"]
    # The books are open with the owners' 50 million paid in: 借 1002 银行存款 / 贷 4001 实收资本.
    assert (bank, capital) == (Decimal("50000000.00"), Decimal("-50000000.00"))
    with make_uow(read_only=True) as uow:  # opened by init, not a second time by demo
        opened = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.command == "accounting.books.open")
        ).all()
    assert len(opened) == 1

    second = run_demo(db_url)
    assert "already there" in second
    assert "Building" not in second
    with make_uow(read_only=True) as uow:
        again = auth.list_users(uow, principal, limit=100).items
    assert len(again) == len(users)


def test_demo_leaves_a_real_company_alone(db_url: str, world: World) -> None:
    output = run_demo(db_url)
    assert "no demo data was added" in output
    assert DEMO_PASSWORD not in output
    with world.make_uow(read_only=True) as uow:
        assert orgs.first_company(uow) is not None
        codes = [company.code for company in orgs.list_companies(uow, world.principal("admin"))]
    assert "DEMO" not in codes

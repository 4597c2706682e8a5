"""The ``microlend`` command against a real database: init, users, audit verify, errors."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from microlend.cli import app

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MICROLEND_DATABASE_URL", db_url)
    return runner


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_init_then_users_then_audit(cli: CliRunner, engine: Engine) -> None:
    out = run(cli, "init", "--company", "小贷公司", "--admin", "boss")
    assert "Sign in as boss with password " in out
    run(
        cli,
        "users",
        "create",
        "zhang",
        "--role",
        "loan_officer",
        "--password",
        "Secret-pass-12",
        "--display-name",
        "张三",
    )
    run(cli, "users", "grant", "zhang", "collector")
    listed = run(cli, "users", "list")
    assert "zhang" in listed and "collector loan_officer" in listed and "boss" in listed
    run(cli, "users", "reset-password", "zhang", "--password", "Another-pass-34")
    assert "audit chain intact" in run(cli, "audit", "verify")
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text("UPDATE audit_log SET username = 'x' WHERE seq = 2"))
    broken = run(cli, "audit", "verify", code=1)
    assert "record 2: changed" in broken


def test_errors_are_one_line_naming_the_field(cli: CliRunner) -> None:
    run(cli, "init", "--company", "C", "--admin", "boss", "--password", "Secret-pass-12")
    bad_password = run(
        cli, "users", "create", "liu", "--role", "collector", "--password", "short", code=2
    )
    assert bad_password.strip().splitlines()[-1].startswith("error: password:")
    bad_role = run(
        cli, "users", "create", "liu", "--role", "nosuch", "--password", "Secret-pass-12", code=2
    )
    assert "error: roles: unknown roles: nosuch" in bad_role
    assert "error: username:" in run(cli, "users", "grant", "nobody", "admin", code=2)
    assert "error: company:" in run(cli, "init", "--company", "D", "--admin", "x", code=2)


def test_users_need_a_company_first(cli: CliRunner) -> None:
    assert "microlend init" in run(cli, "users", "list", code=2)


def test_migrate_is_idempotent(cli: CliRunner) -> None:
    assert "newest schema" in run(cli, "migrate")
    assert "newest schema" in run(cli, "migrate")


def test_init_opens_the_default_books_once(cli: CliRunner, engine: Engine) -> None:
    out = run(cli, "init", "--company", "小贷公司", "--admin", "boss")
    assert "default chart of accounts" in out
    with engine.connect() as connection:
        codes = set(connection.scalars(text("SELECT code FROM ledger_accounts")))
        rules = connection.scalar(text("SELECT count(*) FROM posting_rules"))
        opened = connection.scalar(
            text("SELECT count(*) FROM audit_log WHERE command = 'accounting.books.open'")
        )
    assert {"1002", "1303", "130301", "4001", "6011"} <= codes
    assert rules and opened == 1

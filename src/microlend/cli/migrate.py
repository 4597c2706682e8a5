"""``microlend migrate`` and ``microlend init``: the schema, then the first company and admin."""

from __future__ import annotations

import secrets
import string
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from microlend.accounting import service as ledger
from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work, wall_clock
from microlend.db.engine import create_engine_for, database_url
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.orgs import service as orgs


def migrate_database() -> str:
    """Bring the configured database to the newest schema; keep the built-in roles in step."""
    url = database_url()
    engine = create_engine_for(url)
    try:
        upgrade_engine(engine)
        with UnitOfWork(make_session_factory(engine)) as uow:
            auth.sync_default_roles(uow)
            uow.commit()
    finally:
        engine.dispose()
    return make_url(url).render_as_string(hide_password=True)


@app.command()
def migrate() -> None:
    """Bring the database (MICROLEND_DATABASE_URL, or ./microlend.db) to the newest schema."""
    typer.echo(f"microlend: {migrate_database()} is at the newest schema")


def generated_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(16))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@app.command()
def init(
    company: Annotated[str, typer.Option(help="Name of the first company, e.g. 小额贷款公司.")],
    admin: Annotated[str, typer.Option(help="Username of the first administrator.")],
    password: Annotated[
        str | None, typer.Option(help="The administrator's password (generated when omitted).")
    ] = None,
    code: Annotated[str, typer.Option(help="Short code of the company.")] = "MAIN",
    head_office: Annotated[str, typer.Option(help="Name of the head office.")] = "总部",
) -> None:
    """Create the first company, its head office, an administrator and the company's default
    books (chart of accounts and posting rules), migrating first."""
    migrate_database()
    now = wall_clock()
    chosen = password or generated_password()
    with unit_of_work() as uow:
        if orgs.first_company(uow) is not None:
            typer.echo("error: company: this database already has a company", err=True)
            raise typer.Exit(2)
        founded = orgs.found_company(
            uow,
            company_code=code,
            company_name=company,
            head_office_name=head_office,
            business_date=now.date(),
            now=now,
        )
        assert founded.head_office_id is not None
        user = auth.create_user(
            uow,
            operator(uow, code),
            username=admin,
            password=chosen,
            display_name=admin,
            office_id=founded.head_office_id,
            roles=["admin"],
            scope="company",
            now=now,
        )
        ledger.open_books(uow, operator(uow, code), now=now)
        uow.commit()
    username = user.username if isinstance(user, auth.UserView) else admin
    typer.echo(f"microlend: company {company} ({code}) with head office {head_office} is ready.")
    typer.echo("The default chart of accounts and posting rules are open.")
    typer.echo(f"Sign in as {username}" + ("" if password else f" with password {chosen}"))
    typer.echo("  web:  microlend serve, then open http://127.0.0.1:8000/")
    typer.echo('  API:  POST /api/v1/auth/token with {"username", "password"}')

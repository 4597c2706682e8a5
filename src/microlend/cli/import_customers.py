"""``microlend import customers FILE.xlsx|csv``: check every row, then import (see
``microlend.customers.importing``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from microlend.auth import service as auth
from microlend.auth.tables import User
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work, wall_clock
from microlend.customers import importing
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs

import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _actor(uow: UnitOfWork, company: str | None, username: str | None) -> Principal:
    system = operator(uow, company)
    if username is None:
        return system
    found = auth.user_by_username(uow, system, username=username)
    user = uow.session.get(User, found.id)
    if user is None or not user.active:
        raise NotFound("no active user %(username)s", field="as", params={"username": username})
    return auth.principal_for_user(uow, user, address="cli")


def _office_id(uow: UnitOfWork, actor: Principal, code: str | None) -> int | None:
    if code is None:
        return None
    for office in orgs.list_offices(uow, actor, limit=500).items:
        if office.code == code:
            return office.id
    raise NotFound("no office with code %(code)s", field="office", params={"code": code})


@import_app.command("customers")
def import_customers(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
    company: Annotated[str | None, typer.Option(help="Company code (default: the first).")] = None,
    office: Annotated[str | None, typer.Option(help="Office code (default: the user's).")] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Register as this user, who then holds the customers "
            "(default: the system operator; the customers go to the pool).",
        ),
    ] = None,
    skip_bad: Annotated[bool, typer.Option(help="Import the good rows even if some are bad.")] = (
        False
    ),
) -> None:
    """Import customers: every row is checked first; nothing is imported while a row is bad
    (unless --skip-bad); customers the group has already are skipped, so re-running is safe."""
    with unit_of_work() as uow:
        records = importing.read_rows(file)
        actor = _actor(uow, company, as_user)
        report = importing.import_customers(uow, actor, records,
                                            office_id=_office_id(uow, actor, office),
                                            skip_bad=skip_bad, now=wall_clock())  # fmt: skip
        for bad in report.bad:
            typer.echo(f"line {bad.line}: {bad.field}: {bad.message}", err=True)
        if report.refused:
            typer.echo(f"{len(report.bad)} bad rows: nothing imported (fix them, or --skip-bad)",
                       err=True)  # fmt: skip
            raise typer.Exit(1)
        uow.commit()
    pending = f", pending approval {len(report.pending)}" if report.pending else ""
    typer.echo(f"imported {len(report.imported)}, already registered "
               f"{len(report.already_registered)}, bad {len(report.bad)}{pending}")  # fmt: skip

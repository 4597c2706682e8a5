"""``microlend users create|list|grant|reset-password``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work, wall_clock
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs

users_app = typer.Typer(
    help="Users: create, list, grant roles, reset passwords.", no_args_is_help=True
)
app.add_typer(users_app, name="users")

CompanyOption = Annotated[
    str | None, typer.Option("--company", help="Company code (default: the first company).")
]


def _office_id(uow: UnitOfWork, actor: Principal, code: str | None) -> int:
    offices = orgs.list_offices(uow, actor, limit=500).items
    for office in offices:
        if (code is None and office.parent_id is None) or office.code == code:
            return office.id
    typer.echo(f"error: office: no office with code {code}", err=True)
    raise typer.Exit(2)


def _report(outcome: object, done: str) -> None:
    if isinstance(outcome, Pending):
        typer.echo(f"pending #{outcome.pending_id}: {outcome.summary} (waits for a checker)")
    else:
        typer.echo(done)


@users_app.command("create")
def create(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="A role code; repeat for several.")],
    office: Annotated[str | None, typer.Option(help="Office code (default: head office).")] = None,
    scope: Annotated[str, typer.Option(help="own, office, office_subtree, company or group.")] = (
        "office"
    ),
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    password: Annotated[str | None, typer.Option(help="Password (asked for when omitted).")] = None,
    company: CompanyOption = None,
) -> None:
    """Create a user."""
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    now = wall_clock()
    with unit_of_work() as uow:
        actor = operator(uow, company)
        outcome = auth.create_user(
            uow,
            actor,
            username=username,
            password=secret,
            display_name=display_name or username,
            roles=role,
            scope=scope,
            office_id=_office_id(uow, actor, office),
            now=now,
        )
        uow.commit()
    _report(outcome, f"created user {username.strip().lower()}")


@users_app.command("list")
def list_users(
    q: Annotated[str | None, typer.Option(help="Search username and display name.")] = None,
    company: CompanyOption = None,
) -> None:
    """List users."""
    with unit_of_work(read_only=True) as uow:
        actor = operator(uow, company)
        users = list(auth.export_users(uow, actor, q=q))
    table = Table("id", "username", "name", "office", "scope", "roles", "active")
    for user in users:
        table.add_row(
            str(user.id),
            user.username,
            user.display_name,
            str(user.office_id),
            user.scope,
            " ".join(user.roles),
            "yes" if user.active else "no",
        )
    Console().print(table)


@users_app.command("grant")
def grant(
    username: str,
    roles: Annotated[list[str], typer.Argument(help="Role codes to grant.")],
    replace: Annotated[bool, typer.Option(help="Replace the user's roles instead of adding.")] = (
        False
    ),
    scope: Annotated[str | None, typer.Option(help="New data scope.")] = None,
    company: CompanyOption = None,
) -> None:
    """Grant roles to a user (added to the ones they have, unless --replace)."""
    now = wall_clock()
    with unit_of_work() as uow:
        actor = operator(uow, company)
        user = auth.user_by_username(uow, actor, username=username)
        wanted = set(roles) if replace else set(roles) | set(user.roles)
        outcome = auth.grant_roles(
            uow, actor, user_id=user.id, roles=sorted(wanted), scope=scope, now=now
        )
        uow.commit()
    _report(outcome, f"{user.username} now has roles {', '.join(sorted(wanted))}")


@users_app.command("reset-password")
def reset_password(
    username: str,
    password: Annotated[
        str | None, typer.Option(help="New password (asked for when omitted).")
    ] = None,
    company: CompanyOption = None,
) -> None:
    """Set a new password for a user (their web sessions end)."""
    secret = password or typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    now = wall_clock()
    with unit_of_work() as uow:
        actor = operator(uow, company)
        user = auth.user_by_username(uow, actor, username=username)
        outcome = auth.reset_password(uow, actor, user_id=user.id, new_password=secret, now=now)
        uow.commit()
    _report(outcome, f"new password set for {user.username}")

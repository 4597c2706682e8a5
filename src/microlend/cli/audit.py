"""``microlend audit verify``: walk the audit hash chain and name every broken record."""

from __future__ import annotations

from typing import Annotated

import typer

from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    company: Annotated[
        str | None, typer.Option("--company", help="Company code (default: the first company).")
    ] = None,
) -> None:
    """Check the whole audit chain; exit 1 and name each changed, removed or reordered record."""
    with unit_of_work(read_only=True) as uow:
        problems = auth.verify_audit(uow, operator(uow, company))
        count = auth.audit_record_count(uow)
    if not problems:
        typer.echo(f"audit chain intact: {count} records")
        return
    for problem in problems:
        typer.echo(f"record {problem.seq}: {problem.kind}: {problem.message}")
    typer.echo(f"audit chain BROKEN: {len(problems)} problem(s)", err=True)
    raise typer.Exit(1)

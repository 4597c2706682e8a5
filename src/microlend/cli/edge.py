"""What every command of the CLI needs: the database, the clock, the operator, error reporting.

The CLI is the edge: it reads the wall clock and passes ``now`` down. The operator at the command
line acts as the ``system`` principal of a company (every permission, the company's group).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import typer

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.db.engine import create_engine_for, database_url
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.kernel.errors import DomainError, NotFound
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs

EXIT_USAGE = 2


def wall_clock() -> datetime:
    return datetime.now(UTC)


@contextmanager
def unit_of_work(*, read_only: bool = False) -> Iterator[UnitOfWork]:
    """A unit of work on the configured database; a domain error ends the command (exit 2)."""
    engine = create_engine_for(database_url())
    try:
        with reported(), UnitOfWork(make_session_factory(engine), read_only=read_only) as uow:
            yield uow
    finally:
        engine.dispose()


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        where = f"{error.field}: " if error.field else ""
        notes = "".join(f" ({note})" for note in getattr(error, "__notes__", ()))
        typer.echo(f"error: {where}{error.detail}{notes}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def operator(uow: UnitOfWork, company_code: str | None) -> Principal:
    """The system principal of the company with ``company_code`` (default: the first company)."""
    company = (
        orgs.company_by_code(uow, code=company_code) if company_code else orgs.first_company(uow)
    )
    if company is None:
        raise NotFound("no company yet: run `microlend init` first", field="company")
    return auth.system_principal(
        uow, company_id=company.id, permissions=frozenset(PERMISSIONS), name="system@cli"
    )

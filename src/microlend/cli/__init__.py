"""The ``microlend`` command: one Typer app, each group of commands in a module of its own."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="microlend",
    help="microlend: microloan management for small-loan companies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Each module adds its commands to ``app`` (or a sub-app) on import.
    from microlend.cli import (  # noqa: F401
        audit,
        demo,
        documents,
        eod,
        import_customers,
        import_repayments,
        ledger,
        migrate,
        schedule,
        serve,
        users,
    )


_register()

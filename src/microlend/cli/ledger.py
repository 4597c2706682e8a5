"""``microlend ledger``: open the books, check the journal, print the trial balance."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from microlend.accounting import exports
from microlend.accounting import service as ledger
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work, wall_clock

ledger_app = typer.Typer(help="The general ledger (总账).", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")

CompanyOption = Annotated[
    str | None, typer.Option("--company", help="Company code (default: the first company).")
]


@ledger_app.command("open-books")
def open_books(company: CompanyOption = None) -> None:
    """Seed the default chart of accounts and posting rules of a company (if it has none)."""
    with unit_of_work() as uow:
        seeded = ledger.open_books(uow, operator(uow, company), now=wall_clock())
        uow.commit()
    typer.echo("default books opened" if seeded is True else "the company already has a chart")


@ledger_app.command("check")
def check(company: CompanyOption = None) -> None:
    """Check that every voucher balances and voucher numbers have no gaps; exit 1 if not."""
    with unit_of_work(read_only=True) as uow:
        actor = operator(uow, company)
        problems = ledger.check_ledger(uow, actor)
        vouchers = ledger.list_vouchers(uow, actor, limit=1)
    for problem in problems:
        where = problem.number or f"company {problem.company_id}"
        typer.echo(f"{where}: {problem.kind}: {problem.message}")
    if problems:
        typer.echo(f"ledger BROKEN: {len(problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(
        "ledger sound: every voucher balances, numbers have no gaps"
        + ("" if vouchers.items else " (no vouchers yet)")
    )


@ledger_app.command("trial-balance")
def trial_balance(
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    company: CompanyOption = None,
    consolidated: Annotated[bool, typer.Option(help="Every company of the group.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output.")] = False,
) -> None:
    """Print the trial balance (科目余额表) of a period."""
    try:
        first, last = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError:
        typer.echo("error: --from/--to: dates are YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    with unit_of_work(read_only=True) as uow:
        report = ledger.trial_balance(
            uow, operator(uow, company), date_from=first, date_to=last, consolidated=consolidated
        )
    if as_csv:
        sys.stdout.writelines(exports.trial_balance_csv(report))
        return
    table = Table(title=f"Trial balance {first} .. {last} ({report.currency})")
    for column in (
        "code",
        "name",
        "opening Dr",
        "opening Cr",
        "Dr",
        "Cr",
        "closing Dr",
        "closing Cr",
    ):
        table.add_column(column, justify="left" if column in ("code", "name") else "right")
    for row in (*report.rows, report.totals):
        table.add_row(
            row.code,
            "  " * row.level + row.name_zh,
            *(str(value) for value in (
                row.opening_debit, row.opening_credit, row.period_debit,
                row.period_credit, row.closing_debit, row.closing_credit,
            )),
        )  # fmt: skip
    Console().print(table)
    if not report.balanced:
        typer.echo("the trial balance does NOT balance", err=True)
        raise typer.Exit(1)

"""``microlend schedule``: the loan calculator.

Reads loan terms as JSON from a file or standard input and prints the repayment schedule with
its APR, as a table for people, or as JSON or CSV for programs. Bad terms exit with status 2 and
one line naming the field.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from microlend.cli import app
from microlend.kernel.errors import ValidationFailed
from microlend.loans.calculator.apr import AnnualPercentageRate, schedule_apr
from microlend.loans.calculator.model import Schedule
from microlend.loans.calculator.schedule import build_schedule
from microlend.loans.calculator.schemas import parse_terms, schedule_document

USAGE_ERROR = 2
COLUMNS = ("n", "due_date", "principal", "interest", "fee", "total", "balance")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@app.command()
def schedule(
    terms: str = typer.Option(
        ...,
        "--terms",
        metavar="FILE|-",
        help='Loan terms as JSON, from FILE or "-" for standard input. Required keys: '
        "principal, annual_rate, term, method; see docs/schedule-engine.md for the others.",
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", help="table for people, json or csv for programs."
    ),
) -> None:
    """Print the repayment schedule and APR of a loan (the loan calculator).

    Example:  echo '{"principal": "100000", "annual_rate": "12", "term": 12,
    "method": "equal_installment"}' | microlend schedule --terms -
    """
    try:
        document = _read_terms(terms)
        loan_terms = parse_terms(document, default_disbursement=_today())
        result = build_schedule(loan_terms)
        apr = schedule_apr(result)
    except ValidationFailed as error:
        _fail(str(error))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(schedule_document(result, apr), indent=2, ensure_ascii=False))
    elif output is OutputFormat.CSV:
        typer.echo(_as_csv(schedule_document(result, apr)), nl=False)
    else:
        _print_table(result, apr)


def _today() -> date:
    """The local calendar date: the only place a default date is taken from the clock."""
    return datetime.now(UTC).astimezone().date()


def _read_terms(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationFailed(
            "cannot read %(source)s: %(strerror)s",
            field="terms",
            params={"source": source, "strerror": error.strerror},
        ) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        detail = f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        raise ValidationFailed(detail, field="terms") from None


def _reject_constant(name: str) -> NoReturn:
    raise ValidationFailed("%(name)s is not a number", field="terms", params={"name": name})


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(USAGE_ERROR)


def _as_csv(document: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(document["installments"])
    return buffer.getvalue()


def _print_table(result: Schedule, apr: AnnualPercentageRate) -> None:
    terms = result.terms
    table = Table(
        title=f"{terms.method.value} · {terms.term} × {terms.frequency} · "
        f"{terms.principal} {terms.currency} at {terms.annual_rate}%",
        caption=f"APR {apr.nominal}% nominal, {apr.effective}% effective · "
        f"upfront fee {result.upfront_fee} · received {result.amount_received}",
    )
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "due_date" else "right")
    for row in result.installments:
        table.add_row(
            str(row.n),
            row.due_date.isoformat(),
            *(f"{value:,f}" for value in row[2:7]),
        )
    table.add_section()
    totals = (result.total_principal, result.total_interest, result.total_fee)
    table.add_row("total", "", *(f"{value:,f}" for value in (*totals, result.total_payments)), "")
    Console().print(table)

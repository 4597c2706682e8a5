"""``microlend import repayments FILE.csv``: a bank file of repayments posted in one transaction
(``microlend.loans.batch``); all or nothing, a repeated external reference is not paid twice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from microlend.cli.edge import operator, reported, unit_of_work, wall_clock
from microlend.cli.import_customers import import_app
from microlend.kernel.errors import DomainError
from microlend.loans.batch import read_repayments, repay_batch
from microlend.loans.batch_file import renumber, require_references, succeeded
from microlend.loans.views import EventOutcome


@import_app.command("repayments")
def import_repayments(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="UTF-8 CSV file.")],
    company: Annotated[str | None, typer.Option(help="Company code (default: the first).")] = None,
) -> None:
    """Post the repayments of FILE (columns loan_number, amount, value_date, channel,
    external_reference, and optionally status: a line whose status is not success, ok or 成功
    is skipped) in one transaction. Every line posted names the bank's reference, so that a
    file imported twice posts nothing the second time."""
    with reported():
        rows = read_repayments(file)
    numbers = [number for number, row in enumerate(rows, start=1) if succeeded(row)]
    with reported():
        require_references([rows[n - 1] for n in numbers], numbers)
    with unit_of_work() as uow:
        actor = operator(uow, company)
        try:
            done = repay_batch(uow, actor, [rows[n - 1] for n in numbers], now=wall_clock())
        except DomainError as error:
            renumber(error, numbers)  # the file's line, skipped lines counted
            raise
        uow.commit()
    replayed = sum(1 for d in done if isinstance(d, EventOutcome) and d.replayed)
    skipped = len(rows) - len(numbers)
    typer.echo(
        f"{len(done)} repayments: {len(done) - replayed} posted, {replayed} already there; "
        f"{skipped} skipped (their status is not a success)."
    )

"""``microlend eod``: close of business (日终批处理), a worker that joins one, and its status.

    microlend eod [--date D] [--company C] [--workers N]   close every open day up to D
    microlend eod worker [--company C]                     join a running close of business
    microlend eod status [--company C]                     the latest runs

Exit codes: 0 done (or nothing to do), 1 the run stopped (a failed step, or a reconciliation
difference: the report is printed), 2 bad input.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from microlend.cli import app
from microlend.cli.edge import EXIT_USAGE, operator, reported, unit_of_work, wall_clock
from microlend.db.engine import create_engine_for, database_url
from microlend.db.uow import make_session_factory
from microlend.eod import runner
from microlend.eod import service as eod
from microlend.eod.partitions import DEFAULT_PARTITION_SIZE
from microlend.eod.summary import RunSummary

eod_app = typer.Typer(help="Close of business (日终批处理).", invoke_without_command=True)
app.add_typer(eod_app, name="eod")

CompanyOption = Annotated[
    str | None, typer.Option("--company", help="Company code (default: the first company).")
]


@eod_app.callback(invoke_without_command=True)
def close(
    context: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--date", help="Close up to this date, YYYY-MM-DD (default: the company's)."),
    ] = None,
    company: CompanyOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    partition_size: Annotated[
        int, typer.Option(min=1, help="Ids per partition.")
    ] = DEFAULT_PARTITION_SIZE,
) -> None:
    """Run close of business for every open business date up to --date, one day after another."""
    if context.invoked_subcommand is not None:
        return
    target = _parse_date(on)
    with unit_of_work(read_only=True) as uow:
        actor = operator(uow, company)
        business_date = _business_date(actor.company_id)
    engine = create_engine_for(database_url())
    console = Console()
    try:
        with reported(), _ProgressBar(console) as bar:
            summary = eod.close_business(
                make_session_factory(engine),
                actor,
                company_id=actor.company_id,
                target_date=target or business_date,
                workers=workers,
                now=wall_clock,
                progress=bar.update,
                partition_size=partition_size,
            )
    finally:
        engine.dispose()
    _print_summary(console, summary)
    if summary.status == "failed":
        failed = summary.failed_day
        assert failed is not None
        typer.echo(f"close of business {failed.business_date} STOPPED:\n{failed.error}", err=True)
        raise typer.Exit(1)


@eod_app.command("worker")
def worker(
    company: Annotated[
        str | None, typer.Option("--company", help="Only this company's runs (default: any).")
    ] = None,
    idle: Annotated[
        float, typer.Option(help="Stop after this many seconds without a running close.")
    ] = 30.0,
) -> None:
    """Join a running close of business (on this or another machine) until none is running."""
    with unit_of_work(read_only=True) as uow:
        actor = operator(uow, company)
    engine = create_engine_for(database_url())
    typer.echo("worker waiting for a close of business")
    try:
        with reported():
            done = eod.join(
                make_session_factory(engine),
                actor,
                company_id=actor.company_id if company else None,
                now=wall_clock,
                idle_seconds=idle,
            )
    finally:
        engine.dispose()
    typer.echo(f"worker done: {done} partition(s)")


@eod_app.command("status")
def status(
    company: CompanyOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many runs.")] = 10,
) -> None:
    """The latest closes of business: date, status, step, partitions done."""
    with unit_of_work(read_only=True) as uow:
        runs = eod.list_runs(uow, operator(uow, company), limit=limit)
    if not runs:
        typer.echo("no close of business yet")
        return
    table = Table(title="Close of business")
    for column in ("company", "date", "status", "step", "partitions", "started", "finished"):
        table.add_column(column)
    for run in runs:
        table.add_row(
            str(run.company_id),
            run.business_date.isoformat(),
            run.status,
            run.current_step or "",
            f"{run.partitions_done}/{run.partitions_total}",
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.finished_at.strftime("%H:%M:%S") if run.finished_at else "",
        )
    Console().print(table)
    for run in runs:
        if run.error:
            typer.echo(f"{run.business_date}: {run.error}")


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        typer.echo("error: --date: dates are YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _business_date(company_id: int) -> date:
    engine = create_engine_for(database_url())
    try:
        return runner.business_date_of(make_session_factory(engine), company_id)
    finally:
        engine.dispose()


class _ProgressBar:
    """A bar per step and day, fed by the runner's progress callback."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[date, str], TaskID] = {}

    def __enter__(self) -> _ProgressBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, event: runner.Progress) -> None:
        key = (event.business_date, event.step_code)
        if key not in self._tasks:
            label = f"{event.business_date} [{event.step_no}/{event.step_count}] {event.step_code}"
            self._tasks[key] = self._progress.add_task(label, total=max(event.total, 1))
        self._progress.update(self._tasks[key], completed=event.done, total=max(event.total, 1))


def _print_summary(console: Console, summary: RunSummary) -> None:
    if not summary.days:
        console.print(f"nothing to close: the business date is after {summary.target_date}")
        return
    closed = [day for day in summary.days if day.status == "done"]
    dates = f"{summary.days[0].business_date} .. {summary.days[-1].business_date}"
    console.print(f"Close of business {dates}: {len(closed)} day(s) closed")
    table = Table()
    table.add_column("step")
    table.add_column("counts")
    table.add_column("seconds", justify="right")
    seconds = summary.step_seconds()
    for code, counts in summary.totals().items():
        shown = ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))
        table.add_row(code, shown, f"{seconds.get(code, 0.0):.2f}")
    table.add_row("total", "", f"{summary.seconds:.2f}")
    console.print(table)

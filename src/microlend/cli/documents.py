"""``microlend documents verify``: every record whose stored file is missing, unreadable or not
what was stored (its size or SHA-256 differs) — storage loss an operator must repair."""

from __future__ import annotations

from typing import Annotated

import typer

from microlend.accounting import attachments
from microlend.cli import app
from microlend.cli.edge import operator, unit_of_work
from microlend.customers import credit_file
from microlend.db import documents
from microlend.loans import fund_usage, payoff_certificates
from microlend.origination import contracts, investigation

documents_app = typer.Typer(
    help="The document store (attachments, evidence, contracts, certificates).",
    no_args_is_help=True,
)
app.add_typer(documents_app, name="documents")

LISTS = (
    credit_file.stored_documents,
    attachments.stored_attachments,
    investigation.stored_attachments,
    contracts.stored_contracts,
    fund_usage.stored_evidence,
    payoff_certificates.stored_certificates,
)


@documents_app.command("verify")
def verify(
    company: Annotated[
        str | None, typer.Option("--company", help="Company code (default: the first company).")
    ] = None,
) -> None:
    """Read every stored file the company's records refer to; exit 1 and name each record whose
    file is missing, unreadable or changed, with the file's path."""
    with unit_of_work(read_only=True) as uow:
        actor = operator(uow, company)
        stored = [document for listed in LISTS for document in listed(uow, actor)]
    problems = documents.verify(stored)
    for problem in problems:
        typer.echo(f"{problem.document}: {problem.problem}: {problem.path}")
    if problems:
        typer.echo(f"document store BROKEN: {len(problems)} of {len(stored)} records", err=True)
        raise typer.Exit(1)
    typer.echo(f"document store intact: {len(stored)} records, every file as stored")

"""Handing out the auto-debit file: every export of whole bank account numbers is audited.

The file (``loans.autodebit``) carries borrowers' whole account numbers, which the bank needs;
under PIPL they are sensitive personal information, so each answer that carries them (the CSV
file, or the API's JSON) is an audited export (``db.export_audit``): command
``loans.autodebit.export``, the request ``{"on": collection date, "format": "csv" | "json"}``.
A page showing the lines is not an export (it masks the numbers without ``pii.view``) and is
not audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from microlend.accounting.exports import BOM, rows_csv
from microlend.db.export_audit import record_export as audited
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require
from microlend.loans.autodebit import PERMISSION, DebitRun, deduction_run, file_rows

EXPORT_COMMAND = "loans.autodebit.export"

Format = Literal["csv", "json"]
Render = Callable[[DebitRun], bytes]


def csv_bytes(run: DebitRun) -> bytes:
    """The file as the bank gets it: UTF-8 with a BOM, the header ``COLUMNS`` then the lines."""
    return (BOM + "".join(rows_csv(file_rows(run)))).encode("utf-8")


def export_request(on: date, format: Format) -> dict[str, str]:
    """The request as the audit record's ``input_digest`` digests it."""
    return {"on": on.isoformat(), "format": format}


def export_run(
    uow: UnitOfWork,
    actor: Principal,
    *,
    on: date | None,
    format: Format,
    render: Render,
    now: datetime,
) -> tuple[DebitRun, bytes]:
    """The run of collection date ``on`` (default the business date) rendered by ``render``, its
    export audited: the bytes to hand out are those whose SHA-256 the record holds."""
    run = deduction_run(uow, actor, on=on)
    content = render(run)
    record_export(uow, actor, on=run.on, format=format, content=content, now=now)
    return run, content


def record_export(
    uow: UnitOfWork,
    actor: Principal,
    *,
    on: date,
    format: Format,
    content: bytes,
    now: datetime,
) -> str:
    """Commit the audit record of handing ``content`` (the file of ``on``) out; its digest."""
    require(actor, PERMISSION)
    return audited(
        uow,
        actor,
        command=EXPORT_COMMAND,
        request=export_request(on, format),
        content=content,
        now=now,
    )

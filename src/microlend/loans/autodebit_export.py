"""Handing out the auto-debit file: every export of whole bank account numbers is audited.

The file (``loans.autodebit``) carries borrowers' whole account numbers, which the bank needs;
under PIPL they are sensitive personal information, so each answer that carries them (the CSV
file, or the API's JSON) appends one record to the audit chain:

* command ``loans.autodebit.export``, outcome ``ok``, the actor (user, company, address);
* entity ``company`` and the actor's company id (the file covers the company's offices in scope);
* ``input_digest``: the digest (``kernel.fingerprint.digest``) of the request,
  ``{"on": collection date, "format": "csv" | "json"}``;
* ``change_digest``: the SHA-256 (hex) of the exact bytes handed out (the CSV file with its BOM,
  or the JSON body), so an auditor hashing the file a user kept finds the record of its export.

An export is a read, in a read-only unit of work that cannot commit: the record is committed
apart (``UnitOfWork.write_apart``) before the bytes are handed back, so no whole number leaves
without its record. A page showing the lines is not an export (it masks the numbers without
``pii.view``) and is not audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from microlend.accounting.exports import BOM, rows_csv
from microlend.db.audit import Actor, append_audit
from microlend.db.uow import UnitOfWork
from microlend.kernel.fingerprint import digest, sha256_hex
from microlend.kernel.principal import Principal, require
from microlend.loans.autodebit import PERMISSION, DebitRun, deduction_run, file_rows

EXPORT_COMMAND = "loans.autodebit.export"
ENTITY_TYPE = "company"

Format = Literal["csv", "json"]
Render = Callable[[DebitRun], bytes]


def csv_bytes(run: DebitRun) -> bytes:
    """The file as the bank gets it: UTF-8 with a BOM, the header ``COLUMNS`` then the lines."""
    return (BOM + "".join(rows_csv(file_rows(run)))).encode("utf-8")


def request_digest(on: date, format: Format) -> str:
    """The record's ``input_digest``."""
    return digest({"on": on.isoformat(), "format": format})


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
    handed_out = sha256_hex(content)

    def write(session: Session) -> None:
        append_audit(
            session,
            actor=Actor.of(actor),
            command=EXPORT_COMMAND,
            outcome="ok",
            input_digest=request_digest(on, format),
            change_digest=handed_out,
            entity_type=ENTITY_TYPE,
            entity_id=actor.company_id,
            now=now,
        )

    uow.write_apart(write)
    return handed_out

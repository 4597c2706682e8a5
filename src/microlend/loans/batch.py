"""A batch of repayments in one transaction (a bank file, 批量代扣回盘): each is still its own
``loans.repay`` command (the engine allocates it on its loan, its voucher posts, it is audited,
a repeated channel + external reference replays instead of paying twice), but the batch commits
once. One refused line refuses the whole batch (the caller's transaction is rolled back): a file
is imported entirely or not at all, and the error names the line."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, NotFound, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import tables
from microlend.loans.repayments import repay
from microlend.loans.views import EventOutcome

COLUMNS = ("loan_number", "amount", "value_date", "channel", "external_reference")


def _loan_id(uow: UnitOfWork, company_id: int, item: Mapping[str, Any], line: int) -> int:
    if item.get("loan_id"):
        return int(item["loan_id"])
    number = str(item.get("loan_number") or "").strip()
    found = uow.session.scalar(
        select(tables.Loan.id).where(
            tables.Loan.company_id == company_id, tables.Loan.number == number
        )
    )
    if found is None:
        raise NotFound(f"line {line}: no loan {number!r}", field="loan_number")
    return found


def repay_batch(
    uow: UnitOfWork, actor: Principal, items: Iterable[Mapping[str, Any]], *, now: datetime
) -> list[EventOutcome | Pending]:
    """Post every repayment of ``items`` (``loan_id`` or ``loan_number``, ``amount``, optional
    ``value_date``, ``channel``, ``external_reference``) in the caller's transaction."""
    done: list[EventOutcome | Pending] = []
    for line, item in enumerate(items, start=1):
        raw_day = str(item.get("value_date") or "").strip()
        try:
            day = date.fromisoformat(raw_day) if raw_day else None
        except ValueError:
            raise ValidationFailed(f"line {line}: not a date", field="value_date") from None
        try:
            done.append(
                repay(
                    uow,
                    actor,
                    loan_id=_loan_id(uow, actor.company_id, item, line),
                    amount=str(item.get("amount") or ""),
                    value_date=day,
                    channel=str(item.get("channel") or "bank"),
                    external_reference=str(item.get("external_reference") or "") or None,
                    now=now,
                )
            )
        except DomainError as error:
            error.add_note(f"line {line}")
            raise
    return done


def read_repayments(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with the header ``COLUMNS`` (``value_date`` and the rest
    may be empty)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"loan_number", "amount"} - set(reader.fieldnames or ())
        if missing:
            raise ValidationFailed(f"the header lacks {', '.join(sorted(missing))}", field="file")
        return [dict(row) for row in reader]

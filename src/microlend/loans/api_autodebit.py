"""``GET /api/v1/loans/auto-debit?on=YYYY-MM-DD``: the deduction request file of a collection date
(批量代扣, ``loans.autodebit``) as JSON, or with ``format=csv`` the file itself (UTF-8 with BOM),
whose columns the repayment import takes once the bank adds its ``status`` column.

Both carry whole account numbers: each answer is audited (``loans.autodebit_export``) before it
leaves, the record holding the SHA-256 of the very bytes answered."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from microlend.accounting.api_reports import CSV
from microlend.loans.autodebit import DebitRun
from microlend.loans.autodebit_export import csv_bytes, export_run
from microlend.loans.schemas import DebitRunOut
from microlend.web.kit.deps import NowDep, PrincipalDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["loans"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv (UTF-8 with BOM)")]


def _json_bytes(run: DebitRun) -> bytes:
    return DebitRunOut.of(run).model_dump_json().encode("utf-8")


@router.get("/loans/auto-debit", response_model=DebitRunOut, responses=CSV)
def auto_debit(
    uow: UowDep,
    actor: PrincipalDep,
    now: NowDep,
    on: date | None = None,
    format: Format = "json",
) -> Response:
    """The lines to debit on ``on`` (default the business date) and the loans owing without a
    bank account; ``format=csv`` downloads the file for the bank."""
    if format == "csv":
        run, content = export_run(uow, actor, on=on, format="csv", render=csv_bytes, now=now)
        disposition = f'attachment; filename="auto-debit-{run.on:%Y%m%d}.csv"'
        return Response(
            content,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    _, content = export_run(uow, actor, on=on, format="json", render=_json_bytes, now=now)
    return Response(content, media_type="application/json")

"""``GET /api/v1/loans/auto-debit?on=YYYY-MM-DD``: the deduction request file of a collection date
(批量代扣, ``loans.autodebit``) as JSON, or with ``format=csv`` the file itself (UTF-8 with BOM),
whose columns the repayment import takes once the bank adds its ``status`` column."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from microlend.accounting.api_reports import CSV, csv_response
from microlend.accounting.exports import rows_csv
from microlend.loans.autodebit import deduction_run, file_rows
from microlend.loans.schemas import DebitRunOut
from microlend.web.kit.deps import PrincipalDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["loans"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv (UTF-8 with BOM)")]


@router.get("/loans/auto-debit", response_model=DebitRunOut, responses=CSV)
def auto_debit(
    uow: UowDep,
    actor: PrincipalDep,
    on: date | None = None,
    format: Format = "json",
) -> Any:
    """The lines to debit on ``on`` (default the business date) and the loans owing without a
    bank account; ``format=csv`` downloads the file for the bank."""
    run = deduction_run(uow, actor, on=on)
    if format == "csv":
        return csv_response(rows_csv(file_rows(run)), f"auto-debit-{run.on:%Y%m%d}.csv")
    return DebitRunOut.of(run)

"""``/api/v1/accounting`` reports: trial balance, statements, account detail, voucher export —
JSON, or a download with ``format=csv`` or ``format=xlsx``. Per office (``office_id``, with its
sub-offices), per company, or ``consolidated=true`` over the caller's group."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from microlend.accounting import exports, service
from microlend.accounting.schemas import (
    AccountDetailOut,
    BalanceSheetOut,
    IncomeStatementOut,
    TrialBalanceOut,
)
from microlend.kernel.ids import Id
from microlend.web.kit.deps import PrincipalDep, UowDep

router = APIRouter(prefix="/api/v1/accounting", tags=["accounting reports"])
Format = Annotated[
    Literal["json", "csv", "xlsx"], Query(description="json, csv (UTF-8 with BOM) or xlsx")
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}}


def csv_response(chunks: Iterable[str], filename: str) -> StreamingResponse:
    def body() -> Iterator[str]:
        yield exports.BOM
        yield from chunks

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)


def download(
    rows: Iterable[Iterable[object]], format: str, name: str
) -> StreamingResponse | Response:
    """The rows as CSV or as an xlsx workbook."""
    if format == "xlsx":
        return xlsx_response(exports.rows_xlsx(rows, name), name)
    return csv_response(exports.rows_csv(rows), f"{name}.csv")


def xlsx_response(content: bytes, name: str) -> Response:
    """A workbook to save as ``{name}.xlsx``."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
    return Response(content, media_type=XLSX_TYPE, headers=headers)


@router.get("/trial-balance", response_model=TrialBalanceOut, responses=CSV)
def trial_balance(
    uow: UowDep,
    actor: PrincipalDep,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    office_id: Id | None = None,
    consolidated: bool = False,
    format: Format = "json",
) -> Any:
    report = service.trial_balance(
        uow,
        actor,
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        office_id=office_id,
        consolidated=consolidated,
    )
    if format != "json":
        return download(exports.trial_balance_rows(report), format, f"trial-balance-{date_to}")
    return TrialBalanceOut.model_validate(report)


@router.get("/balance-sheet", response_model=BalanceSheetOut, responses=CSV)
def balance_sheet(
    uow: UowDep,
    actor: PrincipalDep,
    as_of: date,
    currency: str = "CNY",
    office_id: Id | None = None,
    consolidated: bool = False,
    format: Format = "json",
) -> Any:
    sheet = service.balance_sheet(
        uow, actor, as_of=as_of, currency=currency, office_id=office_id, consolidated=consolidated
    )
    if format != "json":
        return download(exports.balance_sheet_rows(sheet), format, f"balance-sheet-{as_of}")
    return BalanceSheetOut.model_validate(sheet)


@router.get("/income-statement", response_model=IncomeStatementOut, responses=CSV)
def income_statement(
    uow: UowDep,
    actor: PrincipalDep,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    office_id: Id | None = None,
    consolidated: bool = False,
    format: Format = "json",
) -> Any:
    statement = service.income_statement(
        uow,
        actor,
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        office_id=office_id,
        consolidated=consolidated,
    )
    if format != "json":
        rows = exports.income_statement_rows(statement)
        return download(rows, format, f"income-statement-{date_to}")
    return IncomeStatementOut.model_validate(statement)


@router.get("/accounts/{code}/detail", response_model=AccountDetailOut, responses=CSV)
def account_detail(
    code: str,
    uow: UowDep,
    actor: PrincipalDep,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    office_id: Id | None = None,
    format: Format = "json",
) -> Any:
    detail = service.account_detail(
        uow,
        actor,
        code=code,
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        office_id=office_id,
    )
    if format != "json":
        return download(exports.account_detail_rows(detail), format, f"account-{code}-{date_to}")
    return AccountDetailOut.model_validate(detail)


@router.get("/vouchers-export", response_model=None, responses=CSV, tags=["accounting"])
def export_vouchers(
    uow: UowDep,
    actor: PrincipalDep,
    date_from: date,
    date_to: date,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> StreamingResponse | Response:
    """Vouchers of the range, one row per line, in the layout of docs/voucher-export.md."""
    vouchers = list(service.export_vouchers(uow, actor, date_from=date_from, date_to=date_to))
    return download(exports.voucher_rows(vouchers), format, f"vouchers-{date_from}-{date_to}")

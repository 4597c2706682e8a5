"""``GET /api/v1/loans/auto-debit?on=YYYY-MM-DD``: the deduction request file of a collection date
(批量代扣, ``loans.autodebit``) as JSON, or with ``format=csv`` the file itself (UTF-8 with BOM),
whose columns the repayment import takes once the bank adds its ``status`` column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from microlend.accounting.api_reports import CSV, csv_response
from microlend.accounting.exports import rows_csv
from microlend.loans.autodebit import DebitRun, deduction_run, file_rows
from microlend.web.kit.deps import PrincipalDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["loans"])
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv (UTF-8 with BOM)")]


class DebitLineOut(BaseModel):
    reference: str
    loan_id: int
    loan_number: str
    borrower: str
    bank_name: str
    account_no: str
    account_name: str
    amount: Decimal
    currency: str
    value_date: date
    channel: str
    external_reference: str


class OwingOut(BaseModel):
    loan_id: int
    loan_number: str
    customer_id: int
    borrower: str
    amount: Decimal
    currency: str


class TotalOut(BaseModel):
    currency: str
    count: int
    amount: Decimal


class DebitRunOut(BaseModel):
    on: date
    lines: list[DebitLineOut]
    totals: list[TotalOut]
    without_account: list[OwingOut]

    @classmethod
    def of(cls, run: DebitRun) -> DebitRunOut:
        lines = [
            DebitLineOut(
                reference=line.reference,
                loan_id=line.owing.loan_id,
                loan_number=line.owing.loan_number,
                borrower=line.owing.borrower,
                bank_name=line.account.bank_name,
                account_no=line.account.account_no,
                account_name=line.account.account_name,
                amount=line.owing.amount,
                currency=line.owing.currency,
                value_date=line.value_date,
                channel=line.channel,
                external_reference=line.external_reference,
            )
            for line in run.lines
        ]
        return cls(
            on=run.on,
            lines=lines,
            totals=[
                TotalOut(currency=t.currency, count=t.count, amount=t.amount) for t in run.totals
            ],
            without_account=[OwingOut(**vars(owing)) for owing in run.without_account],
        )


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

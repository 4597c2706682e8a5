"""``/api/v1/accounting``: chart of accounts, posting rules, vouchers, periods. Reports are in
``api_reports``. Commands honour ``Idempotency-Key``; permissions are checked by the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.accounting import service
from microlend.accounting.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ChartImport,
    CheckProblemOut,
    LedgerSettingsIn,
    LedgerSettingsOut,
    ManualVoucherIn,
    PeriodOut,
    ReopenIn,
    ReverseIn,
    RuleIn,
    RuleOut,
    VoucherOut,
)
from microlend.kernel.ids import Id
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1/accounting", tags=["accounting"])
DONE: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Pending a checker"},
}


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(uow: UowDep, actor: PrincipalDep) -> list[AccountOut]:
    return [AccountOut.model_validate(a) for a in service.list_accounts(uow, actor)]


@router.post("/books", status_code=201, responses=DONE)
def open_books(command: CommandDep) -> Response:
    """Seed the default chart and posting rules (no-op answer ``{"seeded": false}`` if present)."""
    return command.respond(
        lambda: service.open_books(command.uow, command.actor, now=command.now),
        lambda seeded: {"seeded": seeded},
    )


@router.get("/settings", response_model=LedgerSettingsOut)
def get_settings(uow: UowDep, actor: PrincipalDep) -> LedgerSettingsOut:
    mode = service.ledger_settings(uow, actor)
    return LedgerSettingsOut(accrual_vouchers=mode.value)


@router.put("/settings", response_model=LedgerSettingsOut, responses=DONE)
def set_settings(body: LedgerSettingsIn, command: CommandDep) -> Response:
    """Choose per-loan or summarised (汇总凭证) daily accrual vouchers for the company."""
    return command.respond(
        lambda: service.set_accrual_vouchers(
            command.uow, command.actor, mode=body.accrual_vouchers, now=command.now
        ),
        lambda mode: {"accrual_vouchers": str(mode)},
        status_code=200,
    )


@router.post("/accounts", status_code=201, response_model=AccountOut, responses=DONE)
def create_account(body: AccountCreate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.create_account(
            command.uow, command.actor, **body.model_dump(), now=command.now
        ),
        AccountOut.model_validate,
    )


@router.patch("/accounts/{code}", response_model=AccountOut, responses=DONE)
def update_account(code: str, body: AccountUpdate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.update_account(
            command.uow, command.actor, code=code, **body.model_dump(), now=command.now
        ),
        AccountOut.model_validate,
        status_code=200,
    )


@router.post("/accounts/import", status_code=201, responses=DONE)
def import_chart(body: ChartImport, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.import_chart(
            command.uow, command.actor, csv_text=body.csv, now=command.now
        ),
        lambda added: {"added": added},
    )


@router.get("/rules", response_model=list[RuleOut])
def list_rules(uow: UowDep, actor: PrincipalDep) -> list[RuleOut]:
    return [RuleOut.model_validate(rule) for rule in service.list_rules(uow, actor)]


@router.post("/rules", status_code=201, response_model=RuleOut, responses=DONE)
def set_rule(body: RuleIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.set_rule(command.uow, command.actor, **body.model_dump(), now=command.now),
        RuleOut.model_validate,
    )


@router.get("/vouchers", response_model=PageOut[VoucherOut])
def list_vouchers(
    uow: UowDep,
    actor: PrincipalDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
    period: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
) -> PageOut[VoucherOut]:
    page = service.list_vouchers(
        uow,
        actor,
        period=period,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        cursor=cursor,
        limit=limit,
    )
    return page_out(page, VoucherOut.model_validate)


@router.get("/vouchers/{voucher_id}", response_model=VoucherOut)
def get_voucher(voucher_id: Id, uow: UowDep, actor: PrincipalDep) -> VoucherOut:
    return VoucherOut.model_validate(service.get_voucher(uow, actor, voucher_id=voucher_id))


@router.post("/vouchers", status_code=201, response_model=VoucherOut, responses=DONE)
def post_manual_voucher(body: ManualVoucherIn, command: CommandDep) -> Response:
    """A manual voucher (e.g. expenses 费用); waits for a checker when maker-checker is on."""
    return command.respond(
        lambda: service.post_manual_voucher(
            command.uow,
            command.actor,
            office_id=body.office_id,
            business_date=body.business_date,
            summary=body.summary,
            lines=[line.model_dump() for line in body.lines],
            idempotency_key=command.key,
            now=command.now,
        ),
        VoucherOut.model_validate,
    )


@router.post(
    "/vouchers/{voucher_id}/reverse", status_code=201, response_model=VoucherOut, responses=DONE
)
def reverse_voucher(voucher_id: Id, body: ReverseIn, command: CommandDep) -> Response:
    """A red-ink reversal (same sides, negated amounts) pointing to the original."""
    return command.respond(
        lambda: service.reverse_voucher(
            command.uow,
            command.actor,
            voucher_id=voucher_id,
            business_date=body.business_date,
            reason=body.reason,
            now=command.now,
        ),
        VoucherOut.model_validate,
    )


@router.get("/periods", response_model=list[PeriodOut])
def list_periods(uow: UowDep, actor: PrincipalDep) -> list[PeriodOut]:
    return [PeriodOut.model_validate(p) for p in service.list_periods(uow, actor)]


@router.post("/periods/{period}/close", response_model=PeriodOut, responses=DONE)
def close_period(period: str, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.close_period(command.uow, command.actor, period=period, now=command.now),
        PeriodOut.model_validate,
        status_code=200,
    )


@router.post("/periods/{period}/reopen", response_model=PeriodOut, responses=DONE)
def reopen_period(period: str, body: ReopenIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.reopen_period(
            command.uow, command.actor, period=period, reason=body.reason, now=command.now
        ),
        PeriodOut.model_validate,
        status_code=200,
    )


@router.post("/years/{year}/close", status_code=201, response_model=VoucherOut, responses=DONE)
def close_year(year: int, command: CommandDep) -> Response:
    """Post the year-end closing voucher: income and expense into 4103, then into 4104."""
    return command.respond(
        lambda: service.close_year(command.uow, command.actor, year=year, now=command.now),
        VoucherOut.model_validate,
    )


@router.get("/check", response_model=list[CheckProblemOut])
def check_ledger(uow: UowDep, actor: PrincipalDep) -> list[CheckProblemOut]:
    """Every voucher that does not balance and every gap in the voucher numbers (empty: sound)."""
    return [CheckProblemOut.model_validate(p) for p in service.check_ledger(uow, actor)]

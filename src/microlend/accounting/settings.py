"""A company's ledger settings: whether daily accruals post one voucher per loan or one
summarised voucher (汇总凭证) per product, office and day, the per-loan detail staying in the
sub-ledger. Close of business asks ``accrual_vouchers`` and then calls ``post`` or
``post_summary``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from microlend.accounting.tables import LedgerSetting
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require

MANAGE = "accounting.coa.manage"


class AccrualVouchers(StrEnum):
    PER_LOAN = "per_loan"
    SUMMARY = "summary"


DEFAULT_ACCRUAL_VOUCHERS = AccrualVouchers.PER_LOAN


def accrual_vouchers(uow: UnitOfWork, company_id: int) -> AccrualVouchers:
    """How the company books daily accruals (per loan until it chooses otherwise)."""
    row = uow.session.get(LedgerSetting, company_id)
    return AccrualVouchers(row.accrual_vouchers) if row else DEFAULT_ACCRUAL_VOUCHERS


def ledger_settings(uow: UnitOfWork, actor: Principal) -> AccrualVouchers:
    require(actor, "accounting.view")
    return accrual_vouchers(uow, actor.company_id)


def _checked(mode: str) -> AccrualVouchers:
    try:
        return AccrualVouchers(mode)
    except ValueError:
        raise ValidationFailed(
            "accrual vouchers are per_loan or summary", field="accrual_vouchers"
        ) from None


@command("accounting.settings.set", permission=MANAGE, entity_type="company",
         summary=lambda p: f"accrual vouchers: {p['accrual_vouchers']}")  # fmt: skip
def _set(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    mode = _checked(str(payload["accrual_vouchers"]))
    before = accrual_vouchers(uow, actor.company_id)
    row = uow.session.get(LedgerSetting, actor.company_id)
    if row is None:
        row = LedgerSetting(company_id=actor.company_id)
        uow.session.add(row)
    row.accrual_vouchers = mode.value
    uow.session.flush()
    change = {"accrual_vouchers": [before.value, mode.value]}
    return Done(entity_id=actor.company_id, value=mode, change=change)


def set_accrual_vouchers(
    uow: UnitOfWork, actor: Principal, *, mode: str, now: datetime
) -> AccrualVouchers | Pending:
    """Choose per-loan or summarised daily accrual vouchers for the actor's company."""
    _checked(mode)
    payload = {"accrual_vouchers": mode}
    outcome = run_command(uow, actor, "accounting.settings.set", payload, now=now)
    return value_or_pending(outcome, AccrualVouchers)

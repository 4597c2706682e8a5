"""A company's limit settings and the figures the limit checks read.

- Settings (``limits_model.LimitSettings``): the defaults until a risk officer sets them with
  ``set_limits`` (command ``origination.limits.set``, permission ``risk.limits.manage``).
  A decision stores the settings it used with its inputs.
- Net assets: the company's equity in the ledger at the business date (the balance sheet's total
  equity, the year's unclosed profit included).
- Product and office exposure: outstanding per product and per office, from the functions in
  ``PORTFOLIO_SOURCES`` that the loans context registers (zero until loans exist). Customer and
  related-party-group exposure come from the customer file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from microlend.accounting import service as accounting
from microlend.auth import service as auth
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.origination.limits_model import LimitSettings, parse_limit_settings
from microlend.origination.rules import VIEW, company_of
from microlend.origination.tables_decisions import LimitSetting

MANAGE = "risk.limits.manage"


@dataclass(frozen=True)
class PortfolioExposure:
    """Outstanding of a company's loans by product id and by office id."""

    by_product: Mapping[int, Decimal]
    by_office: Mapping[int, Decimal]


PortfolioSource = Callable[[UnitOfWork, int], PortfolioExposure]
PORTFOLIO_SOURCES: list[PortfolioSource] = []


def portfolio_exposure(uow: UnitOfWork, company_id: int, *, product_id: int | None,
                       office_id: int) -> tuple[Decimal, Decimal]:  # fmt: skip
    """(product outstanding, office outstanding) summed over the registered sources."""
    product, office = Decimal(0), Decimal(0)
    for source in PORTFOLIO_SOURCES:
        found = source(uow, company_id)
        if product_id is not None:
            product += found.by_product.get(product_id, Decimal(0))
        office += found.by_office.get(office_id, Decimal(0))
    return product, office


def net_assets(uow: UnitOfWork, company_id: int, *, as_of: date, currency: str = "CNY") -> Decimal:
    """The company's equity at ``as_of``. The figure is the company's, whoever asks: it is read
    as the system (``accounting.view`` on that company), not through the officer's ledger rights."""
    reader = auth.system_principal(uow, company_id=company_id,
                                   permissions=frozenset({"accounting.view"}))  # fmt: skip
    sheet = accounting.balance_sheet(uow, reader, as_of=as_of, currency=currency,
                                     company_id=company_id)  # fmt: skip
    return sheet.total_equity


@dataclass(frozen=True)
class LimitSettingsView:
    company_id: int
    settings: LimitSettings
    updated_by: int | None
    updated_at: datetime | None  # None: the defaults, never set


def limit_settings_of(uow: UnitOfWork, company_id: int) -> LimitSettings:
    row = uow.session.get(LimitSetting, company_id)
    return LimitSettings() if row is None else parse_limit_settings(row.settings)


def get_limits(uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
               ) -> LimitSettingsView:  # fmt: skip
    require(actor, VIEW)
    company = company_of(actor, company_id)
    row = uow.session.get(LimitSetting, company)
    if row is None:
        return LimitSettingsView(company, LimitSettings(), None, None)
    return LimitSettingsView(company, parse_limit_settings(row.settings), row.updated_by,
                             row.updated_at)  # fmt: skip


@command("origination.limits.set", permission=MANAGE, entity_type="decision_limit_settings",
         summary=lambda p: f"limits of company {p['company_id']}")  # fmt: skip
def _set(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = company_of(actor, payload["company_id"])
    if not isinstance(payload["settings"], dict):
        raise ValidationFailed("a settings document", field="settings")
    settings = parse_limit_settings(payload["settings"])
    row = uow.session.get(LimitSetting, company)
    if row is None:
        row = LimitSetting(company_id=company, settings={}, updated_at=now)
        uow.session.add(row)
    row.settings = settings.to_document()
    row.updated_by = actor.user_id
    row.updated_at = now
    uow.session.flush()
    view = LimitSettingsView(company, settings, actor.user_id, now)
    return Done(entity_id=company, value=view, change=settings.to_document())


def set_limits(
    uow: UnitOfWork, actor: Principal, *, settings: dict[str, Any], now: datetime,
    company_id: int | None = None,
) -> LimitSettingsView | Pending:  # fmt: skip
    """Replace the company's limit settings (a document: ``single_borrower_percent``,
    ``related_group_percent``, ``breach_outcome``, ``product_totals``, ``office_totals``,
    ``office_max_amounts``; amounts as decimal strings keyed by product / office id)."""
    payload = {"company_id": company_id or actor.company_id, "settings": settings}
    outcome = run_command(uow, actor, "origination.limits.set", payload, now=now)
    return value_or_pending(outcome, LimitSettingsView)

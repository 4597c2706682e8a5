"""The home page's workbench (工作台): what each user needs to start the day, section by section,
each shown only to whoever holds the permission its figures need and read through the service
that scopes them to the user's offices.

* applications by stage (``origination.apply`` with ``origination.view``: the loan officer's
  own pipeline);
* the approval inbox (``origination.approve``);
* repayments owing within a week (``loans.view`` with ``origination.apply`` or ``loans.repay``:
  the officer who follows the loans up, finance who confirms the payments);
* overdue loans by days past due (``loans.view`` with ``collections.view``);
* the fund-usage checks past their deadline (``loans.view`` with ``loans.fund_usage.record``:
  the officer who makes them);
* the loans whose funds went to a prohibited use (``loans.view`` with
  ``risk.classification.override``: the risk officer, who weighs misuse in the loan's class);
* the portfolio (``loans.view`` with ``reports.view``): active loans, outstanding principal,
  PAR30, disbursed this month;
* the books (``eod.run`` / ``accounting.view`` / ``loans.disburse``): the last close of
  business (it reconciles the loan sub-ledger with the general ledger before the date advances),
  the open ledger periods, the disbursement queue.

Dates are the business date of the user's own company; nothing here loops over loans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from microlend.accounting import service as accounting
from microlend.db.uow import UnitOfWork
from microlend.eod import service as eod
from microlend.eod.reconciliation import may_reconcile
from microlend.loans import service as loans
from microlend.loans.pages import dpd_key
from microlend.loans.queries import USAGE_LATE
from microlend.origination import service as origination
from microlend.web.kit.viewer import Viewer

DUE_DAYS = 7
# every section's key in the template context (None: not shown)
SECTIONS = (
    "pipeline", "decisions", "due", "due_through", "overdue", "usage_late", "misused", "portfolio",
    "books",
)  # fmt: skip
MISUSED = "misused"  # a fund usage status: money gone to a prohibited use
MISUSE_WATCH = "risk.classification.override"  # the risk officer (and the manager who approves)


@dataclass(frozen=True)
class Books:
    """Finance's morning check: where close of business and the ledger stand."""

    last_run: eod.RunView | None
    may_run: bool  # eod.run: the close-of-business figures are shown
    open_periods: list[str] | None  # None: no accounting.view
    current_period: str
    awaiting_disbursement: int | None  # None: no loans.disburse
    may_reconcile: bool = False  # the live reconciliation's link (company-wide ledger viewers)


def _books(uow: UnitOfWork, viewer: Viewer, today: date) -> Books | None:
    actor = viewer.principal
    runs = viewer.can(eod.PERMISSION)
    ledger = viewer.can("accounting.view")
    disburses = viewer.can("loans.disburse")
    if not (runs or ledger or disburses):
        return None
    last = eod.list_runs(uow, actor, limit=1) if runs else []
    periods = (
        [p.period for p in accounting.list_periods(uow, actor) if p.status == "open"]
        if ledger
        else None
    )
    queue = len(loans.awaiting_disbursement(uow, actor)) if disburses else None
    return Books(
        last[0] if last else None,
        runs,
        periods,
        f"{today:%Y-%m}",
        queue,
        may_reconcile=may_reconcile(actor),
    )


def _loan_sections(uow: UnitOfWork, viewer: Viewer, today: date) -> dict[str, Any]:
    if not viewer.can("loans.view"):
        return {}
    actor = viewer.principal
    sections: dict[str, Any] = {}
    if viewer.can("origination.apply") or viewer.can("loans.repay"):
        through = today + timedelta(days=DUE_DAYS)
        sections["due"] = loans.due_soon(uow, actor, through=through)
        sections["due_through"] = through
    if viewer.can("collections.view"):
        sections["overdue"] = loans.overdue_by_dpd(uow, actor)
    if viewer.can("loans.fund_usage.record"):
        sections["usage_late"] = loans.usage_count(uow, actor, USAGE_LATE)
    if viewer.can(MISUSE_WATCH):
        sections["misused"] = loans.usage_count(uow, actor, MISUSED)
    if viewer.can("reports.view"):
        sections["portfolio"] = loans.portfolio(
            uow, actor, disbursed_from=today.replace(day=1), disbursed_through=today
        )
    return sections


def workbench(uow: UnitOfWork, viewer: Viewer, *, now: datetime) -> dict[str, Any]:
    """The sections of ``viewer``'s home page (template context), by their permissions."""
    actor = viewer.principal
    today = loans.business_date(uow, actor.company_id)
    context: dict[str, Any] = dict.fromkeys(SECTIONS)
    context.update(business_date=today, dpd_key=dpd_key)
    if viewer.can("origination.apply") and viewer.can("origination.view"):
        context["pipeline"] = origination.my_pipeline(uow, actor)
    if viewer.can("origination.approve"):
        waiting = origination.inbox(uow, actor, now=now)
        context["decisions"] = {
            "count": len(waiting),
            "late": sum(1 for item in waiting if item.overdue),
        }
    context.update(_loan_sections(uow, viewer, today))
    context["books"] = _books(uow, viewer, today)
    return context

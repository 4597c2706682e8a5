"""Reconciliation (对账), the close of business's own step before the date advances.

(a) Every voucher of the business date balances per currency. (b) Sub-ledger = GL: each context
that keeps a sub-ledger supplies ``subledger_balances(uow, company_id, as_of)`` in its
``eod_steps`` module: the balance at the end of ``as_of`` per mapped GL account code, in the
company's currency, debit-positive (as ``accounting.service.account_balance`` gives it: loans
1303 positive, the allowance 1304 negative). Contributions to one account add up. Any difference
stops the run (``ReconciliationFailed``) with a report of account, sub-ledger, GL and difference.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.accounting.report_model import TrialBalanceRow
from microlend.auth import service as auth
from microlend.db.eod import Counts, RunStopped, SubledgerBalances
from microlend.db.uow import UnitOfWork
from microlend.eod.discovery import STEP_MODULES_VARIABLE, load_steps
from microlend.eod.readable import RECONCILIATION_FAILED, reason
from microlend.kernel.errors import Forbidden
from microlend.kernel.principal import DataScope, Principal, require
from microlend.orgs.tables import Company

GL_PERMISSION = "accounting.view"
GL_VIEW = frozenset({GL_PERMISSION})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AccountCheck:
    """One GL account a sub-ledger keeps: both balances, debit-positive."""

    code: str
    name_zh: str
    name_en: str
    subledger: Decimal
    gl: Decimal

    @property
    def difference(self) -> Decimal:
        return self.subledger - self.gl


class ReconciliationFailed(RunStopped):
    """Vouchers that do not balance, or sub-ledger balances that differ from the GL."""

    def __init__(self, business_date: date, unbalanced: list[str], differences: list[AccountCheck]):
        self.unbalanced = unbalanced
        self.differences = differences
        lines = [f"reconciliation of {business_date} failed"]
        lines += [f"  voucher {problem}" for problem in unbalanced]
        if differences:
            lines.append(f"  {'account':<10} {'sub-ledger':>18} {'GL':>18} {'difference':>18}")
        lines += [
            f"  {d.code:<10} {d.subledger:>18} {d.gl:>18} {d.difference:>18}" for d in differences
        ]
        report: dict[str, Any] = {
            "unbalanced_vouchers": unbalanced,
            "differences": [
                {
                    "account": d.code,
                    "subledger": str(d.subledger),
                    "gl": str(d.gl),
                    "difference": str(d.difference),
                }
                for d in differences
            ],
            "reason": reason(
                RECONCILIATION_FAILED,
                {"day": business_date, "vouchers": len(unbalanced), "accounts": len(differences)},
            ),
        }
        super().__init__("\n".join(lines), report)


def reconcile(uow: UnitOfWork, company_id: int, business_date: date, *, now: datetime) -> Counts:
    """The reconciliation step: raises ``ReconciliationFailed`` on any difference."""
    unbalanced = _unbalanced(uow, company_id, business_date)
    checks = _account_checks(uow, company_id, business_date)
    differences = [check for check in checks if check.difference]
    if unbalanced or differences:
        raise ReconciliationFailed(business_date, unbalanced, differences)
    return {"accounts_reconciled": len(checks)}


def _unbalanced(uow: UnitOfWork, company_id: int, day: date) -> list[str]:
    """The vouchers of ``day`` that do not balance, each as "number: problem"."""
    found = ledger.unbalanced_vouchers(uow, company_id=company_id, business_date=day)
    return [f"{problem.number}: {problem.message}" for problem in found]


def subledger_totals(uow: UnitOfWork, company_id: int, as_of: date) -> dict[str, Decimal]:
    """Every contributor's sub-ledger balances, added up per GL account code."""
    totals: dict[str, Decimal] = {}
    for contributor in _contributors(os.environ.get(STEP_MODULES_VARIABLE, "")):
        for account, amount in contributor(uow, company_id, as_of).items():
            totals[account] = totals.get(account, Decimal(0)) + Decimal(amount)
    return totals


@lru_cache(maxsize=8)
def _contributors(_modules: str) -> tuple[SubledgerBalances, ...]:
    """The sub-ledger contributors, found once per step-module setting (finding them scans
    every context's package)."""
    return load_steps().subledgers


def _trial(
    uow: UnitOfWork, company_id: int, as_of: date, codes: Collection[str]
) -> list[TrialBalanceRow]:
    """The trial balance of ``codes`` (and their sub-accounts: only their lines are read)."""
    currency = uow.session.scalar(select(Company.currency).where(Company.id == company_id))
    actor = auth.system_principal(
        uow, company_id=company_id, permissions=GL_VIEW, name="system@eod"
    )
    report = ledger.trial_balance(
        uow,
        actor,
        date_from=as_of,
        date_to=as_of,
        currency=currency or "CNY",
        company_id=company_id,
        codes=codes,
    )
    return list(report.rows)


@dataclass(frozen=True)
class LiveReconciliation:
    """The reconciliation of the business date as it stands, before its close of business."""

    as_of: date
    accounts: list[AccountCheck]
    unbalanced: list[str]  # "number: problem" of the date's vouchers that do not balance

    @property
    def reconciled(self) -> bool:
        return not self.unbalanced and all(a.difference == 0 for a in self.accounts)


def may_reconcile(actor: Principal) -> bool:
    """Whether ``actor`` may see the live reconciliation: the ledger, company- or group-wide."""
    return actor.can(GL_PERMISSION) and actor.scope in (DataScope.COMPANY, DataScope.GROUP)


def live_reconciliation(uow: UnitOfWork, actor: Principal) -> LiveReconciliation:
    """What the close of business's reconciliation would find now, for the actor's company at
    its business date: every account the sub-ledgers keep (equal or not) and the date's vouchers
    that do not balance. Read-only and company-wide (the sub-ledgers are summed company-wide),
    so only for a viewer whose data scope is the company or the group."""
    require(actor, GL_PERMISSION)
    if not may_reconcile(actor):
        raise Forbidden(
            "the reconciliation covers the whole company: it needs a company-wide data scope",
            code="company_scope_needed",
        )
    company_id = actor.company_id
    as_of = uow.session.scalars(select(Company.business_date).where(Company.id == company_id)).one()
    checks = _account_checks(uow, company_id, as_of)
    return LiveReconciliation(as_of, checks, _unbalanced(uow, company_id, as_of))


def _account_checks(uow: UnitOfWork, company_id: int, as_of: date) -> list[AccountCheck]:
    """Every account the sub-ledgers keep, by code, with its GL balance at the end of
    ``as_of`` (one trial balance of those accounts: their lines only, parents rolled up)."""
    expected = subledger_totals(uow, company_id, as_of)
    if not expected:
        return []
    rows = {row.code: row for row in _trial(uow, company_id, as_of, expected)}
    checks = []
    for code in sorted(expected):
        row = rows.get(code)
        gl = row.closing_debit - row.closing_credit if row is not None else ZERO
        names = (row.name_zh, row.name_en) if row is not None else ("", "")
        checks.append(AccountCheck(code, *names, expected[code], gl))
    return checks

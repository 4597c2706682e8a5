"""Report values and the arithmetic that rolls account movements up the chart (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microlend.accounting.model import AccountType
from microlend.kernel.money import Money


@dataclass(frozen=True)
class ChartEntry:
    code: str
    name_zh: str
    name_en: str
    type: AccountType
    parent_code: str | None
    ids: tuple[int, ...] = ()  # the account of this code in each company of the reach


@dataclass(frozen=True)
class Movement:
    """Minor units of one account: debit-positive opening balance, period debits and credits."""

    opening: int = 0
    debit: int = 0
    credit: int = 0

    def __add__(self, other: Movement) -> Movement:
        return Movement(
            self.opening + other.opening, self.debit + other.debit, self.credit + other.credit
        )

    @property
    def closing(self) -> int:
        return self.opening + self.debit - self.credit


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name_zh: str
    name_en: str
    type: str
    level: int
    opening_debit: Decimal
    opening_credit: Decimal
    period_debit: Decimal
    period_credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
    """科目余额表: every account with a balance or movement, parents rolled up; ``totals`` sums
    the top-level accounts (each pair of columns is equal when the books balance)."""

    company_ids: tuple[int, ...]
    office_ids: tuple[int, ...] | None
    currency: str
    date_from: date
    date_to: date
    rows: tuple[TrialBalanceRow, ...]
    totals: TrialBalanceRow

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (
            t.opening_debit == t.opening_credit
            and t.period_debit == t.period_credit
            and t.closing_debit == t.closing_credit
        )


@dataclass(frozen=True)
class StatementLine:
    code: str
    name_zh: str
    name_en: str
    amount: Decimal


@dataclass(frozen=True)
class BalanceSheet:
    as_of: date
    currency: str
    assets: tuple[StatementLine, ...]
    liabilities: tuple[StatementLine, ...]
    equity: tuple[StatementLine, ...]
    total_assets: Decimal
    total_liabilities: Decimal
    total_equity: Decimal  # includes the year's profit not yet closed into 4104
    unclosed_profit: Decimal

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities + self.total_equity


@dataclass(frozen=True)
class IncomeStatement:
    date_from: date
    date_to: date
    currency: str
    income: tuple[StatementLine, ...]
    expenses: tuple[StatementLine, ...]
    total_income: Decimal
    total_expenses: Decimal
    net_profit: Decimal


def ancestors(code: str, chart: Mapping[str, ChartEntry]) -> list[str]:
    """``code`` and every account above it."""
    found: list[str] = []
    current: str | None = code
    while current is not None and current not in found:
        found.append(current)
        entry = chart.get(current)
        current = entry.parent_code if entry else None
    return found


def rolled_up(
    movements: Mapping[str, Movement], chart: Mapping[str, ChartEntry]
) -> dict[str, Movement]:
    """Each account's movement plus its descendants'."""
    totals: dict[str, Movement] = {}
    for code, movement in movements.items():
        for target in ancestors(code, chart):
            totals[target] = totals.get(target, Movement()) + movement
    return totals


def split(units: int, currency: str) -> tuple[Decimal, Decimal]:
    """A debit-positive balance as (debit column, credit column)."""
    amount = Money.from_minor(abs(units), currency).amount
    zero = Money.zero(currency).quantize().amount
    return (amount, zero) if units >= 0 else (zero, amount)


def decimal(units: int, currency: str) -> Decimal:
    return Money.from_minor(units, currency).amount


def tb_row(entry: ChartEntry, level: int, movement: Movement, currency: str) -> TrialBalanceRow:
    opening_debit, opening_credit = split(movement.opening, currency)
    closing_debit, closing_credit = split(movement.closing, currency)
    return TrialBalanceRow(
        code=entry.code,
        name_zh=entry.name_zh,
        name_en=entry.name_en,
        type=entry.type.value,
        level=level,
        opening_debit=opening_debit,
        opening_credit=opening_credit,
        period_debit=decimal(movement.debit, currency),
        period_credit=decimal(movement.credit, currency),
        closing_debit=closing_debit,
        closing_credit=closing_credit,
    )


def total_row(rows: list[TrialBalanceRow], currency: str) -> TrialBalanceRow:
    top = [row for row in rows if row.level == 0]
    zero = Money.zero(currency).quantize().amount

    def column(name: str) -> Decimal:
        return sum((getattr(row, name) for row in top), zero)

    return TrialBalanceRow(
        code="",
        name_zh="合计",
        name_en="Total",
        type="",
        level=0,
        opening_debit=column("opening_debit"),
        opening_credit=column("opening_credit"),
        period_debit=column("period_debit"),
        period_credit=column("period_credit"),
        closing_debit=column("closing_debit"),
        closing_credit=column("closing_credit"),
    )

"""Repayment frequencies: every N days, weeks or months, and the dates they produce.

Dates are counted from an anchor, never from the previous date, so that month ends do not drift:
monthly from 31 January gives 28 (or 29) February, 31 March, 30 April. The anchor's day of the
month is kept and clamped to the last day of shorter months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Self

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class PeriodUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (may be negative), clamped to the end of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, days_in_month(year, month)))


_NAMED = {
    "daily": (PeriodUnit.DAY, 1),
    "weekly": (PeriodUnit.WEEK, 1),
    "biweekly": (PeriodUnit.WEEK, 2),
    "monthly": (PeriodUnit.MONTH, 1),
    "bimonthly": (PeriodUnit.MONTH, 2),
    "quarterly": (PeriodUnit.MONTH, 3),
    "semiannually": (PeriodUnit.MONTH, 6),
    "annually": (PeriodUnit.MONTH, 12),
}
_EVERY = re.compile(r"^every[ _](\d+)[ _](day|week|month)s?$")


@dataclass(frozen=True, slots=True)
class Frequency:
    """Every ``every`` ``unit``\\ s: ``Frequency(PeriodUnit.MONTH, 3)`` is quarterly."""

    unit: PeriodUnit
    every: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.every <= 366:
            raise ValueError("a frequency repeats every 1 to 366 units")

    @classmethod
    def parse(cls, text: str) -> Self:
        """``monthly``, ``weekly``, ``biweekly``, ``quarterly``... or ``every 10 days``."""
        key = text.strip().lower()
        if key in _NAMED:
            unit, every = _NAMED[key]
            return cls(unit, every)
        match = _EVERY.match(key)
        if match is None:
            names = ", ".join(_NAMED)
            raise ValueError(
                f"unknown frequency {text!r}; use {names} or 'every N days|weeks|months'"
            )
        return cls(PeriodUnit(match.group(2)), int(match.group(1)))

    @property
    def name(self) -> str:
        for name, (unit, every) in _NAMED.items():
            if unit is self.unit and every == self.every:
                return name
        return f"every {self.every} {self.unit.value}s"

    def date_after(self, anchor: date, periods: int) -> date:
        """The date ``periods`` periods after ``anchor`` (before, if negative)."""
        if self.unit is PeriodUnit.MONTH:
            return add_months(anchor, periods * self.every)
        days = 7 * self.every if self.unit is PeriodUnit.WEEK else self.every
        return anchor + timedelta(days=periods * days)

    def dates_after(self, anchor: date, first: int, count: int) -> list[date]:
        """``count`` dates: ``first``, ``first + 1``... periods after ``anchor`` (fast path)."""
        if self.unit is not PeriodUnit.MONTH:
            days = 7 * self.every if self.unit is PeriodUnit.WEEK else self.every
            return [anchor + timedelta(days=k * days) for k in range(first, first + count)]
        year, month0, day = anchor.year, anchor.month - 1, anchor.day
        every, result = self.every, []
        for k in range(first, first + count):
            index = month0 + k * every
            y, m = year + index // 12, index % 12 + 1
            result.append(date(y, m, day if day <= 28 else min(day, days_in_month(y, m))))
        return result

    def periods_per_year(self, year_days: int = 360) -> Decimal:
        """Periods in a year: 12 / N for months, 52 / N for weeks, ``year_days`` / N for days."""
        if self.unit is PeriodUnit.MONTH:
            return Decimal(12) / self.every
        if self.unit is PeriodUnit.WEEK:
            return Decimal(52) / self.every
        return Decimal(year_days) / self.every

    def __str__(self) -> str:
        return self.name


MONTHLY = Frequency(PeriodUnit.MONTH, 1)

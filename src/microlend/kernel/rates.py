"""Interest rates as exact ``Decimal``: annual nominal percent is the unit people type.

Chinese contracts also quote 月利率 in per mille (‰, 月息) and 日利率 in per ten-thousand (‱, 日息).
They convert with the PBoC's 《人民币利率管理规定》 convention: 年利率 = 月利率 × 12 = 日利率 × 360.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Self

from microlend.kernel.money import as_decimal

HUNDRED = Decimal(100)


class RateUnit(StrEnum):
    ANNUAL_PERCENT = "annual_percent"  # 年利率 %
    MONTHLY_PERMILLE = "monthly_permille"  # 月利率 ‰
    DAILY_PERMYRIAD = "daily_permyriad"  # 日利率 ‱


_TO_ANNUAL_PERCENT = {
    RateUnit.ANNUAL_PERCENT: Decimal(1),
    RateUnit.MONTHLY_PERMILLE: Decimal(12) / Decimal(10),  # 1‰ a month = 1.2 % a year
    RateUnit.DAILY_PERMYRIAD: Decimal(360) / Decimal(100),  # 1‱ a day = 3.6 % a year
}


@dataclass(frozen=True, slots=True)
class AnnualRate:
    """A nominal annual interest rate, held as percent (``AnnualRate(Decimal('12'))`` is 12 %)."""

    percent: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", as_decimal(self.percent, "rate"))

    @classmethod
    def of(cls, value: Decimal | int | str, unit: RateUnit = RateUnit.ANNUAL_PERCENT) -> Self:
        """From a value in ``unit``: ``AnnualRate.of('5', RateUnit.DAILY_PERMYRIAD)`` is 18 %."""
        return cls(as_decimal(value, "rate") * _TO_ANNUAL_PERCENT[unit])

    @property
    def fraction(self) -> Decimal:
        """The rate as a fraction of one: 12 % is 0.12."""
        return self.percent / HUNDRED

    def per_period(self, periods_per_year: Decimal | int) -> Decimal:
        """The periodic rate as a fraction: 12 % over 12 periods is 0.01."""
        return self.percent / (HUNDRED * periods_per_year)

    def in_unit(self, unit: RateUnit) -> Decimal:
        """This rate expressed in ``unit`` (e.g. the 月利率 in ‰)."""
        return self.percent / _TO_ANNUAL_PERCENT[unit]


def effective_annual_rate(periodic_rate: Decimal, periods_per_year: Decimal | int) -> Decimal:
    """The effective annual rate (a fraction) of a periodic rate compounded ``periods_per_year``
    times: ``(1 + i) ** p - 1``. ``p`` may be fractional (365 / 255)."""
    return (Decimal(1) + periodic_rate) ** Decimal(periods_per_year) - Decimal(1)

"""Rates: annual nominal percent, Chinese monthly (‰) and daily (‱) quotes, effective rates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.rates import AnnualRate, RateUnit, effective_annual_rate


def test_annual_percent_is_the_unit() -> None:
    rate = AnnualRate.of("12")
    assert rate.percent == Decimal(12)
    assert rate.fraction == Decimal("0.12")
    assert rate.per_period(12) == Decimal("0.01")


def test_monthly_permille_times_twelve() -> None:
    # 月息 8‰ is 9.6 % a year (年利率 = 月利率 × 12)
    assert AnnualRate.of("8", RateUnit.MONTHLY_PERMILLE).percent == Decimal("9.6")


def test_daily_permyriad_times_three_hundred_sixty() -> None:
    # 日息万分之五 is 18 % a year (年利率 = 日利率 × 360)
    rate = AnnualRate.of("5", RateUnit.DAILY_PERMYRIAD)
    assert rate.percent == Decimal(18)
    assert rate.in_unit(RateUnit.DAILY_PERMYRIAD) == Decimal(5)
    assert rate.in_unit(RateUnit.MONTHLY_PERMILLE) == Decimal(15)


def test_a_float_rate_is_refused() -> None:
    with pytest.raises(TypeError):
        AnnualRate(0.12)  # type: ignore[arg-type]


def test_effective_annual_rate_compounds() -> None:
    assert effective_annual_rate(Decimal("0.01"), 12).quantize(Decimal("0.000001")) == Decimal(
        "0.126825"
    )
    # a fractional number of periods per year, as for a 255-day single payment
    fractional = effective_annual_rate(Decimal("0.08"), Decimal(365) / 255)
    assert Decimal("0.11645") < fractional < Decimal("0.11646")

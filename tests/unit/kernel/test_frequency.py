"""Frequencies: named and "every N" forms, anchor-based dates that do not drift."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.kernel.frequency import Frequency, PeriodUnit, add_months


@pytest.mark.parametrize(
    ("text", "unit", "every"),
    [
        ("daily", PeriodUnit.DAY, 1),
        ("weekly", PeriodUnit.WEEK, 1),
        ("biweekly", PeriodUnit.WEEK, 2),
        ("monthly", PeriodUnit.MONTH, 1),
        ("quarterly", PeriodUnit.MONTH, 3),
        ("every 10 days", PeriodUnit.DAY, 10),
        ("every 3 weeks", PeriodUnit.WEEK, 3),
        ("Every_2_Months", PeriodUnit.MONTH, 2),
        ("every 1 month", PeriodUnit.MONTH, 1),
    ],
)
def test_parse(text: str, unit: PeriodUnit, every: int) -> None:
    assert Frequency.parse(text) == Frequency(unit, every)


@pytest.mark.parametrize("text", ["fortnightly-ish", "every 0 days", "every two months", ""])
def test_parse_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        Frequency.parse(text)


def test_names_round_trip() -> None:
    assert Frequency.parse("quarterly").name == "quarterly"
    assert str(Frequency(PeriodUnit.DAY, 10)) == "every 10 days"


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_monthly_dates_keep_the_anchor_day() -> None:
    monthly = Frequency.parse("monthly")
    dates = monthly.dates_after(date(2025, 1, 31), 1, 4)
    assert dates == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]


@pytest.mark.parametrize("text", ["daily", "weekly", "every 10 days", "monthly", "quarterly"])
def test_fast_dates_agree_with_date_after(text: str) -> None:
    frequency = Frequency.parse(text)
    anchor = date(2024, 8, 31)
    expected = [frequency.date_after(anchor, k) for k in range(0, 40)]
    assert frequency.dates_after(anchor, 0, 40) == expected


def test_periods_per_year() -> None:
    assert Frequency.parse("monthly").periods_per_year() == 12
    assert Frequency.parse("quarterly").periods_per_year() == 4
    assert Frequency.parse("biweekly").periods_per_year() == 26
    assert Frequency.parse("daily").periods_per_year(365) == 365
    assert Frequency.parse("every 10 days").periods_per_year(360) == 36
    assert Frequency.parse("every 5 months").periods_per_year() == Decimal("2.4")

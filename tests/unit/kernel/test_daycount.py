"""Day counts, checked against hand counts of the ISDA 2006 section 4.16 rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.kernel.daycount import DayCount


@pytest.mark.parametrize(
    ("convention", "start", "end", "days"),
    [
        # Bond basis: D1 31 -> 30; D2 31 -> 30 only when D1 is 30 or 31
        (DayCount.THIRTY_360, date(2007, 1, 31), date(2007, 2, 28), 28),
        (DayCount.THIRTY_360, date(2007, 1, 30), date(2007, 3, 31), 60),
        (DayCount.THIRTY_360, date(2007, 1, 15), date(2007, 3, 31), 76),
        (DayCount.THIRTY_360, date(2007, 2, 28), date(2007, 3, 31), 33),
        (DayCount.THIRTY_360, date(2008, 2, 29), date(2009, 2, 28), 359),
        (DayCount.THIRTY_360, date(2025, 1, 15), date(2025, 3, 1), 46),
        # Eurobond: every 31st is a 30th
        (DayCount.THIRTY_E_360, date(2007, 1, 15), date(2007, 3, 31), 75),
        (DayCount.THIRTY_E_360, date(2007, 2, 28), date(2007, 3, 31), 32),
        # US (SIA): the last day of February counts as the 30th
        (DayCount.THIRTY_U_360, date(2007, 2, 28), date(2007, 3, 31), 30),
        (DayCount.THIRTY_U_360, date(2008, 2, 29), date(2009, 2, 28), 360),
        (DayCount.THIRTY_U_360, date(2007, 1, 15), date(2007, 3, 31), 76),
        (DayCount.ACT_360, date(2025, 1, 15), date(2025, 4, 15), 90),
        (DayCount.ACT_365F, date(2024, 1, 1), date(2025, 1, 1), 366),
    ],
)
def test_days(convention: DayCount, start: date, end: date, days: int) -> None:
    assert convention.days(start, end) == days


def test_act_360_and_365f_fractions() -> None:
    assert DayCount.ACT_360.year_fraction(date(2025, 1, 15), date(2025, 4, 15)) == Decimal("0.25")
    leap_year = DayCount.ACT_365F.year_fraction(date(2024, 1, 1), date(2025, 1, 1))
    assert leap_year == Decimal(366) / Decimal(365)


def test_thirty_360_month_is_a_twelfth() -> None:
    assert DayCount.THIRTY_360.year_fraction(date(2025, 1, 15), date(2025, 2, 15)) == Decimal(
        30
    ) / Decimal(360)


def test_actual_actual_isda_splits_by_calendar_year() -> None:
    # ISDA's own example: 1 Nov 2003 to 1 May 2004 = 61/365 + 121/366 = 0.49772438...
    fraction = DayCount.ACT_ACT.year_fraction(date(2003, 11, 1), date(2004, 5, 1))
    assert fraction == Decimal(61) / 365 + Decimal(121) / 366
    assert fraction.quantize(Decimal("0.00000001")) == Decimal("0.49772438")


def test_actual_actual_over_whole_years_and_backwards() -> None:
    assert DayCount.ACT_ACT.year_fraction(date(2023, 1, 1), date(2025, 1, 1)) == Decimal(2)
    forward = DayCount.ACT_ACT.year_fraction(date(2024, 6, 1), date(2025, 6, 1))
    assert DayCount.ACT_ACT.year_fraction(date(2025, 6, 1), date(2024, 6, 1)) == -forward


def test_year_days() -> None:
    assert DayCount.ACT_360.year_days == 360
    assert DayCount.THIRTY_E_360.year_days == 360
    assert DayCount.ACT_365F.year_days == 365
    assert DayCount.ACT_ACT.year_days == 365


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/360", DayCount.THIRTY_360),
        ("act/365", DayCount.ACT_365F),
        ("Actual/360", DayCount.ACT_360),
        ("30E/360", DayCount.THIRTY_E_360),
        ("30/360 US", DayCount.THIRTY_U_360),
        ("ACT/ACT ISDA", DayCount.ACT_ACT),
    ],
)
def test_parse_accepts_aliases(text: str, expected: DayCount) -> None:
    assert DayCount.parse(text) is expected


def test_parse_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown day count"):
        DayCount.parse("ACT/366")

"""The penalty's daily rate as close of business keeps it (``close_state.penalty_rate``): an exact
fraction for SQL, and whether the engine's 28-digit ``Decimal`` gives exactly that fraction.

By hand: 12 % x 1.5 / 100 / 360 = 18 / 36,000 = 1 / 2,000 = 0.0005, a short decimal: exact.
12 % x 1.5 / 100 / 365 = 18 / 36,500 = 9 / 18,250 = 0.000493150684931... (9,125 = 5^3 x 73): the
engine rounds it to 28 digits, so SQL must not price the rows on a rounding boundary."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans.close_penalty import daily_penalty
from microlend.loans.close_state import penalty_rate

D = Decimal


def test_a_rate_over_360_days_is_an_exact_short_decimal() -> None:
    assert penalty_rate(D("12"), D("1.5"), DayCount.THIRTY_360) == {
        "penalty_rate_num": 1,
        "penalty_rate_den": 2000,
        "penalty_rate_exact": True,
    }


def test_a_rate_over_365_days_is_not_exact_in_28_digits() -> None:
    found = penalty_rate(D("12"), D("1.5"), DayCount.ACT_365F)
    assert Fraction(found["penalty_rate_num"], found["penalty_rate_den"]) == Fraction(9, 18250)
    assert found["penalty_rate_exact"] is False


def test_a_fraction_too_large_for_sql_is_left_to_python() -> None:
    found = penalty_rate(D("12.3456789"), D("1.37"), DayCount.ACT_365F)
    assert found == {"penalty_rate_num": 0, "penalty_rate_den": 0, "penalty_rate_exact": False}


def test_the_engines_daily_penalty_on_a_boundary() -> None:
    """1,186.25 x 9 / 18,250 = 0.585 exactly (half even: 0.58); the engine's Decimal makes it
    0.5850...01, so 0.59 — the figure close of business must charge."""
    assert Fraction(118625) * Fraction(9, 18250) == Fraction(585, 10)
    engine = daily_penalty(118625, D("12"), D("1.5"), DayCount.ACT_365F, Rounding.HALF_EVEN, 2)
    assert engine == 59
    # away from a boundary the engine and the exact fraction agree: 1,000.00 -> 0.4931... -> 0.49
    assert daily_penalty(100000, D("12"), D("1.5"), DayCount.ACT_365F, Rounding.HALF_EVEN, 2) == 49

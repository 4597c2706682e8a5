"""Business days: weekends, CN holidays with 调休 working weekends, and date adjustment."""

from __future__ import annotations

from datetime import date

import pytest

from microlend.kernel.calendar import (
    BusinessCalendar,
    BusinessDayConvention,
    china_mainland,
    weekends_only,
)

CN_2025 = china_mainland([2025])
WEEKENDS = weekends_only()


def test_spring_festival_2025_is_off() -> None:
    # 国务院办公厅 2025 holiday notice: 1月28日至2月4日放假调休, 共8天
    for day in range(28, 32):
        assert not CN_2025.is_business_day(date(2025, 1, day))
    for day in range(1, 5):
        assert not CN_2025.is_business_day(date(2025, 2, day))
    assert CN_2025.is_business_day(date(2025, 2, 5))


def test_tiaoxiu_weekend_days_are_working_days() -> None:
    # 1月26日（周日）、2月8日（周六）上班
    assert date(2025, 1, 26).weekday() == 6
    assert CN_2025.is_business_day(date(2025, 1, 26))
    assert CN_2025.is_business_day(date(2025, 2, 8))
    assert not CN_2025.is_business_day(date(2025, 2, 9))


def test_national_day_2025() -> None:
    assert not CN_2025.is_business_day(date(2025, 10, 8))
    assert CN_2025.is_business_day(date(2025, 9, 28))  # Sunday, worked
    assert CN_2025.is_business_day(date(2025, 10, 9))


@pytest.mark.parametrize(
    ("convention", "expected"),
    [
        (BusinessDayConvention.NONE, date(2025, 1, 28)),
        (BusinessDayConvention.FOLLOWING, date(2025, 2, 5)),
        (BusinessDayConvention.MODIFIED_FOLLOWING, date(2025, 1, 27)),
        (BusinessDayConvention.PRECEDING, date(2025, 1, 27)),
        (BusinessDayConvention.MODIFIED_PRECEDING, date(2025, 1, 27)),
    ],
)
def test_adjusting_spring_festival_eve(convention: BusinessDayConvention, expected: date) -> None:
    assert CN_2025.adjust(date(2025, 1, 28), convention) == expected


def test_preceding_skips_back_over_the_tiaoxiu_gap() -> None:
    # Saturday 2025-01-25 is a plain weekend day; Sunday the 26th is worked
    assert CN_2025.adjust(date(2025, 1, 25), BusinessDayConvention.FOLLOWING) == date(2025, 1, 26)
    assert CN_2025.adjust(date(2025, 1, 25), BusinessDayConvention.PRECEDING) == date(2025, 1, 24)


def test_modified_preceding_stays_in_the_month() -> None:
    saturday = date(2025, 3, 1)
    assert WEEKENDS.adjust(saturday, BusinessDayConvention.PRECEDING) == date(2025, 2, 28)
    assert WEEKENDS.adjust(saturday, BusinessDayConvention.MODIFIED_PRECEDING) == date(2025, 3, 3)


def test_modified_following_stays_in_the_month() -> None:
    saturday = date(2025, 5, 31)
    assert WEEKENDS.adjust(saturday, BusinessDayConvention.FOLLOWING) == date(2025, 6, 2)
    assert WEEKENDS.adjust(saturday, BusinessDayConvention.MODIFIED_FOLLOWING) == date(2025, 5, 30)


def test_business_days_are_left_alone() -> None:
    monday = date(2025, 3, 3)
    for convention in BusinessDayConvention:
        assert WEEKENDS.adjust(monday, convention) == monday


def test_weekend_is_configurable() -> None:
    friday_saturday = weekends_only([4, 5])
    assert not friday_saturday.is_business_day(date(2025, 3, 7))  # Friday
    assert friday_saturday.is_business_day(date(2025, 3, 9))  # Sunday
    assert friday_saturday.adjust(date(2025, 3, 7), BusinessDayConvention.FOLLOWING) == date(
        2025, 3, 9
    )


def test_add_business_days() -> None:
    assert CN_2025.add_business_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert CN_2025.add_business_days(date(2025, 2, 5), -1) == date(2025, 1, 27)
    assert WEEKENDS.add_business_days(date(2025, 3, 7), 0) == date(2025, 3, 7)


def test_a_calendar_needs_a_working_day() -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset(range(7)))
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset({7}))

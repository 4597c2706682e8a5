"""Business-day calendars and the adjustment of dates that fall on a non-business day.

A calendar knows its weekend days (configurable: Saturday and Sunday by default), its holidays,
and its *working weekend days*: mainland China moves working days onto weekends around the long
holidays (调休), e.g. Sunday 2025-01-26 was a working day before the Spring Festival. The
``holidays`` package publishes both lists (``weekend_workdays``), so ``china_mainland`` seeds them;
for years the State Council has not announced yet the package computes the holidays by rule and
knows no 调休, which is the best anyone can do until the announcement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

SATURDAY, SUNDAY = 5, 6
ONE_DAY = timedelta(days=1)


class BusinessDayConvention(StrEnum):
    """What to do with a date that is not a business day."""

    NONE = "none"  # keep it
    FOLLOWING = "following"  # the next business day
    MODIFIED_FOLLOWING = "modified_following"  # the next one, unless that leaves the month
    PRECEDING = "preceding"  # the previous business day
    MODIFIED_PRECEDING = "modified_preceding"  # the previous one, unless that leaves the month


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Weekend days (``date.weekday()`` numbers, Monday = 0), holidays and working weekend days."""

    name: str = "weekends"
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    holidays: frozenset[date] = frozenset()
    working_weekend_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.weekend <= set(range(7)):
            raise ValueError("weekend days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if len(self.weekend) == 7:
            raise ValueError("a calendar needs at least one working weekday")

    def is_business_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend or day in self.working_weekend_days

    def adjust(self, day: date, convention: BusinessDayConvention) -> date:
        """Move ``day`` to a business day according to ``convention``."""
        if convention is BusinessDayConvention.NONE or self.is_business_day(day):
            return day
        if convention is BusinessDayConvention.FOLLOWING:
            return self._roll(day, ONE_DAY)
        if convention is BusinessDayConvention.PRECEDING:
            return self._roll(day, -ONE_DAY)
        if convention is BusinessDayConvention.MODIFIED_FOLLOWING:
            rolled = self._roll(day, ONE_DAY)
            return rolled if rolled.month == day.month else self._roll(day, -ONE_DAY)
        rolled = self._roll(day, -ONE_DAY)
        return rolled if rolled.month == day.month else self._roll(day, ONE_DAY)

    def add_business_days(self, day: date, count: int) -> date:
        """The business day ``count`` business days after (or before, if negative) ``day``."""
        step = ONE_DAY if count >= 0 else -ONE_DAY
        for _ in range(abs(count)):
            day = self._roll(day + step, step)
        return day

    def _roll(self, day: date, step: timedelta) -> date:
        while not self.is_business_day(day):
            day += step
        return day


def weekends_only(weekend: Iterable[int] = (SATURDAY, SUNDAY)) -> BusinessCalendar:
    """A calendar with weekends and no holidays."""
    return BusinessCalendar(name="weekends", weekend=frozenset(weekend))


def china_mainland(
    years: Iterable[int], weekend: Iterable[int] = (SATURDAY, SUNDAY)
) -> BusinessCalendar:
    """Public holidays of mainland China for ``years``, with the 调休 working weekend days."""
    import holidays  # imported here: loading every country's rules is not free

    wanted = sorted(set(years))
    official = holidays.country_holidays("CN", years=wanted)
    workdays = frozenset(day for day in official.weekend_workdays if day.year in wanted)
    return BusinessCalendar(
        name="CN",
        weekend=frozenset(weekend),
        holidays=frozenset(official.keys()),
        working_weekend_days=workdays,
    )

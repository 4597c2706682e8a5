"""Day count conventions: how many days between two dates, and what fraction of a year that is.

Names follow ISDA 2006 Definitions section 4.16:

======================  ==================================================================
``30/360``              30/360 Bond Basis (4.16(f)): D1 = 31 -> 30; D2 = 31 -> 30 when D1 >= 30
``30U/360``             30/360 US (SIA): as Bond Basis, and the last day of February counts
                        as day 30 (D1 always; D2 when D1 is also February's last day)
``30E/360``             30E/360 Eurobond Basis (4.16(g)): any 31st counts as the 30th
``ACT/360``             actual days / 360 (the PBoC's 日利率 = 年利率 / 360)
``ACT/365F``            actual days / 365, leap years included (Actual/365 Fixed)
``ACT/ACT``             Actual/Actual ISDA (4.16(b)): days in a leap year / 366 plus days in
                        other years / 365
======================  ==================================================================

``start`` is included and ``end`` excluded, as interest accrues overnight.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self


class DayCount(StrEnum):
    THIRTY_360 = "30/360"
    THIRTY_U_360 = "30U/360"
    THIRTY_E_360 = "30E/360"
    ACT_360 = "ACT/360"
    ACT_365F = "ACT/365F"
    ACT_ACT = "ACT/ACT"

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the canonical names and common aliases, case-insensitively."""
        key = text.strip().upper().replace(" ", "")
        key = _ALIASES.get(key, key)
        for member in cls:
            if member.value == key:
                return member
        raise ValueError(f"unknown day count {text!r}; use one of {', '.join(cls)}")

    @property
    def year_days(self) -> int:
        """The days in this convention's nominal year: 360 or 365."""
        return 365 if self in (DayCount.ACT_365F, DayCount.ACT_ACT) else 360

    def days(self, start: date, end: date) -> int:
        """Days between ``start`` and ``end`` as this convention counts them."""
        if self is DayCount.THIRTY_360:
            return _thirty_360(start, end)
        if self is DayCount.THIRTY_U_360:
            return _thirty_us_360(start, end)
        if self is DayCount.THIRTY_E_360:
            return _thirty_e_360(start, end)
        return (end - start).days

    def year_fraction(self, start: date, end: date) -> Decimal:
        """The fraction of a year from ``start`` to ``end`` under this convention."""
        if self is DayCount.ACT_ACT:
            return _actual_actual_isda(start, end)
        return Decimal(self.days(start, end)) / Decimal(self.year_days)


_ALIASES = {
    "30/360BONDBASIS": "30/360",
    "360/360": "30/360",
    "30/360US": "30U/360",
    "30/360SIA": "30U/360",
    "30E/360EUROBOND": "30E/360",
    "ACT/365": "ACT/365F",
    "ACT/365FIXED": "ACT/365F",
    "ACTUAL/360": "ACT/360",
    "ACTUAL/365": "ACT/365F",
    "ACTUAL/ACTUAL": "ACT/ACT",
    "ACT/ACTISDA": "ACT/ACT",
}


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _is_last_of_february(day: date) -> bool:
    return day.month == 2 and day.day == (29 if _is_leap(day.year) else 28)


def _thirty(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> int:
    return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)


def _thirty_360(start: date, end: date) -> int:
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return _thirty(start.year, start.month, d1, end.year, end.month, d2)


def _thirty_us_360(start: date, end: date) -> int:
    d1, d2 = start.day, end.day
    if _is_last_of_february(start):
        if _is_last_of_february(end):
            d2 = 30
        d1 = 30
    if d2 == 31 and d1 >= 30:
        d2 = 30
    d1 = min(d1, 30)
    return _thirty(start.year, start.month, d1, end.year, end.month, d2)


def _thirty_e_360(start: date, end: date) -> int:
    return _thirty(
        start.year, start.month, min(start.day, 30), end.year, end.month, min(end.day, 30)
    )


def _actual_actual_isda(start: date, end: date) -> Decimal:
    if end < start:
        return -_actual_actual_isda(end, start)
    fraction = Decimal(0)
    cursor = start
    while cursor.year < end.year:
        next_year = date(cursor.year + 1, 1, 1)
        fraction += Decimal((next_year - cursor).days) / (366 if _is_leap(cursor.year) else 365)
        cursor = next_year
    fraction += Decimal((end - cursor).days) / (366 if _is_leap(cursor.year) else 365)
    return fraction

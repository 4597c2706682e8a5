"""The annual percentage rate: the internal rate of return of the borrower's real cash flows.

The borrower receives the loan less every upfront fee on the disbursement date and pays each
installment's total (principal, interest and per-installment fees) on its business-day-adjusted
due date. The periodic rate ``i`` solves the actuarial equation of US Regulation Z, Appendix J
(b)(8), on the actual dates::

    amount received = sum of  payment_j / ((1 + f_j * i) * (1 + i) ** t_j)

where ``t_j`` is the number of whole unit-periods from the disbursement to payment ``j``, counted
back from the payment date, and ``f_j`` the fraction of a unit-period left over (days / 30 for a
month, days / 7 for a week, Appendix J (b)(5)). The unit-period is the repayment frequency; a
single-payment loan's unit-period is its term (whole months up to a year, else days, and a year
beyond a year, Appendix J (b)(4)(ii)).

* nominal APR = i x unit-periods per year (Appendix J (b)(1); the 年化利率 by IRR that the PBoC's
  2021 No. 3 announcement requires: monthly IRR x 12),
* effective annual rate = (1 + i) ** (unit-periods per year) - 1,

both in percent, rounded half-up to two decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import Frequency, PeriodUnit, add_months, days_in_month
from microlend.loans.calculator.model import RepaymentMethod, Schedule

ONE = Decimal(1)
CENT_PERCENT = Decimal("0.01")
_PRECISION = 34
_TOLERANCE = Decimal("1e-20")


class TimeUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


_PER_YEAR = {TimeUnit.DAY: 365, TimeUnit.WEEK: 52, TimeUnit.MONTH: 12, TimeUnit.YEAR: 1}


@dataclass(frozen=True, slots=True)
class UnitPeriod:
    """``length`` days, weeks, months or years."""

    unit: TimeUnit
    length: int = 1

    @property
    def per_year(self) -> Decimal:
        return Decimal(_PER_YEAR[self.unit]) / self.length

    def split(self, start: date, end: date) -> tuple[int, Decimal]:
        """Whole unit-periods ``t`` and fraction ``f`` from ``start`` to ``end``, counted back
        from ``end`` (Appendix J (b)(5)). What is left of a unit of N months is counted in whole
        months and days, a day being 1/30 of a month; of a year, in days / 365."""
        if end < start:
            raise ValueError("a payment cannot precede the advance")
        if self.unit in (TimeUnit.DAY, TimeUnit.WEEK):
            days = self.length * (7 if self.unit is TimeUnit.WEEK else 1)
            whole, rest = divmod((end - start).days, days)
            return whole, Decimal(rest) / days
        months = self.length * (12 if self.unit is TimeUnit.YEAR else 1)
        whole, left = _count_back(start, end, months)
        if self.unit is TimeUnit.YEAR:
            return whole, Decimal((left - start).days) / 365
        part_months, left = _count_back(start, left, 1)
        days = (left - start).days
        return whole, Decimal(part_months * 30 + days) / (30 * self.length)


def _count_back(start: date, end: date, months: int) -> tuple[int, date]:
    """Whole spans of ``months`` from ``end`` back toward ``start``, and the date reached."""
    whole = ((end.year - start.year) * 12 + end.month - start.month) // months + 1
    while _months_back(end, whole * months, start.day) < start:
        whole -= 1
    return whole, _months_back(end, whole * months, start.day)


def _months_back(end: date, months: int, anchor_day: int) -> date:
    """``end`` moved back ``months``. A payment on a month's last day stands for the anchor's
    day where that month is too short (Appendix J (b)(3)(iv): payments on the 29th, 30th or
    31st fall on the last day of February), so it steps back to that day, clamped."""
    back = add_months(end, -months)
    if end.day < anchor_day and end.day == days_in_month(end.year, end.month):
        back = back.replace(day=min(anchor_day, days_in_month(back.year, back.month)))
    return back


@dataclass(frozen=True, slots=True)
class CashFlow:
    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AnnualPercentageRate:
    nominal: Decimal  # percent, two decimals
    effective: Decimal  # percent, two decimals
    periodic_rate: Decimal  # the unit-period IRR as a fraction, unrounded
    unit_period: UnitPeriod


def unit_period_of(frequency: Frequency) -> UnitPeriod:
    unit = {PeriodUnit.DAY: TimeUnit.DAY, PeriodUnit.WEEK: TimeUnit.WEEK}.get(
        frequency.unit, TimeUnit.MONTH
    )
    return UnitPeriod(unit, frequency.every)


def single_payment_unit(start: date, end: date) -> UnitPeriod:
    """The unit-period of a single-advance, single-payment loan: its term, at most a year, in
    the largest standard interval that measures it exactly: months, weeks, else days."""
    for months in range(1, 13):
        if add_months(start, months) == end:
            return UnitPeriod(TimeUnit.MONTH, months)
    days = (end - start).days
    if days > 365:
        return UnitPeriod(TimeUnit.YEAR)
    if days % 7 == 0:
        return UnitPeriod(TimeUnit.WEEK, days // 7)
    return UnitPeriod(TimeUnit.DAY, days)


def actuarial_apr(
    advance_on: date, amount: Decimal, payments: Sequence[CashFlow], unit: UnitPeriod
) -> AnnualPercentageRate:
    """The APR of one advance of ``amount`` repaid by ``payments`` (Appendix J (b)(8))."""
    if amount <= 0:
        raise ValidationFailed("the amount received must be positive", field="amount")
    if not payments or any(p.amount < 0 for p in payments):
        raise ValidationFailed("payments must be present and not negative", field="payments")
    with localcontext() as context:
        context.prec = _PRECISION
        terms = [(p.amount, *unit.split(advance_on, p.on)) for p in payments]
        rate = _solve(amount, terms)
        per_year = unit.per_year
        nominal = rate * per_year * 100
        effective = ((ONE + rate) ** per_year - ONE) * 100
    return AnnualPercentageRate(
        nominal=nominal.quantize(CENT_PERCENT, rounding=ROUND_HALF_UP),
        effective=effective.quantize(CENT_PERCENT, rounding=ROUND_HALF_UP),
        periodic_rate=rate,
        unit_period=unit,
    )


def schedule_apr(schedule: Schedule) -> AnnualPercentageRate:
    """The APR of a schedule: upfront fees reduce what is received, installments are paid."""
    terms = schedule.terms
    payments = [CashFlow(i.due_date, i.total) for i in schedule.installments if i.total > 0]
    if terms.method is RepaymentMethod.BULLET or len(payments) == 1:
        unit = single_payment_unit(terms.disbursement_date, payments[-1].on)
    else:
        unit = unit_period_of(terms.frequency)
    return actuarial_apr(terms.disbursement_date, schedule.amount_received, payments, unit)


def _present_value(rate: Decimal, flows: list[tuple[Decimal, int, Decimal]]) -> Decimal:
    return _value_and_slope(rate, flows)[0]


def _value_and_slope(
    rate: Decimal, flows: list[tuple[Decimal, int, Decimal]]
) -> tuple[Decimal, Decimal]:
    """The payments' present value at ``rate`` and its derivative by the rate."""
    growth = ONE + rate
    value = slope = Decimal(0)
    for amount, whole, fraction in flows:
        odd = ONE + fraction * rate
        present = amount / (odd * growth**whole)
        value += present
        slope -= present * (fraction / odd + whole / growth)
    return value, slope


def _solve(amount: Decimal, flows: list[tuple[Decimal, int, Decimal]]) -> Decimal:
    """The rate at which the payments' present value equals ``amount``. The present value falls
    as the rate rises, so a bracket always holds the root: Newton steps inside it, a bisection
    whenever a step would leave it."""
    low, high = Decimal(0), Decimal("0.01")
    if _present_value(low, flows) < amount:  # the payments fall short: a negative rate
        low, high = Decimal("-0.99"), low
        if _present_value(low, flows) < amount:
            raise ValidationFailed("the payments repay less than was received", field="payments")
    while _present_value(high, flows) > amount:
        low, high = high, high * 2
        if high > 1000:
            raise ValidationFailed("the payments imply no finite rate", field="payments")
    guess = (low + high) / 2
    for _ in range(200):
        value, slope = _value_and_slope(guess, flows)
        excess = value - amount
        if excess > 0:
            low = guess
        else:
            high = guess
        step = excess / slope if slope else Decimal(0)
        following = guess - step
        if not low <= following <= high:
            following = (low + high) / 2
        if abs(following - guess) <= _TOLERANCE or high - low <= _TOLERANCE:
            return following
        guess = following
    return guess

"""APR mechanics: unit-period counting, the single-payment rule, fees and odd cash flows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.loans.calculator.apr import (
    CashFlow,
    TimeUnit,
    UnitPeriod,
    actuarial_apr,
    schedule_apr,
    single_payment_unit,
)
from microlend.loans.calculator.model import Fee, FeeCharge, RepaymentMethod, Terms
from microlend.loans.calculator.schedule import build_schedule

D = Decimal
MONTH = UnitPeriod(TimeUnit.MONTH)


@pytest.mark.parametrize(
    ("unit", "start", "end", "whole", "fraction"),
    [
        # counted back from the payment: 1978-04-01 -> 03-01, then 19 days (Appendix J (c)(1)(ii))
        (MONTH, date(1978, 2, 10), date(1978, 4, 1), 1, D(19) / 30),
        (MONTH, date(2025, 1, 15), date(2025, 2, 15), 1, D(0)),
        (MONTH, date(2025, 1, 15), date(2025, 1, 25), 0, D(10) / 30),
        # a month-end payment steps back to month ends (and the 30th to February's last day)
        (MONTH, date(2024, 1, 31), date(2024, 2, 29), 1, D(0)),
        (MONTH, date(2024, 12, 30), date(2025, 2, 28), 2, D(0)),
        (MONTH, date(2025, 1, 30), date(2025, 3, 31), 2, D(1) / 30),
        # a 2-month unit: 1 month and 22 days left over = (1 + 22/30) / 2 (Appendix J (c)(4)(ii))
        (UnitPeriod(TimeUnit.MONTH, 2), date(1978, 1, 10), date(1978, 3, 1), 0, D(52) / 60),
        (UnitPeriod(TimeUnit.WEEK), date(1978, 3, 20), date(1978, 4, 21), 4, D(4) / 7),
        (UnitPeriod(TimeUnit.WEEK, 2), date(1978, 4, 3), date(1978, 4, 11), 0, D(8) / 14),
        (UnitPeriod(TimeUnit.DAY), date(2025, 1, 1), date(2025, 1, 11), 10, D(0)),
        (UnitPeriod(TimeUnit.YEAR), date(2023, 1, 1), date(2025, 3, 1), 2, D(59) / 365),
    ],
)
def test_unit_periods_between(
    unit: UnitPeriod, start: date, end: date, whole: int, fraction: Decimal
) -> None:
    assert unit.split(start, end) == (whole, fraction)


def test_a_payment_before_the_advance_is_refused() -> None:
    with pytest.raises(ValueError):
        MONTH.split(date(2025, 2, 1), date(2025, 1, 1))


@pytest.mark.parametrize(
    ("end", "unit"),
    [
        (date(2025, 4, 15), UnitPeriod(TimeUnit.MONTH, 3)),
        (date(2026, 1, 15), UnitPeriod(TimeUnit.MONTH, 12)),
        (date(2025, 1, 29), UnitPeriod(TimeUnit.WEEK, 2)),
        (date(2025, 4, 20), UnitPeriod(TimeUnit.DAY, 95)),
        (date(2026, 3, 1), UnitPeriod(TimeUnit.YEAR)),
    ],
)
def test_single_payment_unit_is_the_term(end: date, unit: UnitPeriod) -> None:
    assert single_payment_unit(date(2025, 1, 15), end) == unit


def test_unit_periods_per_year() -> None:
    assert MONTH.per_year == 12
    assert UnitPeriod(TimeUnit.MONTH, 3).per_year == 4
    assert UnitPeriod(TimeUnit.WEEK, 2).per_year == 26
    assert UnitPeriod(TimeUnit.DAY, 73).per_year == 5


def test_no_finance_charge_is_a_zero_apr() -> None:
    payments = [CashFlow(date(2025, m, 1), D(100)) for m in (2, 3, 4)]
    apr = actuarial_apr(date(2025, 1, 1), D(300), payments, MONTH)
    assert (apr.nominal, apr.effective) == (D("0.00"), D("0.00"))


def test_payments_short_of_the_amount_give_a_negative_apr() -> None:
    apr = actuarial_apr(date(2025, 1, 1), D(1000), [CashFlow(date(2025, 2, 1), D(990))], MONTH)
    assert apr.nominal == D("-12.00")  # -1 % a month


def test_a_hundredfold_payment_still_has_a_rate() -> None:
    apr = actuarial_apr(date(2025, 1, 1), D(100), [CashFlow(date(2025, 2, 1), D(10000))], MONTH)
    assert apr.nominal == D("118800.00")  # 99 a month × 12


@pytest.mark.parametrize(
    ("amount", "payments"),
    [
        (D(0), [CashFlow(date(2025, 2, 1), D(1))]),
        (D(100), []),
        (D(100), [CashFlow(date(2025, 2, 1), D(-1))]),
        (D(100), [CashFlow(date(2025, 2, 1), D(0))]),
    ],
)
def test_impossible_cash_flows_are_refused(amount: Decimal, payments: list[CashFlow]) -> None:
    with pytest.raises(ValidationFailed):
        actuarial_apr(date(2025, 1, 1), amount, payments, MONTH)


def test_an_upfront_fee_raises_the_apr() -> None:
    plain = Terms(D(100000), D(12), 12, RepaymentMethod.EQUAL_INSTALLMENT, date(2025, 1, 15))
    with_fee = Terms(
        D(100000),
        D(12),
        12,
        RepaymentMethod.EQUAL_INSTALLMENT,
        date(2025, 1, 15),
        fees=(Fee("service", FeeCharge.UPFRONT, amount=D(500)),),
    )
    assert schedule_apr(build_schedule(plain)).nominal == D("12.00")
    assert schedule_apr(build_schedule(with_fee)).nominal == D("12.95")


def test_bullet_apr_uses_the_term_as_unit_period() -> None:
    terms = Terms(D(100000), D(12), 6, RepaymentMethod.BULLET, date(2025, 1, 15))
    apr = schedule_apr(build_schedule(terms))
    assert apr.unit_period == UnitPeriod(TimeUnit.MONTH, 6)
    assert (apr.nominal, apr.effective) == (D("12.00"), D("12.36"))

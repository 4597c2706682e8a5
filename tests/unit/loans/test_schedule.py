"""Schedule engine behaviours that the worked examples do not pin on their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from microlend.kernel.calendar import BusinessDayConvention, china_mainland, weekends_only
from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import Frequency
from microlend.kernel.money import Rounding
from microlend.loans.calculator.model import (
    Fee,
    FeeBase,
    FeeCharge,
    InterestBasis,
    InterestDates,
    RepaymentMethod,
    Terms,
)
from microlend.loans.calculator.schedule import build_schedule

D = Decimal
M = RepaymentMethod
START = date(2025, 1, 15)


def terms(method: M = M.EQUAL_INSTALLMENT, **settings: object) -> Terms:
    base = Terms(D(100000), D(12), 12, method, START)
    return replace(base, **settings)  # type: ignore[arg-type]


def test_half_even_and_half_up_differ_on_a_half() -> None:
    # 1000 at 3 % a year: 2.5 yuan interest a month, rounded to whole yuan
    loan = terms(M.INTEREST_ONLY, principal=D(1000), annual_rate=D(3), term=2, digits=0)
    up = build_schedule(loan).installments[0].interest
    even = build_schedule(replace(loan, rounding=Rounding.HALF_EVEN)).installments[0].interest
    down = build_schedule(replace(loan, rounding=Rounding.DOWN)).installments[0].interest
    assert (up, even, down) == (D(3), D(2), D(2))


def test_digits_zero_gives_whole_yuan_everywhere() -> None:
    schedule = build_schedule(terms(digits=0))
    for row in schedule.installments:
        for value in (row.principal, row.interest, row.fee, row.total, row.balance):
            assert value == value.to_integral_value()
            assert value.as_tuple().exponent == 0
    assert schedule.installments[0].total == D(8885)


def test_digits_are_written_out_in_every_amount() -> None:
    row = build_schedule(terms(M.BULLET, term=1)).installments[0]
    assert [str(v) for v in (row.principal, row.fee, row.balance)] == ["100000.00", "0.00", "0.00"]


def test_a_zero_rate_splits_the_principal_evenly() -> None:
    schedule = build_schedule(terms(annual_rate=D(0), principal=D(1000), term=3))
    assert [r.principal for r in schedule.installments] == [D("333.33"), D("333.33"), D("333.34")]
    assert schedule.total_interest == 0


@pytest.mark.parametrize(
    ("frequency", "second_due", "interest"),
    [
        ("weekly", date(2025, 1, 29), D("230.77")),  # 100000 × 12 % / 52
        ("biweekly", date(2025, 2, 12), D("461.54")),  # / 26
        ("quarterly", date(2025, 7, 15), D("3000.00")),  # / 4
        ("every 2 months", date(2025, 5, 15), D("2000.00")),  # / 6
        ("daily", date(2025, 1, 17), D("33.33")),  # / 360 under 30/360
        ("every 10 days", date(2025, 2, 4), D("333.33")),  # × 10 / 360
    ],
)
def test_frequencies_set_dates_and_period_rates(
    frequency: str, second_due: date, interest: Decimal
) -> None:
    schedule = build_schedule(terms(M.INTEREST_ONLY, frequency=Frequency.parse(frequency)))
    assert schedule.installments[1].due_date == second_due
    assert schedule.installments[0].interest == interest


def test_daily_frequency_uses_365_days_under_act_365f() -> None:
    loan = terms(M.INTEREST_ONLY, frequency=Frequency.parse("daily"), day_count=DayCount.ACT_365F)
    assert build_schedule(loan).installments[0].interest == D("32.88")  # 100000 × 12 % / 365


def test_month_end_disbursement_keeps_month_ends() -> None:
    schedule = build_schedule(terms(disbursement_date=date(2025, 1, 31), term=3))
    assert [r.due_date for r in schedule.installments] == [
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_a_regular_first_due_date_is_not_a_broken_period() -> None:
    plain = build_schedule(terms())
    explicit = build_schedule(terms(first_due_date=date(2025, 2, 15)))
    assert plain.installments == explicit.installments


def test_broken_first_period_moves_only_the_first_interest() -> None:
    short = build_schedule(terms(first_due_date=date(2025, 2, 5)))
    regular = build_schedule(terms())
    first = short.installments[0]
    assert first.interest == D("666.67")  # 100000 × 12 % × 20/360
    assert first.principal == regular.installments[0].principal
    assert [r.total for r in short.installments[1:]] == [r.total for r in regular.installments[1:]]


def test_interest_dates_setting_decides_which_dates_count() -> None:
    # 2025-03-15 is a Saturday: following moves the first due date to Monday the 17th
    loan = terms(
        M.INTEREST_ONLY,
        disbursement_date=date(2025, 2, 15),
        term=2,
        interest_basis=InterestBasis.DAILY,
        day_count=DayCount.ACT_360,
        business_day=BusinessDayConvention.FOLLOWING,
        calendar=weekends_only(),
    )
    adjusted = build_schedule(loan).installments
    unadjusted = build_schedule(replace(loan, interest_dates=InterestDates.UNADJUSTED)).installments
    assert adjusted[0].due_date == unadjusted[0].due_date == date(2025, 3, 17)
    assert adjusted[0].interest == D("1000.00")  # 30 days to the 17th
    assert unadjusted[0].interest == D("933.33")  # 28 days to the 15th
    assert adjusted[0].accrual_end == date(2025, 3, 17)
    assert unadjusted[0].accrual_end == date(2025, 3, 15)


def test_a_preceding_adjustment_may_not_reach_the_disbursement() -> None:
    # disbursed Friday 2025-01-24, due daily: Saturday the 25th rolls back to Friday the 24th
    loan = terms(
        M.INTEREST_ONLY,
        disbursement_date=date(2025, 1, 24),
        frequency=Frequency.parse("daily"),
        business_day=BusinessDayConvention.PRECEDING,
        calendar=china_mainland([2025]),
    )
    with pytest.raises(ValidationFailed) as raised:
        build_schedule(loan)
    assert raised.value.field == "business_day"


def test_fees_per_installment_flat_percent_and_on_balance() -> None:
    fees = (
        Fee("sms", FeeCharge.PER_INSTALLMENT, amount=D("1.5")),
        Fee("management", FeeCharge.PER_INSTALLMENT, percent=D("0.1")),
        Fee("insurance", FeeCharge.PER_INSTALLMENT, percent=D("0.05"), base=FeeBase.BALANCE),
        Fee("service", FeeCharge.UPFRONT, percent=D(2)),
    )
    schedule = build_schedule(terms(M.EQUAL_PRINCIPAL, term=4, fees=fees))
    # balance at the start of each period: 100000, 75000, 50000, 25000
    assert [r.fee for r in schedule.installments] == [
        D("151.50"),
        D("139.00"),
        D("126.50"),
        D("114.00"),
    ]
    assert all(r.total == r.principal + r.interest + r.fee for r in schedule.installments)
    assert schedule.upfront_fee == D("2000.00")
    assert schedule.amount_received == D("98000.00")


def test_a_bullet_loan_pays_its_installment_fee_once() -> None:
    fee = Fee("management", FeeCharge.PER_INSTALLMENT, amount=D(50))
    schedule = build_schedule(terms(M.BULLET, term=3, fees=(fee,)))
    (only,) = schedule.installments
    assert only.fee == D("50.00")
    assert only.interest == D("3000.00")
    assert only.due_date == date(2025, 4, 15)


def test_bullet_with_a_broken_first_period_adds_the_odd_days() -> None:
    loan = terms(M.BULLET, term=3, first_due_date=date(2025, 2, 1))
    (only,) = build_schedule(loan).installments
    # 16 days (30/360) of 1200 a month, then two regular months: 533.33 + 2000
    assert only.due_date == date(2025, 4, 1)
    assert only.interest == D("2533.33")


def test_an_installment_multiple_too_large_is_refused() -> None:
    with pytest.raises(ValidationFailed) as raised:
        build_schedule(terms(installment_multiple=D(10000)))
    assert raised.value.field == "installment_multiple"
    with pytest.raises(ValidationFailed) as raised:
        build_schedule(terms(M.EQUAL_PRINCIPAL, installment_multiple=D(100000)))
    assert raised.value.field == "installment_multiple"


def test_a_principal_too_small_to_spread_is_refused() -> None:
    loan = terms(M.EQUAL_PRINCIPAL, principal=D(10), digits=0)  # 10/12 rounds to 1 a month
    with pytest.raises(ValidationFailed) as raised:
        build_schedule(loan)
    assert raised.value.field == "principal"


def test_equal_principal_multiple_rounds_the_principal_part() -> None:
    schedule = build_schedule(terms(M.EQUAL_PRINCIPAL, installment_multiple=D(100)))
    parts = [r.principal for r in schedule.installments]
    assert parts[:11] == [D("8300.00")] * 11 and parts[11] == D("8700.00")


def test_daily_interest_above_the_installment_pays_no_principal() -> None:
    # 36 % over 135 months: a 31-day month's interest (36 % × 31/365 = 3.06 %) is more than
    # the level installment (3056.52 on 100000 at first), so those months pay interest only
    loan = terms(
        annual_rate=D(36),
        term=135,
        interest_basis=InterestBasis.DAILY,
        day_count=DayCount.ACT_365F,
    )
    schedule = build_schedule(loan)
    first = schedule.installments[0]  # 31 days from 2025-01-15
    assert first.principal == 0 and first.interest == D("3057.53")
    assert min(r.principal for r in schedule.installments) == 0
    assert schedule.total_principal == D(100000)
    assert schedule.installments[-1].balance == 0


def test_daily_interest_that_would_repay_early_is_refused() -> None:
    loan = terms(
        annual_rate=D(36), term=360, interest_basis=InterestBasis.DAILY, day_count=DayCount.ACT_365F
    )
    with pytest.raises(ValidationFailed) as raised:
        build_schedule(loan)
    assert raised.value.field == "interest_basis"


def test_schedule_totals() -> None:
    schedule = build_schedule(terms())
    assert schedule.total_principal == D("100000.00")
    assert schedule.total_interest == D("6618.53")
    assert schedule.total_fee == D("0.00")
    assert schedule.total_payments == D("106618.53")
    assert schedule.amount_received == D(100000)

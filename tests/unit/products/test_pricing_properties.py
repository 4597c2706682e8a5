"""Properties of quotes over the default products' whole ranges."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from microlend.kernel.errors import RuleViolation
from microlend.products.defaults import INDIVIDUAL_BUSINESS, SME_WORKING_CAPITAL
from microlend.products.pricing import quote

BUSINESS = INDIVIDUAL_BUSINESS.terms
SME = SME_WORKING_CAPITAL.terms


def cents(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(int(low * 100), int(high * 100)).map(lambda c: Decimal(c) / 100)


@settings(max_examples=60, deadline=None)
@given(
    amount=cents(BUSINESS.min_amount, BUSINESS.max_amount),
    term=st.integers(BUSINESS.min_term, BUSINESS.max_term),
    rate=st.integers(int(BUSINESS.min_rate * 10), 235).map(lambda r: Decimal(r) / 10),
    method=st.sampled_from(BUSINESS.methods),
    day=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
)
def test_without_schedule_fees_the_apr_is_the_nominal_rate(
    amount: Decimal, term: int, rate: Decimal, method: str, day: date
) -> None:
    # A monthly schedule on the period basis with no upfront or per-installment fee: the
    # monthly IRR is the monthly rate, so the APR is the nominal rate up to the cents' rounding.
    priced = quote(
        BUSINESS,
        amount=amount,
        term_count=term,
        annual_rate=rate,
        method=method,
        disbursement_date=day,
    )
    assert abs(priced.apr.nominal - rate) <= Decimal("0.05")
    assert priced.schedule.total_principal == amount
    assert priced.net_disbursed == amount and priced.total_fees == 0


@settings(max_examples=60, deadline=None)
@given(
    amount=cents(SME.min_amount, SME.max_amount),
    term=st.integers(SME.min_term, SME.max_term),
    rate=st.integers(int(SME.min_rate), int(SME.max_rate)).map(Decimal),
    method=st.sampled_from(SME.methods),
)
def test_an_upfront_fee_raises_the_apr_above_the_rate(
    amount: Decimal, term: int, rate: Decimal, method: str
) -> None:
    # (a bullet loan beyond a year pays simple interest, which compounds to less than the rate
    # over a yearly unit-period: there the fee need not lift the APR above the nominal rate)
    assume(method != "bullet" or term <= 12)
    try:
        priced = quote(
            SME,
            amount=amount,
            term_count=term,
            annual_rate=rate,
            method=method,
            disbursement_date=date(2026, 1, 15),
        )
    except RuleViolation as refused:  # a one-month loan: 0.5 % upfront is 6 % a year
        assert refused.code == "apr_above_cap" and Decimal(refused.extra["apr"]) > SME.apr_cap
        return
    assert priced.apr.nominal > rate
    # the product rounds half up (四舍五入): 281465 x 0.5 % = 1407.325 -> 1407.33
    fee = (amount * Decimal("0.005")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert priced.upfront_fees == fee
    assert priced.net_disbursed == amount - priced.upfront_fees

"""Quotes: schedule, APR (IRR with fees) and the cap, against examples worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.kernel.errors import RuleViolation
from microlend.loans.calculator.model import RepaymentMethod
from microlend.products.model import ProductFee, ProductTerms
from microlend.products.pricing import quote

D = Decimal
BULLET, EI = RepaymentMethod.BULLET, RepaymentMethod.EQUAL_INSTALLMENT
PRODUCT = ProductTerms(
    customer_kinds=("individual", "enterprise"),
    currency="CNY",
    min_amount=D("1000.00"),
    max_amount=D("50000.00"),
    min_term=1,
    max_term=12,
    methods=(BULLET, EI),
    min_rate=D("6"),
    max_rate=D("24"),
    fees=(
        ProductFee("手续费", "upfront", amount=D("100.00")),
        ProductFee("提前还款费", "prepayment", percent=D("1")),
    ),
)
JAN_15 = date(2026, 1, 15)


def test_a_bullet_quote_worked_by_hand() -> None:
    # 10,000.00 for 6 months at 12 %, one payment on 15 July 2026:
    #   interest = 10,000 x 12 % x 6/12 = 600.00; payment = 10,600.00
    #   received = 10,000.00 - 100.00 upfront fee = 9,900.00
    # A single payment: the unit-period is the term, 6 months (Reg. Z App. J (b)(4)(ii)), t = 1:
    #   9,900 = 10,600 / (1 + i)  =>  i = 700 / 9,900 = 0.0707070...
    #   nominal APR = 2 x i = 14.1414...% -> 14.14 %; effective = 1.0707070...^2 - 1 = 14.64 %
    priced = quote(
        PRODUCT,
        amount=D("10000.00"),
        term_count=6,
        annual_rate=D("12"),
        method=BULLET,
        disbursement_date=JAN_15,
    )
    assert (priced.apr.nominal, priced.apr.effective) == (D("14.14"), D("14.64"))
    assert priced.total_interest == D("600.00")
    assert (priced.upfront_fees, priced.total_fees, priced.net_disbursed) == (
        D("100.00"),
        D("100.00"),
        D("9900.00"),
    )
    assert priced.first_installment == D("10600.00") == priced.total_repayment
    assert priced.total_cost == D("700.00")
    assert priced.schedule.installments[0].due_date == date(2026, 7, 15)


def test_an_equal_installment_quote_worked_by_hand() -> None:
    # 10,000.00 over 12 months at 12 %: r = 1 % a month,
    #   installment = 10,000 x 0.01 / (1 - 1.01^-12) = 888.4879 -> 888.49
    # installment 1: interest 100.00, principal 788.49. Upfront fee 100.00: received 9,900.00.
    # The monthly IRR solves 9,900 = 888.49 x a(12, i), a(12, i) = (1 - (1 + i)^-12) / i (the
    # last installment, 888.47, differs by two cents: negligible at two decimals of APR).
    #   9,900 / 888.49 = 11.14250; a(12, 1.15 %) = 11.14914, a(12, 1.16 %) = 11.14213
    #   linear: i = 1.16 % - 0.01 % x (11.14250 - 11.14213) / (11.14914 - 11.14213)
    #             = 1.16 % - 0.01 % x 0.053 = 1.15947 %;  APR = 12 x i = 13.91 %
    priced = quote(
        PRODUCT,
        amount=D("10000.00"),
        term_count=12,
        annual_rate=D("12"),
        method=EI,
        disbursement_date=JAN_15,
    )
    first = priced.schedule.installments[0]
    assert (first.interest, first.principal, first.total) == (D("100.00"), D("788.49"), D("888.49"))
    assert priced.first_installment == D("888.49")
    assert priced.apr.nominal == D("13.91")
    assert priced.net_disbursed == D("9900.00")


def test_an_apr_above_the_cap_is_refused() -> None:
    # 10,000.00 for 12 months at 24 %, bullet: payment 12,400.00, received 9,900.00,
    # unit-period 12 months: i = 2,500 / 9,900 = 25.25 % > 24 %: refused, though the nominal
    # rate itself is within the product's range.
    with pytest.raises(RuleViolation) as refused:
        quote(
            PRODUCT,
            amount=D("10000.00"),
            term_count=12,
            annual_rate=D("24"),
            method=BULLET,
            disbursement_date=JAN_15,
        )
    assert (refused.value.code, refused.value.field) == ("apr_above_cap", "annual_rate")
    assert refused.value.extra == {"apr": "25.25", "apr_cap": "24"}


def test_the_same_loan_without_the_fee_stays_at_the_cap() -> None:
    # Without the fee: received 10,000.00, i = 2,400 / 10,000 = 24.00 %: not above the cap.
    no_fee = ProductTerms(
        **{
            **{f: getattr(PRODUCT, f) for f in PRODUCT.__slots__},  # type: ignore[attr-defined]
            "fees": (),
        }
    )
    priced = quote(
        no_fee,
        amount=D("10000.00"),
        term_count=12,
        annual_rate=D("24"),
        method=BULLET,
        disbursement_date=JAN_15,
    )
    assert priced.apr.nominal == D("24.00")


@pytest.mark.parametrize(
    ("amount", "term", "rate", "method", "code", "field"),
    [
        ("50000.01", 6, "12", BULLET, "amount_above_maximum", "amount"),
        ("10000.00", 13, "12", BULLET, "term_out_of_range", "term_count"),
        ("10000.00", 6, "5", BULLET, "rate_out_of_range", "annual_rate"),
        ("10000.00", 6, "12", RepaymentMethod.FLAT, "method_not_offered", "method"),
    ],
)
def test_a_request_outside_the_product_is_refused(
    amount: str, term: int, rate: str, method: RepaymentMethod, code: str, field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        quote(
            PRODUCT,
            amount=D(amount),
            term_count=term,
            annual_rate=D(rate),
            method=method,
            disbursement_date=JAN_15,
        )
    assert (refused.value.code, refused.value.field) == (code, field)


def test_amounts_are_given_to_the_products_digits() -> None:
    # an amount typed without decimals: the quote's amounts still carry two places
    priced = quote(
        PRODUCT,
        amount=D("10000"),
        term_count=6,
        annual_rate=D("12"),
        method=BULLET,
        disbursement_date=JAN_15,
    )
    assert [str(v) for v in (priced.net_disbursed, priced.upfront_fees, priced.total_interest)] == [
        "9900.00",
        "100.00",
        "600.00",
    ]

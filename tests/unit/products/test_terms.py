"""Product terms validate themselves and name the field; requests are checked against them."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import Frequency
from microlend.loans.calculator.model import FeeBase, FeeCharge, RepaymentMethod
from microlend.products.model import (
    ProductFee,
    ProductTerms,
    RequestProblem,
    check_request,
    loan_terms,
    prepayment_fee,
)
from microlend.products.schemas import document_of, terms_from_document

D = Decimal
EI, EP, IO, BULLET = (
    RepaymentMethod.EQUAL_INSTALLMENT,
    RepaymentMethod.EQUAL_PRINCIPAL,
    RepaymentMethod.INTEREST_ONLY,
    RepaymentMethod.BULLET,
)
BASE: dict[str, Any] = {
    "customer_kinds": ("individual",),
    "currency": "CNY",
    "min_amount": D("1000.00"),
    "max_amount": D("200000.00"),
    "min_term": 3,
    "max_term": 36,
    "methods": (EI, EP),
    "min_rate": D("8"),
    "max_rate": D("24"),
}


def terms(**changes: Any) -> ProductTerms:
    return ProductTerms(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_kinds": ()}, "terms.customer_kinds"),
        ({"customer_kinds": ("person",)}, "terms.customer_kinds"),
        ({"currency": "cny"}, "terms.currency"),
        ({"min_amount": D("0")}, "terms.min_amount"),
        ({"min_amount": D("1000.001")}, "terms.min_amount"),
        ({"max_amount": D("999.99")}, "terms.max_amount"),
        ({"min_term": 0}, "terms.min_term"),
        ({"max_term": 2}, "terms.max_term"),
        ({"methods": ()}, "terms.methods"),
        ({"methods": ("annuity",)}, "terms.methods"),
        ({"methods": (EI, EI)}, "terms.methods"),
        ({"min_rate": D("-1")}, "terms.min_rate"),
        ({"max_rate": D("7")}, "terms.max_rate"),
        ({"max_rate": D("25")}, "terms.max_rate"),  # above the 24 % cap
        ({"apr_cap": D("0")}, "terms.apr_cap"),
        ({"grade_rates": {"A": D("7.99")}}, "terms.grade_rates.A"),
        ({"grade_rates": {"E": D("24.5")}}, "terms.grade_rates.E"),
        ({"digits": 7}, "terms.digits"),
        ({"installment_multiple": D("0.001")}, "terms.installment_multiple"),
        ({"grace_principal_periods": 3}, "terms.grace_principal_periods"),  # = min_term
        ({"methods": (BULLET,), "grace_interest_periods": 1}, "terms.grace_interest_periods"),
        ({"methods": (IO,), "grace_principal_periods": 1}, "terms.grace_principal_periods"),
        ({"fees": (ProductFee("a", "upfront", amount=D("1")),) * 2}, "terms.fees"),
        ({"fees": (ProductFee("all", "upfront", amount=D("1000")),)}, "terms.fees"),
        ({"allocation_order": "newest_first"}, "terms.allocation_order"),
        ({"allocation_order": ("due.interest", "due.tip")}, "terms.allocation_order.1"),
        ({"guarantors_required": 11}, "terms.guarantors_required"),
        ({"fund_usage_days": 0}, "terms.fund_usage_days"),
        ({"fund_usage_days": 366}, "terms.fund_usage_days"),
        ({"required_documents": ("id_copy", "id_copy")}, "terms.required_documents"),
        ({"investigation_template": "farm"}, "terms.investigation_template"),
        ({"prepayment_mode": "skip"}, "terms.prepayment_mode"),
    ],
)
def test_bad_terms_name_their_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        terms(**changes)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        ({"charged": "monthly", "amount": D(1)}, "terms.fees.f"),
        ({"charged": "upfront"}, "terms.fees.f"),  # neither amount nor percent
        ({"charged": "upfront", "amount": D(1), "percent": D(1)}, "terms.fees.f"),
        ({"charged": "upfront", "amount": D(-1)}, "terms.fees.f"),
        ({"charged": "upfront", "percent": D(101)}, "terms.fees.f"),
        ({"charged": "upfront", "percent": D(1), "base": "balance"}, "terms.fees.f"),
    ],
)
def test_bad_fees_name_the_fee(fee: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        ProductFee(name="f", **fee)
    assert refused.value.field == field


def test_text_values_become_enums_and_grades_are_kept_sorted() -> None:
    made = terms(methods=("equal_installment",), grade_rates={"B": D("12"), "A": D("9")})
    assert made.methods == (EI,)
    assert list(made.grade_rates) == ["A", "B"]
    assert made.rate_for_grade("A") == D("9") and made.rate_for_grade("Z") is None


def test_check_request_reports_every_problem() -> None:
    product = terms()
    fits = check_request(
        product,
        customer_kind="individual",
        amount=D("5000.00"),
        term_count=12,
        annual_rate=D("12"),
        method=EI,
    )
    assert fits == ()
    problems = check_request(
        product,
        customer_kind="enterprise",
        amount=D("200000.01"),
        term_count=37,
        annual_rate=D("7.5"),
        method=BULLET,
    )
    assert [(p.code, p.field) for p in problems] == [
        ("customer_kind_not_eligible", "customer_kind"),
        ("amount_above_maximum", "amount"),
        ("term_out_of_range", "term_count"),
        ("rate_out_of_range", "annual_rate"),
        ("method_not_offered", "method"),
    ]
    low = check_request(
        product,
        customer_kind="individual",
        amount=D("999.99"),
        term_count=2,
        annual_rate=D("24.01"),
        method="equal_principal",
    )
    assert [p.code for p in low] == [
        "amount_below_minimum",
        "term_out_of_range",
        "rate_out_of_range",
    ]
    assert isinstance(low[0], RequestProblem) and "1000.00" in low[0].message
    cents = check_request(
        product,
        customer_kind="individual",
        amount=D("5000.005"),
        term_count=12,
        annual_rate=D("12"),
        method=EI,
    )
    assert [p.code for p in cents] == ["amount_not_exact"]


def test_loan_terms_carry_the_conventions_and_only_schedule_fees() -> None:
    fees = (
        ProductFee("手续费", "upfront", percent=D("1")),
        ProductFee("管理费", "per_installment", percent=D("0.1"), base="balance"),
        ProductFee("提前还款费", "prepayment", percent=D("2")),
    )
    product = terms(
        fees=fees,
        installment_multiple=D("1"),
        methods=(EI, IO),
        day_count="ACT/365F",
        rounding="half_even",
        grace_principal_periods=0,
    )
    made = loan_terms(
        product,
        amount=D("10000.00"),
        term_count=12,
        annual_rate=D("12"),
        method="equal_installment",
        disbursement_date=date(2026, 1, 15),
        first_due_date=date(2026, 3, 1),
    )
    assert [(f.name, f.charged, f.base) for f in made.fees] == [
        ("手续费", FeeCharge.UPFRONT, FeeBase.PRINCIPAL),
        ("管理费", FeeCharge.PER_INSTALLMENT, FeeBase.BALANCE),
    ]
    assert (made.principal, made.term, made.method, made.currency) == (D("10000.00"), 12, EI, "CNY")
    assert made.day_count.value == "ACT/365F" and made.rounding.value == "half_even"
    assert made.installment_multiple == D("1") and made.first_due_date == date(2026, 3, 1)
    interest_only = loan_terms(
        product,
        amount=D("10000.00"),
        term_count=12,
        annual_rate=D("12"),
        method=IO,
        disbursement_date=date(2026, 1, 15),
    )
    assert interest_only.installment_multiple is None  # no level installment to round


def test_prepayment_fee_on_principal_or_balance() -> None:
    product = terms(
        fees=(
            ProductFee("p", "prepayment", percent=D("1")),
            ProductFee("b", "prepayment", percent=D("0.5"), base="balance"),
            ProductFee("fixed", "prepayment", amount=D("50.00")),
        )
    )
    # 1 % of 20,000 prepaid = 200.00; 0.5 % of the 80,000.00 balance = 400.00; plus 50.00
    assert prepayment_fee(
        product, prepaid_principal=D("20000.00"), balance_before=D("80000.00")
    ) == D("650.00")


def test_the_document_round_trips_and_refuses_floats() -> None:
    product = terms(
        grade_rates={"A": D("8.5")},
        fees=(ProductFee("手续费", "upfront", amount=D("100.00")),),
        allocation_order=("past_due.interest", "past_due.principal", "due.interest"),
        frequency=Frequency.parse("every 10 days"),
    )
    document = document_of(product)
    assert document["min_amount"] == "1000.00" and document["frequency"] == "every 10 days"
    assert document["grade_rates"] == {"A": "8.5"}
    assert terms_from_document(document) == product
    with pytest.raises(ValidationFailed) as floats:
        terms_from_document({**document, "max_rate": 24.0})
    assert floats.value.field == "terms.max_rate"
    with pytest.raises(ValidationFailed) as unknown:
        terms_from_document({**document, "colour": "red"})
    assert unknown.value.field == "terms.colour"
    with pytest.raises(ValidationFailed) as nested:
        terms_from_document({**document, "fees": [{"name": "x", "charged": "yearly"}]})
    assert nested.value.field == "terms.fees.0.charged"
    with pytest.raises(ValidationFailed) as penalty:
        terms_from_document({**document, "penalty": {"multiplier": "5"}})
    assert penalty.value.field == "terms.penalty.multiplier"


def test_replace_revalidates() -> None:
    with pytest.raises(ValidationFailed):
        dataclasses.replace(terms(), max_amount=D("1"))

"""Ages, DTI, the inputs' document, pricing by grade and the combined outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.origination.decision_evaluation import Pricing, evaluate, suggested_rate
from microlend.origination.decision_model import Facts, Outcome, age_on, debt_to_income, worst
from microlend.origination.limits_model import Exposures, LimitSettings
from microlend.origination.rules_model import DEFAULT_RULES
from microlend.origination.scorecards_model import DEFAULT_INDIVIDUAL, parse_scorecard

D = Decimal


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1960, 3, 4), date(2025, 3, 3), 64),
        (date(1960, 3, 4), date(2025, 3, 4), 65),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
    ],
)
def test_age_in_full_years(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_dti_after_the_loan() -> None:
    # (1,500 + 2,000) / 10,000 = 0.35
    assert debt_to_income(existing_payments=D(1500), new_installment=D(2000),
                          monthly_income=D(10000)) == D("0.3500")  # fmt: skip
    # 1 / 20,000 = 0.00005: half up to 0.0001
    assert debt_to_income(existing_payments=D(0), new_installment=D(1),
                          monthly_income=D(20000)) == D("0.0001")  # fmt: skip
    assert debt_to_income(existing_payments=D(0), new_installment=D(1), monthly_income=None) is None
    assert debt_to_income(existing_payments=D(0), new_installment=D(1), monthly_income=D(0)) is None


def test_the_worst_outcome_wins() -> None:
    assert worst([]) is Outcome.PASS
    assert worst([Outcome.REFER, Outcome.PASS]) is Outcome.REFER
    assert worst([Outcome.REFER, Outcome.DECLINE, Outcome.PASS]) is Outcome.DECLINE


def test_facts_survive_their_document() -> None:
    facts = Facts(customer_kind="enterprise", amount=D("1.10"), dti=D("0.3333"),
                  industry_code="C13", blacklisted=True, max_dpd=12,
                  eligible_kinds=("enterprise", "individual"))  # fmt: skip
    assert Facts.from_document(facts.to_document()) == facts


RATES = Pricing(min_rate=D("10"), max_rate=D("18"), requested_rate=D("20"),
                grade_rates={"A": D("12.0"), "B": D("15.0"), "C": D("8")})  # fmt: skip


@pytest.mark.parametrize(("grade", "rate"), [("A", "12.0"), ("B", "15.0"), ("C", "10"),
                                             ("E", "18")])  # fmt: skip
def test_the_rate_of_the_grade_clamped_to_the_product_range(grade: str, rate: str) -> None:
    # C is priced at 8, below the minimum 10; E is not priced: the requested 20, above 18.
    assert suggested_rate(grade, RATES) == D(rate)


def test_a_good_applicant_over_the_single_borrower_limit_is_referred() -> None:
    facts = Facts(customer_kind="individual", amount=D(100000), age=40, education="本科",
                  marital_status="已婚", monthly_income=D("10000"), dti=D("0.3600"),
                  own_exposure=D(420000), product_max_amount=D(200000))  # fmt: skip
    exposures = Exposures(D("5000000"), D(420000), D(420000), D(100000), office_id=1)
    card = parse_scorecard(DEFAULT_INDIVIDUAL)
    result = evaluate(rules=DEFAULT_RULES, scorecard=card, limits=LimitSettings(), facts=facts,
                      exposures=exposures, pricing=RATES)  # fmt: skip
    assert result.hits == ()  # 685 points, grade A: no rule fires
    assert (result.scored.score, result.scored.grade, result.suggested_rate) == (
        685,
        "A",
        D("12.0"),
    )
    # 80,000 of headroom under 500,000 for 100,000 asked: the breach refers
    assert [c.ok for c in result.checks] == [False, True]
    assert result.outcome is Outcome.REFER

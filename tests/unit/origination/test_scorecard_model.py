"""The default scorecards scored by hand (points from the tables in ``scorecards_model``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.origination import pages_decision_admin
from microlend.origination.decision_model import Facts
from microlend.origination.scorecards_model import (
    DEFAULT_ENTERPRISE,
    DEFAULT_INDIVIDUAL,
    DEFAULTS,
    grade_of,
    parse_scorecard,
    points_of,
    score,
    scorecard_document,
)

D = Decimal
INDIVIDUAL = parse_scorecard(DEFAULT_INDIVIDUAL)
ENTERPRISE = parse_scorecard(DEFAULT_ENTERPRISE)


def test_a_good_individual_scores_685_grade_a() -> None:
    facts = Facts(customer_kind="individual", amount=D(50000), age=40, education="本科",
                  marital_status="已婚", monthly_income=D("10000"), dti=D("0.3600"),
                  max_dpd=0)  # fmt: skip
    scored = score(INDIVIDUAL, facts)
    # base 500 + age 35-49: 35 + bachelor 30 + married 25 + income 8,000-20,000: 40
    # + DTI 30-50%: 25 + DPD 0: 30 = 685 >= 660 -> A
    assert [(p.name, p.bin_label, p.points) for p in scored.points] == [
        ("age", "35-49", 35),
        ("education", "bachelor", 30),
        ("marital_status", "married", 25),
        ("monthly_income", "8,000-20,000", 40),
        ("dti", "30-50%", 25),
        ("max_dpd", "0", 30),
    ]
    assert (scored.score, scored.grade) == (685, "A")


def test_a_weak_individual_scores_460_grade_e() -> None:
    facts = Facts(customer_kind="individual", amount=D(50000), age=23, education=None,
                  marital_status="Single", monthly_income=D("2500"), dti=D("0.75"),
                  max_dpd=45)  # fmt: skip
    scored = score(INDIVIDUAL, facts)
    # 500 + age <25: 0 + education missing: 0 + single 10 + income <3,000: 0 + DTI >=70%: -30
    # + DPD 31-90: -20 = 460 -> E
    assert [p.points for p in scored.points] == [0, 0, 10, 0, -30, -20]
    assert [p.bin_label for p in scored.points][1] == "missing"
    assert (scored.score, scored.grade) == (460, "E")


@pytest.mark.parametrize(("age", "points"), [(24, 0), (25, 20), (34, 20), (35, 35), (60, 5)])
def test_a_bin_holds_its_lower_bound_not_its_upper(age: int, points: int) -> None:
    scored = score(INDIVIDUAL, Facts(customer_kind="individual", amount=D(1), age=age))
    assert scored.points[0].points == points


def test_a_good_enterprise_scores_705_grade_a() -> None:
    facts = Facts(customer_kind="enterprise", amount=D(300000), years_in_business=6,
                  industry_code="F5123", debt_ratio=D("0.55"), dti=D("0.2000"),
                  group_exposure=D(0), max_dpd=0)  # fmt: skip
    scored = score(ENTERPRISE, facts)
    # 500 + years >=5: 45 + wholesale and retail (F): 30 + debt ratio 40-60%: 30 + DTI <30%: 50
    # + no group exposure: 20 + DPD 0: 30 = 705 -> A
    assert [p.points for p in scored.points] == [45, 30, 30, 50, 20, 30]
    assert (scored.score, scored.grade) == (705, "A")


def test_a_real_estate_enterprise_scores_475_grade_e() -> None:
    facts = Facts(customer_kind="enterprise", amount=D(300000), years_in_business=2,
                  industry_code="K7010", debt_ratio=D("0.85"), dti=None,
                  group_exposure=D("600000"), max_dpd=10)  # fmt: skip
    scored = score(ENTERPRISE, facts)
    # 500 + years 1-2: 15 + real estate (K): -20 + debt ratio >=80%: -30 + DTI missing: 0
    # + group exposure 500,000-2,000,000: 0 + DPD 1-30: 10 = 475 -> E
    assert [p.points for p in scored.points] == [15, -20, -30, 0, 0, 10]
    assert (scored.score, scored.grade) == (475, "E")


def test_a_section_in_no_bin_scores_as_other() -> None:
    facts = Facts(customer_kind="enterprise", amount=D(1), industry_code="Z99")
    industry = score(ENTERPRISE, facts).points[1]
    assert (industry.value, industry.bin_label, industry.points) == ("Z", "other", 0)


@pytest.mark.parametrize(
    ("total", "grade"), [(700, "A"), (660, "A"), (659, "B"), (620, "B"), (580, "C"),
                         (540, "D"), (539, "E"), (-10, "E")],
)  # fmt: skip
def test_grade_bands(total: int, grade: str) -> None:
    assert grade_of(total, INDIVIDUAL.grades) == grade


def test_a_scorecard_survives_its_document() -> None:
    assert parse_scorecard(scorecard_document(ENTERPRISE)) == ENTERPRISE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_kind": "robot"}, "customer_kind"),
        ({"base_points": "500"}, "base_points"),
        ({"characteristics": [{"name": "shoe_size", "bins": []}]}, "characteristics[0].name"),
        ({"characteristics": [{"name": "age", "bins": [
            {"label": "x", "lower": "30", "upper": "20", "points": 1}]}]},
         "characteristics[0].bins[0].upper"),
        ({"grades": [{"grade": "A", "min_score": 1}, {"grade": "A", "min_score": 0}]}, "grades"),
    ],
)  # fmt: skip
def test_a_bad_scorecard_names_its_place(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_scorecard({**DEFAULT_INDIVIDUAL, **change})
    assert refused.value.field == field


def test_every_text_of_the_default_scorecards_is_marked_for_the_catalog() -> None:
    """Their names and bin labels are stored as English and shown through the ``catalogued``
    filter: a text the pages do not mark would stay English in the Chinese UI (the labels made
    of digits and signs alone read the same in both)."""
    texts = {card["name"] for card in DEFAULTS.values()}
    for card in DEFAULTS.values():
        for characteristic in card["characteristics"]:
            texts |= {b["label"] for b in characteristic["bins"]}
    worded = {text for text in texts if any(c.isalpha() for c in text)}
    assert worded == set(pages_decision_admin.DEFAULT_SCORECARD_TEXTS)
    education = INDIVIDUAL.characteristics[1]
    unbinned = {points_of(education, value).bin_label for value in (None, "小学")}
    assert unbinned == set(pages_decision_admin.UNBINNED_LABELS)

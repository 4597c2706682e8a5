"""Each default policy rule, fired and not fired, with the inputs written by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.origination import pages_decision
from microlend.origination.decision_model import Facts, Outcome
from microlend.origination.rules_model import (
    DEFAULT_RULES,
    HIT_MESSAGES,
    Rule,
    evaluate_rules,
    industry_matches,
    parse_rules,
    read_hit_message,
)

D = Decimal
# An applicant no default rule objects to: 40 years old, DTI 35%, clean history, 100,000 asked
# under a product lending up to 200,000.
CLEAN = Facts(customer_kind="individual", amount=D("100000"), age=40, dti=D("0.3500"),
              product_max_amount=D("200000"), eligible_kinds=("individual",))  # fmt: skip


def hits(facts: Facts, grade: str = "B") -> dict[str, Outcome]:
    return {hit.code: hit.outcome for hit in evaluate_rules(DEFAULT_RULES, facts, grade=grade)}


def with_(**changes: object) -> Facts:
    plain = {key: str(v) if isinstance(v, Decimal) else v for key, v in changes.items()}
    return Facts.from_document({**CLEAN.to_document(), **plain})


def test_a_clean_applicant_fires_no_rule() -> None:
    assert hits(CLEAN) == {}


@pytest.mark.parametrize(("age", "fired"), [(17, True), (18, False), (65, False), (66, True)])
def test_age_outside_18_to_65_declines_an_individual(age: int, fired: bool) -> None:
    assert hits(with_(age=age)) == ({"AGE_RANGE": Outcome.DECLINE} if fired else {})


def test_an_unknown_age_refers_and_an_enterprise_has_no_age_rule() -> None:
    assert hits(with_(age=None)) == {"AGE_RANGE": Outcome.REFER}
    enterprise = with_(age=None, customer_kind="enterprise", eligible_kinds=["enterprise"],
                       industry_code="C1310")  # fmt: skip
    assert hits(enterprise) == {}


def test_blacklist_declines_and_watch_list_refers() -> None:
    assert hits(with_(blacklisted=True)) == {"BLACKLISTED": Outcome.DECLINE}
    assert hits(with_(watchlisted=True)) == {"WATCH_LIST": Outcome.REFER}


def test_a_related_party_in_default_refers() -> None:
    assert hits(with_(related_party_in_default=True)) == {"RELATED_PARTY_DEFAULT": Outcome.REFER}


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [
        (30, {}),
        (31, {"DPD_OVER_30": Outcome.REFER}),
        (90, {"DPD_OVER_30": Outcome.REFER}),
        (91, {"DPD_OVER_90": Outcome.DECLINE, "DPD_OVER_30": Outcome.REFER}),
    ],
)
def test_dpd_history_over_90_declines_over_30_refers(
    dpd: int, expected: dict[str, Outcome]
) -> None:
    assert hits(with_(max_dpd=dpd)) == expected


@pytest.mark.parametrize(
    ("dti", "expected"),
    [
        ("0.5000", {}),
        ("0.5001", {"DTI_OVER_50": Outcome.REFER}),
        ("0.7000", {"DTI_OVER_50": Outcome.REFER}),
        ("0.7001", {"DTI_OVER_70": Outcome.DECLINE, "DTI_OVER_50": Outcome.REFER}),
    ],
)
def test_dti_above_50_refers_above_70_declines(dti: str, expected: dict[str, Outcome]) -> None:
    assert hits(with_(dti=D(dti))) == expected


def test_an_unknown_dti_refers_with_input_missing() -> None:
    found = evaluate_rules(DEFAULT_RULES, with_(dti=None), grade="B")
    assert [(h.code, h.outcome, h.message) for h in found] == [
        ("DTI_OVER_50", Outcome.REFER, "input missing")
    ]


@pytest.mark.parametrize(
    ("code", "excluded"),
    [("K70", True), ("K7010", True), ("k7020", True), ("J6711", True), ("K69", False),
     ("J66", False), ("C1310", False)],
)  # fmt: skip
def test_excluded_industries_match_by_prefix(code: str, excluded: bool) -> None:
    assert industry_matches(code, ["K70", "J67"]) is excluded
    expected = {"INDUSTRY_EXCLUDED": Outcome.DECLINE} if excluded else {}
    assert hits(with_(industry_code=code)) == expected


def test_amount_above_the_product_maximum_declines() -> None:
    assert hits(with_(amount=D("200000"))) == {}
    assert hits(with_(amount=D("200000.01"))) == {"OVER_PRODUCT_MAX": Outcome.DECLINE}


def test_amount_above_the_office_maximum_refers() -> None:
    assert hits(with_(office_max_amount=D("100000"))) == {}
    assert hits(with_(office_max_amount=D("99999.99"))) == {"OVER_OFFICE_MAX": Outcome.REFER}


def test_a_product_for_enterprises_declines_an_individual() -> None:
    assert hits(with_(eligible_kinds=["enterprise"])) == {"KIND_NOT_ELIGIBLE": Outcome.DECLINE}


def test_grade_e_refers() -> None:
    assert hits(CLEAN, grade="E") == {"GRADE_E": Outcome.REFER}


def test_a_hit_names_the_input_it_read() -> None:
    (hit,) = evaluate_rules(DEFAULT_RULES, with_(age=70), grade="A")
    assert (hit.field, hit.value, hit.message) == ("age", "70", "age 70 is outside 18-65")


def test_a_disabled_rule_does_not_fire() -> None:
    rules = (Rule("BL", "listed", Outcome.DECLINE, {"list": "black"}, enabled=False),)
    assert evaluate_rules(rules, with_(blacklisted=True), grade="A") == ()


def test_the_defaults_survive_their_document() -> None:
    assert parse_rules([rule.to_document() for rule in DEFAULT_RULES]) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([{"code": "A", "kind": "nope", "outcome": "refer"}], "rules[0].kind"),
        ([{"code": "A", "kind": "listed", "outcome": "maybe", "params": {"list": "black"}}],
         "rules[0].outcome"),
        ([{"code": "A", "kind": "listed", "outcome": "refer", "params": {"list": "grey"}}],
         "rules[0].params.list"),
        ([{"code": "A", "kind": "age_range", "outcome": "refer", "params": {"min": 70, "max": 60}}],
         "rules[0].params.min"),
        ([{"code": "A", "kind": "dti", "outcome": "refer", "params": {"above": 0.5}}],
         "rules[0].params.above"),
        ([{"code": "A", "kind": "related_party_default", "outcome": "refer"},
          {"code": "a", "kind": "related_party_default", "outcome": "refer"}], "rules[1].code"),
    ],
)  # fmt: skip
def test_a_bad_rule_names_its_place(document: list[dict[str, object]], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_rules(document)
    assert refused.value.field == field


# Everything fires: the hits' sentences as decisions have stored them (a replay of an older
# decision compares them word for word).
EVERYTHING = Facts(customer_kind="individual", amount=D("100000"), age=70, dti=D("0.8000"),
                   max_dpd=120, blacklisted=True, watchlisted=True, related_party_in_default=True,
                   industry_code="K7010", product_max_amount=D("99999.99"),
                   office_max_amount=D("50000"), eligible_kinds=("enterprise",))  # fmt: skip
STORED = {
    "AGE_RANGE": "age 70 is outside 18-65",
    "BLACKLISTED": "the applicant is on the blacklist",
    "WATCH_LIST": "the applicant is on the watch list",
    "RELATED_PARTY_DEFAULT": "a related party is in default",
    "DPD_OVER_90": "days past due in the history 120 > 90",
    "DPD_OVER_30": "days past due in the history 120 > 30",
    "DTI_OVER_70": "DTI 0.8000 > 0.70",
    "DTI_OVER_50": "DTI 0.8000 > 0.50",
    "INDUSTRY_EXCLUDED": "industry K7010 is excluded",
    "OVER_PRODUCT_MAX": "amount 100000 > product maximum 99999.99",
    "OVER_OFFICE_MAX": "amount 100000 > office maximum 50000",
    "KIND_NOT_ELIGIBLE": "the product does not lend to individual",
    "GRADE_E": "scorecard grade E",
}


def test_the_hits_say_what_decisions_have_stored() -> None:
    fired = evaluate_rules(DEFAULT_RULES, EVERYTHING, grade="E")
    assert {hit.code: hit.message for hit in fired} == STORED


def test_a_stored_hit_message_is_read_back_for_the_catalog() -> None:
    """The decision page shows a stored sentence in the reader's language: it reads the template
    and its values back; every template is marked for the catalog."""
    assert set(HIT_MESSAGES.values()) == set(pages_decision.HIT_MESSAGES)
    for message in [*STORED.values(), HIT_MESSAGES["missing"]]:
        read = read_hit_message(message)
        assert read is not None, message
        template, values = read
        assert template % values == message
    assert read_hit_message("age 70 is outside 18-65")[1] == {"age": "70", "min": "18", "max": "65"}  # type: ignore[index]
    assert read_hit_message("a sentence a user wrote") is None

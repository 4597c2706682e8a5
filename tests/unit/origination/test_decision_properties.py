"""Properties of the evaluation: the outcome is the worst of what fired, and evaluating the stored
document of the inputs gives the same result (what a replay relies on)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microlend.origination.decision_evaluation import Evaluation, Pricing, evaluate
from microlend.origination.decision_model import SEVERITY, Facts, Outcome
from microlend.origination.limits_model import Exposures, LimitSettings
from microlend.origination.rules_model import DEFAULT_RULES
from microlend.origination.scorecards_model import DEFAULTS, parse_scorecard

CARDS = {kind: parse_scorecard(document) for kind, document in DEFAULTS.items()}
# Cheap draws (whole numbers scaled), so that generation keeps up on a loaded machine.
money = st.integers(0, 1_000_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
ratio = st.integers(0, 30_000).map(lambda units: Decimal(units).scaleb(-4))
PATIENT = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> tuple[Facts, Exposures]:
    kind = draw(st.sampled_from(["individual", "enterprise"]))
    amount = draw(money) + Decimal("0.01")
    facts = Facts(
        customer_kind=kind, amount=amount,
        age=draw(st.none() | st.integers(0, 100)),
        education=draw(st.none() | st.sampled_from(["本科", "硕士", "高中", "master"])),
        marital_status=draw(st.none() | st.sampled_from(["已婚", "single", "离异"])),
        monthly_income=draw(st.none() | money), dti=draw(st.none() | ratio),
        years_in_business=draw(st.none() | st.integers(0, 50)),
        industry_code=draw(st.none() | st.sampled_from(["K7010", "J6711", "C1310", "F51"])),
        debt_ratio=draw(st.none() | ratio), group_exposure=draw(money),
        blacklisted=draw(st.booleans()), watchlisted=draw(st.booleans()),
        related_party_in_default=draw(st.booleans()), max_dpd=draw(st.integers(0, 400)),
        product_max_amount=draw(st.none() | money), office_max_amount=draw(st.none() | money),
        eligible_kinds=draw(st.sampled_from([(), ("individual",), ("enterprise",)])),
    )  # fmt: skip
    exposures = Exposures(draw(money), draw(money), facts.group_exposure, amount, office_id=1)
    return facts, exposures


PRICING = Pricing(Decimal(6), Decimal(24), Decimal(12), {"A": Decimal(8), "E": Decimal(30)})


def run(facts: Facts, exposures: Exposures, pricing: Pricing) -> Evaluation:
    card = CARDS[facts.customer_kind]
    return evaluate(rules=DEFAULT_RULES, scorecard=card, limits=LimitSettings(), facts=facts,
                    exposures=exposures, pricing=pricing)  # fmt: skip


@PATIENT
@given(cases())
def test_the_outcome_is_the_worst_of_hits_and_breaches(case: tuple[Facts, Exposures]) -> None:
    facts, exposures = case
    result = run(facts, exposures, PRICING)
    fired = [hit.outcome for hit in result.hits] + [
        Outcome.REFER for check in result.checks if not check.ok
    ]
    assert SEVERITY[result.outcome] == max((SEVERITY[o] for o in fired), default=0)
    assert Decimal(6) <= result.suggested_rate <= Decimal(24)
    assert result.scored.score == CARDS[facts.customer_kind].base_points + sum(
        p.points for p in result.scored.points
    )


@PATIENT
@given(cases())
def test_the_stored_inputs_evaluate_to_the_same_result(case: tuple[Facts, Exposures]) -> None:
    facts, exposures = case
    stored = (Facts.from_document(facts.to_document()),
              Exposures.from_document(exposures.to_document()),
              Pricing.from_document(PRICING.to_document()))  # fmt: skip
    assert run(*stored) == run(facts, exposures, PRICING)

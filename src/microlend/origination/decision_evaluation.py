"""One evaluation of an application, pure (kernel only): score, rules, limits, outcome, pricing.

``decision.decide`` gathers the inputs and stores what ``evaluate`` returns; ``replay_decision``
calls ``evaluate`` again on the stored inputs with the stored rule set, scorecard and limit
settings, and compares. The order: the scorecard first (the ``grade_in`` rule reads the grade),
then the rules, then the limits; the outcome is the worst of rule hits and limit breaches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from microlend.origination.decision_model import (
    Facts,
    LimitCheck,
    Outcome,
    RuleHit,
    decimal_of,
    optional_decimal,
    worst,
)
from microlend.origination.limits_model import Exposures, LimitSettings, breaches, limit_checks
from microlend.origination.rules_model import Rule, evaluate_rules
from microlend.origination.scorecards_model import Scorecard, Scored, score


@dataclass(frozen=True)
class Pricing:
    """The product's rate range and its rate per grade (annual nominal percent)."""

    min_rate: Decimal | None
    max_rate: Decimal | None
    requested_rate: Decimal
    grade_rates: Mapping[str, Decimal] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        rates = {grade: str(rate) for grade, rate in sorted(self.grade_rates.items())}
        return {"min_rate": None if self.min_rate is None else str(self.min_rate),
                "max_rate": None if self.max_rate is None else str(self.max_rate),
                "requested_rate": str(self.requested_rate), "grade_rates": rates}  # fmt: skip

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Pricing:
        return cls(
            optional_decimal(document.get("min_rate"), field="min_rate"),
            optional_decimal(document.get("max_rate"), field="max_rate"),
            decimal_of(document["requested_rate"], field="requested_rate"),
            {str(k): decimal_of(v, field="grade_rates") for k, v in
             (document.get("grade_rates") or {}).items()},
        )  # fmt: skip


def suggested_rate(grade: str, pricing: Pricing) -> Decimal:
    """The product's rate for the grade (the requested rate when the product prices no such
    grade), clamped into the product's range [min_rate, max_rate]."""
    rate = pricing.grade_rates.get(grade, pricing.requested_rate)
    if pricing.min_rate is not None and rate < pricing.min_rate:
        rate = pricing.min_rate
    if pricing.max_rate is not None and rate > pricing.max_rate:
        rate = pricing.max_rate
    return rate


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    hits: tuple[RuleHit, ...]
    scored: Scored
    checks: tuple[LimitCheck, ...]
    suggested_rate: Decimal


def evaluate(
    *,
    rules: Sequence[Rule],
    scorecard: Scorecard,
    limits: LimitSettings,
    facts: Facts,
    exposures: Exposures,
    pricing: Pricing,
) -> Evaluation:
    scored = score(scorecard, facts)
    hits = evaluate_rules(rules, facts, grade=scored.grade)
    checks = limit_checks(limits, exposures)
    outcome = worst([*(hit.outcome for hit in hits), *breaches(limits, checks)])
    return Evaluation(outcome, hits, scored, checks, suggested_rate(scored.grade, pricing))

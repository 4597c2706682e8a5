"""Policy rules as data (pure, kernel only): each rule has a reason code, a kind, parameters and
the outcome it gives when it fires (``decline`` = knock-out, ``refer`` = to manual review, or
``pass`` = noted only). A company's rules form a versioned rule set; ``evaluate_rules`` runs them.

Kinds and their parameters:

===========================  =======================================================================
``age_range``                ``min``, ``max`` (years), ``customer_kinds`` (default: individual)
``listed``                   ``list``: ``black`` or ``watch`` (the group's lists, by identity)
``related_party_default``    none: someone in the applicant's related-party group is in default
``max_dpd``                  ``above``: the worst days past due in the history exceeds it
``dti``                      ``above``: a ratio (``"0.50"`` = 50%) of DTI after the loan
``industry_excluded``        ``codes``: GB/T 4754 codes; a code matches every code it prefixes
``amount_above_product_max`` none: the amount asked exceeds the product's maximum
``amount_above_office_max``  none: the amount exceeds the office's single-loan maximum
``customer_kind_not_eligible`` none: the product does not lend to this kind of customer
``grade_in``                 ``grades``: the scorecard grades that fire the rule (e.g. ``["E"]``)
===========================  =======================================================================

Any rule may say ``when_missing`` (an outcome): what it gives when its input is unknown
(no birth date, no income...). Without it, a rule with a missing input does not fire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from microlend.kernel.errors import ValidationFailed
from microlend.origination.decision_model import (
    Facts,
    Outcome,
    RuleHit,
    checked_outcome,
    decimal_of,
)

MISSING = object()  # an input the rule needs is unknown

# The sentences of the hits, stored in English (``RuleHit.message``); the decision page reads a
# stored one back (``read_hit_message``) to show it in the reader's language. Changing one
# changes what a replay of an older decision compares, so add, do not reword.
HIT_MESSAGES = {
    "age_range": "age %(age)s is outside %(min)s-%(max)s",
    "blacklist": "the applicant is on the blacklist",
    "watch_list": "the applicant is on the watch list",
    "related_party_default": "a related party is in default",
    "max_dpd": "days past due in the history %(dpd)s > %(above)s",
    "dti": "DTI %(dti)s > %(above)s",
    "industry_excluded": "industry %(code)s is excluded",
    "product": "amount %(amount)s > product maximum %(maximum)s",
    "office": "amount %(amount)s > office maximum %(maximum)s",
    "customer_kind_not_eligible": "the product does not lend to %(kind)s",
    "grade_in": "scorecard grade %(grade)s",
    "missing": "input missing",
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                              for i, p in enumerate(parts)))  # fmt: skip


_PATTERNS = tuple((template, _pattern(template)) for template in HIT_MESSAGES.values())


def read_hit_message(message: str) -> tuple[str, dict[str, str]] | None:
    """The template of a stored hit message and its values (None: not one of ``HIT_MESSAGES``)."""
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return template, found.groupdict()
    return None


def _said(key: str, **values: object) -> str:
    return HIT_MESSAGES[key] % {name: str(value) for name, value in values.items()}


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    outcome: Outcome
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    when_missing: Outcome | None = None

    def to_document(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "outcome": self.outcome.value,
                "params": dict(self.params), "enabled": self.enabled,
                "when_missing": self.when_missing.value if self.when_missing else None}  # fmt: skip


# A check returns None (passes), MISSING, or (message, field, value) when it fires.
Fired = tuple[str, str, str]
Check = Callable[[Mapping[str, Any], Facts, str], "Fired | object | None"]


def _age_range(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | object | None:
    if facts.customer_kind not in params.get("customer_kinds", ["individual"]):
        return None
    if facts.age is None:
        return MISSING
    low, high = int(params["min"]), int(params["max"])
    if low <= facts.age <= high:
        return None
    return _said("age_range", age=facts.age, min=low, max=high), "age", str(facts.age)


def _listed(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | None:
    black = params["list"] == "black"
    if facts.blacklisted if black else facts.watchlisted:
        return _said("blacklist" if black else "watch_list"), "list", str(params["list"])
    return None


def _related_default(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | None:
    if facts.related_party_in_default:
        return _said("related_party_default"), "related_party_in_default", "true"
    return None


def _max_dpd(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | None:
    above = int(params["above"])
    if facts.max_dpd > above:
        return _said("max_dpd", dpd=facts.max_dpd, above=above), "max_dpd", str(facts.max_dpd)
    return None


def _dti(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | object | None:
    if facts.dti is None:
        return MISSING
    above = decimal_of(params["above"], field="above")
    if facts.dti > above:
        return _said("dti", dti=facts.dti, above=above), "dti", str(facts.dti)
    return None


def industry_matches(code: str, excluded: Sequence[str]) -> bool:
    """A customer's code matches an excluded code it starts with (``K7010`` matches ``K70``)."""
    normal = code.strip().upper()
    return any(normal.startswith(str(prefix).strip().upper()) for prefix in excluded if prefix)


def _industry(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | object | None:
    if not facts.industry_code:
        return MISSING if facts.customer_kind == "enterprise" else None
    if industry_matches(facts.industry_code, params.get("codes", [])):
        code = facts.industry_code
        return _said("industry_excluded", code=code), "industry_code", code
    return None


def _above(amount: Decimal, ceiling: Decimal | None, what: str, name: str) -> Fired | object:
    if ceiling is None:
        return MISSING
    if amount > ceiling:
        return _said(what, amount=amount, maximum=ceiling), name, str(amount)
    return None


def _product_max(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | object | None:
    return _above(facts.amount, facts.product_max_amount, "product", "amount")


def _office_max(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | object | None:
    return _above(facts.amount, facts.office_max_amount, "office", "amount")


def _kind(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | None:
    if facts.eligible_kinds and facts.customer_kind not in facts.eligible_kinds:
        kind = facts.customer_kind
        return _said("customer_kind_not_eligible", kind=kind), "customer_kind", kind
    return None


def _grade(params: Mapping[str, Any], facts: Facts, grade: str) -> Fired | None:
    if grade in params.get("grades", []):
        return _said("grade_in", grade=grade), "grade", grade
    return None


CHECKS: dict[str, Check] = {
    "age_range": _age_range,
    "listed": _listed,
    "related_party_default": _related_default,
    "max_dpd": _max_dpd,
    "dti": _dti,
    "industry_excluded": _industry,
    "amount_above_product_max": _product_max,
    "amount_above_office_max": _office_max,
    "customer_kind_not_eligible": _kind,
    "grade_in": _grade,
}
RULE_KINDS = tuple(CHECKS)


def evaluate_rules(rules: Sequence[Rule], facts: Facts, *, grade: str) -> tuple[RuleHit, ...]:
    """The hits of the enabled rules, in rule order."""
    hits: list[RuleHit] = []
    for rule in rules:
        if not rule.enabled:
            continue
        result = CHECKS[rule.kind](rule.params, facts, grade)
        if result is None:
            continue
        if result is MISSING:
            if rule.when_missing is not None:
                hits.append(RuleHit(rule.code, rule.when_missing, _said("missing"), None, None))
            continue
        assert isinstance(result, tuple)
        message, name, value = result
        hits.append(RuleHit(rule.code, rule.outcome, message, name, value))
    return tuple(hits)


# --- parsing and the defaults --------------------------------------------------------------------


def _checked_params(kind: str, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    params = dict(raw)
    if kind == "age_range":
        for name in ("min", "max"):
            value = params.get(name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
                raise ValidationFailed("an age in years, 0 to 150", field=f"{where}.{name}")
        if params["min"] > params["max"]:
            raise ValidationFailed("min is above max", field=f"{where}.min")
        kinds = params.setdefault("customer_kinds", ["individual"])
        if not isinstance(kinds, list) or not set(kinds) <= {"individual", "enterprise"}:
            raise ValidationFailed("individual and/or enterprise", field=f"{where}.customer_kinds")
    elif kind == "listed":
        if params.get("list") not in ("black", "watch"):
            raise ValidationFailed("black or watch", field=f"{where}.list")
    elif kind == "max_dpd":
        above = params.get("above")
        if isinstance(above, bool) or not isinstance(above, int) or above < 0:
            raise ValidationFailed("a number of days, 0 or more", field=f"{where}.above")
    elif kind == "dti":
        above = decimal_of(params.get("above"), field=f"{where}.above")
        if above < 0:
            raise ValidationFailed("a ratio, 0 or more", field=f"{where}.above")
        params["above"] = str(above)
    elif kind in ("industry_excluded", "grade_in"):
        name = "codes" if kind == "industry_excluded" else "grades"
        values = params.get(name)
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise ValidationFailed("a list of codes", field=f"{where}.{name}")
        params[name] = [value.strip().upper() for value in values]
    return params


def parse_rules(document: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """A rule set from its JSON document; every error names the rule (``rules[3].params.min``)."""
    rules: list[Rule] = []
    codes: set[str] = set()
    for index, raw in enumerate(document):
        where = f"rules[{index}]"
        code = str(raw.get("code") or "").strip().upper()
        if not code or len(code) > 40:
            raise ValidationFailed("a reason code of 1 to 40 characters", field=f"{where}.code")
        if code in codes:
            raise ValidationFailed(
                "reason code %(code)s is used twice", field=f"{where}.code", params={"code": code}
            )
        codes.add(code)
        kind = str(raw.get("kind") or "")
        if kind not in CHECKS:
            raise ValidationFailed(
                "one of %(rule_kinds)s",
                field=f"{where}.kind",
                params={"rule_kinds": ", ".join(RULE_KINDS)},
            )
        missing = raw.get("when_missing")
        rules.append(
            Rule(
                code=code,
                kind=kind,
                outcome=checked_outcome(raw.get("outcome"), field=f"{where}.outcome"),
                params=_checked_params(kind, raw.get("params") or {}, f"{where}.params"),
                enabled=bool(raw.get("enabled", True)),
                when_missing=None
                if missing in (None, "")
                else checked_outcome(missing, field=f"{where}.when_missing"),
            )
        )
    return tuple(rules)


D, R = Outcome.DECLINE, Outcome.REFER
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("AGE_RANGE", "age_range", D, {"min": 18, "max": 65, "customer_kinds": ["individual"]},
         when_missing=R),
    Rule("BLACKLISTED", "listed", D, {"list": "black"}),
    Rule("WATCH_LIST", "listed", R, {"list": "watch"}),
    Rule("RELATED_PARTY_DEFAULT", "related_party_default", R),
    Rule("DPD_OVER_90", "max_dpd", D, {"above": 90}),
    Rule("DPD_OVER_30", "max_dpd", R, {"above": 30}),
    Rule("DTI_OVER_70", "dti", D, {"above": "0.70"}),
    Rule("DTI_OVER_50", "dti", R, {"above": "0.50"}, when_missing=R),
    Rule("INDUSTRY_EXCLUDED", "industry_excluded", D, {"codes": ["K70", "J67"]}),
    Rule("OVER_PRODUCT_MAX", "amount_above_product_max", D),
    Rule("OVER_OFFICE_MAX", "amount_above_office_max", R),
    Rule("KIND_NOT_ELIGIBLE", "customer_kind_not_eligible", D),
    Rule("GRADE_E", "grade_in", R, {"grades": ["E"]}),
)  # fmt: skip

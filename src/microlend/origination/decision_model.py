"""The automated decision, pure (kernel only): its inputs (``Facts``), rule hits, limit checks,
outcomes and the decision view.

A decision is the worst outcome of its rule hits and limit breaches (``decline`` > ``refer`` >
``pass``). Every input is kept as a JSON document (``Facts.to_document``) so that a stored
decision can be evaluated again with the rule set, scorecard and limit settings it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from microlend.kernel.errors import ValidationFailed


class Outcome(StrEnum):
    PASS = "pass"
    REFER = "refer"
    DECLINE = "decline"


SEVERITY = {Outcome.PASS: 0, Outcome.REFER: 1, Outcome.DECLINE: 2}


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The most severe outcome (``pass`` when there is none)."""
    return max(outcomes, key=SEVERITY.__getitem__, default=Outcome.PASS)


def checked_outcome(raw: object, *, field: str) -> Outcome:
    try:
        return Outcome(str(raw))
    except ValueError:
        raise ValidationFailed("pass, refer or decline", field=field) from None


def decimal_of(raw: object, *, field: str) -> Decimal:
    """A finite ``Decimal`` from a JSON value (strings and integers; never a float)."""
    if isinstance(raw, (bool, float)):
        raise ValidationFailed("a decimal number written as text", field=field)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed("a decimal number", field=field) from None
    if not value.is_finite():
        raise ValidationFailed("a finite decimal number", field=field)
    return value


def optional_decimal(raw: object, *, field: str) -> Decimal | None:
    return None if raw is None or raw == "" else decimal_of(raw, field=field)


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day`` (a birthday on 29 February counts from 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


RATIO_PLACES = Decimal("0.0001")


def debt_to_income(
    *, existing_payments: Decimal, new_installment: Decimal, monthly_income: Decimal | None
) -> Decimal | None:
    """DTI after the loan: (monthly debt payments + the new installment) / monthly income, to 4
    places (half up); ``None`` when the income is unknown or not positive."""
    if monthly_income is None or monthly_income <= 0:
        return None
    ratio = (existing_payments + new_installment) / monthly_income
    return ratio.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Facts:
    """Every input the rules and the scorecard read, as of the decision's business date."""

    customer_kind: str  # individual | enterprise
    amount: Decimal
    age: int | None = None
    education: str | None = None
    marital_status: str | None = None
    monthly_income: Decimal | None = None
    dti: Decimal | None = None
    years_in_business: int | None = None
    industry_code: str | None = None
    debt_ratio: Decimal | None = None
    own_exposure: Decimal = Decimal(0)
    group_exposure: Decimal = Decimal(0)
    blacklisted: bool = False
    watchlisted: bool = False
    related_party_in_default: bool = False
    max_dpd: int = 0
    product_max_amount: Decimal | None = None
    office_max_amount: Decimal | None = None
    eligible_kinds: tuple[str, ...] = ()

    @property
    def industry_section(self) -> str | None:
        """The GB/T 4754 section letter of the industry (``K`` of ``K7010``)."""
        return self.industry_code[0] if self.industry_code else None

    def value_of(self, name: str) -> object:
        """A characteristic by name (a field, or ``industry_section``); ``KeyError`` if unknown."""
        if name == "industry_section":
            return self.industry_section
        if name not in FACT_NAMES:
            raise KeyError(name)
        value: object = getattr(self, name)
        return value

    def to_document(self) -> dict[str, Any]:
        """JSON-able: decimals as text, the tuple as a list."""
        document: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            document[spec.name] = value
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Facts:
        values: dict[str, Any] = {}
        for name in FACT_NAMES:
            if name not in document:
                continue
            raw = document[name]
            if name in DECIMAL_FACTS:
                values[name] = optional_decimal(raw, field=name)
            elif name == "eligible_kinds":
                values[name] = tuple(str(kind) for kind in raw or ())
            else:
                values[name] = raw
        return cls(**values)


FACT_NAMES = (
    "customer_kind", "amount", "age", "education", "marital_status", "monthly_income", "dti",
    "years_in_business", "industry_code", "debt_ratio", "own_exposure", "group_exposure",
    "blacklisted", "watchlisted", "related_party_in_default", "max_dpd", "product_max_amount",
    "office_max_amount", "eligible_kinds",
)  # fmt: skip
DECIMAL_FACTS = frozenset(
    {"amount", "monthly_income", "dti", "debt_ratio", "own_exposure", "group_exposure",
     "product_max_amount", "office_max_amount"}
)  # fmt: skip
# What a scorecard may score: every fact but the flags and limits the rules handle.
SCORABLE = ("age", "education", "marital_status", "monthly_income", "dti", "years_in_business",
            "industry_code", "industry_section", "debt_ratio", "own_exposure", "group_exposure",
            "max_dpd", "amount")  # fmt: skip


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired: its reason code, outcome, a message, and the input it looked at."""

    code: str
    outcome: Outcome
    message: str
    field: str | None = None
    value: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {"code": self.code, "outcome": self.outcome.value, "message": self.message,
                "field": self.field, "value": self.value}  # fmt: skip

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RuleHit:
        return cls(str(document["code"]), Outcome(document["outcome"]), str(document["message"]),
                   document.get("field"), document.get("value"))  # fmt: skip


@dataclass(frozen=True)
class LimitCheck:
    """One limit: the limit, the exposure now, the amount asked for, the headroom left before
    this loan (``limit - current_exposure``) and whether the request fits in it."""

    kind: str  # single_borrower | related_group | product | office
    limit: Decimal
    current_exposure: Decimal
    requested: Decimal
    headroom: Decimal
    ok: bool

    def to_document(self) -> dict[str, Any]:
        return {"kind": self.kind, "limit": str(self.limit),
                "current_exposure": str(self.current_exposure), "requested": str(self.requested),
                "headroom": str(self.headroom), "ok": self.ok}  # fmt: skip

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> LimitCheck:
        return cls(
            kind=str(document["kind"]),
            limit=decimal_of(document["limit"], field="limit"),
            current_exposure=decimal_of(document["current_exposure"], field="current_exposure"),
            requested=decimal_of(document["requested"], field="requested"),
            headroom=decimal_of(document["headroom"], field="headroom"),
            ok=bool(document["ok"]),
        )


@dataclass(frozen=True)
class CharacteristicPoints:
    """What one characteristic of the scorecard gave: the value scored, its bin and points."""

    name: str
    value: str | None
    bin_label: str
    points: int

    def to_document(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "bin": self.bin_label,
                "points": self.points}  # fmt: skip

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CharacteristicPoints:
        return cls(str(document["name"]), document.get("value"), str(document["bin"]),
                   int(document["points"]))  # fmt: skip


@dataclass(frozen=True)
class DecisionView:
    """A stored decision. ``points`` lists the scorecard's points per characteristic;
    ``matches`` is set by a replay: did evaluating the stored inputs again give the same?"""

    id: int
    application_id: int
    outcome: str
    reasons: tuple[RuleHit, ...]
    score: int
    grade: str
    suggested_rate: Decimal
    limit_checks: tuple[LimitCheck, ...]
    inputs: dict[str, Any]
    decided_at: datetime
    points: tuple[CharacteristicPoints, ...] = ()
    base_points: int = 0
    rule_set_version: int = 0
    scorecard_version: int = 0
    scorecard_name: str = ""
    decided_by: int | None = None
    matches: bool | None = None

"""Scorecards (评分卡), pure (kernel only): a points table — base points plus, per characteristic,
the points of the bin its value falls in — and grade bands that turn the score into A..E.

A scorecard is a JSON document::

    {"name": "...", "customer_kind": "individual", "base_points": 500,
     "characteristics": [
        {"name": "age", "missing_points": 0, "bins": [
            {"label": "25-34", "lower": "25", "upper": "35", "points": 20}, ...]},
        {"name": "education", "bins": [
            {"label": "bachelor", "values": ["本科", "bachelor"], "points": 30}, ...]}],
     "grades": [{"grade": "A", "min_score": 660}, ..., {"grade": "E", "min_score": 0}]}

A numeric bin holds ``lower <= value < upper`` (either end may be open: ``null``); a categorical
bin lists its values (compared case-insensitively). A value in no bin, or a missing value, scores
``missing_points``. The score is below every band's ``min_score``: the last (worst) grade.

The default scorecards below are ILLUSTRATIVE: points chosen by hand to be plausible, not fitted to
any portfolio. The risk context trains and deploys real ones (``deploy_scorecard``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from microlend.kernel.errors import ValidationFailed
from microlend.origination.decision_model import (
    SCORABLE,
    CharacteristicPoints,
    Facts,
    optional_decimal,
)


@dataclass(frozen=True)
class Bin:
    label: str
    points: int
    lower: Decimal | None = None
    upper: Decimal | None = None
    values: tuple[str, ...] = ()

    def holds(self, value: object) -> bool:
        if self.values:
            return str(value).strip().casefold() in {v.casefold() for v in self.values}
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return False
        number = Decimal(value)
        return (self.lower is None or number >= self.lower) and (
            self.upper is None or number < self.upper
        )


@dataclass(frozen=True)
class Characteristic:
    name: str
    bins: tuple[Bin, ...]
    missing_points: int = 0


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_score: int


@dataclass(frozen=True)
class Scorecard:
    name: str
    customer_kind: str
    base_points: int
    characteristics: tuple[Characteristic, ...]
    grades: tuple[GradeBand, ...]  # best first (highest min_score first)


@dataclass(frozen=True)
class Scored:
    score: int
    grade: str
    points: tuple[CharacteristicPoints, ...]


def _shown(value: object) -> str | None:
    return None if value is None else str(value)


def points_of(characteristic: Characteristic, value: object) -> CharacteristicPoints:
    if value is None or value == "":
        return CharacteristicPoints(characteristic.name, None, "missing",
                                    characteristic.missing_points)  # fmt: skip
    for candidate in characteristic.bins:
        if candidate.holds(value):
            return CharacteristicPoints(characteristic.name, _shown(value), candidate.label,
                                        candidate.points)  # fmt: skip
    return CharacteristicPoints(characteristic.name, _shown(value), "other",
                                characteristic.missing_points)  # fmt: skip


def grade_of(score: int, grades: Sequence[GradeBand]) -> str:
    for band in grades:
        if score >= band.min_score:
            return band.grade
    return grades[-1].grade


def score(card: Scorecard, facts: Facts) -> Scored:
    """Base points plus each characteristic's points; the grade of the total."""
    points = tuple(points_of(c, facts.value_of(c.name)) for c in card.characteristics)
    total = card.base_points + sum(p.points for p in points)
    return Scored(total, grade_of(total, card.grades), points)


# --- parsing -------------------------------------------------------------------------------------


def _int(raw: object, *, field: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationFailed("a whole number of points", field=field)
    return raw


def _bin(raw: Mapping[str, Any], where: str) -> Bin:
    label = str(raw.get("label") or "").strip()
    if not label:
        raise ValidationFailed("every bin has a label", field=f"{where}.label")
    points = _int(raw.get("points"), field=f"{where}.points")
    values = raw.get("values")
    if values is not None:
        if not isinstance(values, list) or not values:
            raise ValidationFailed("a list of values", field=f"{where}.values")
        return Bin(label, points, values=tuple(str(v).strip() for v in values))
    lower = optional_decimal(raw.get("lower"), field=f"{where}.lower")
    upper = optional_decimal(raw.get("upper"), field=f"{where}.upper")
    if lower is not None and upper is not None and lower >= upper:
        raise ValidationFailed("lower must be below upper", field=f"{where}.upper")
    return Bin(label, points, lower, upper)


def parse_scorecard(document: Mapping[str, Any]) -> Scorecard:
    """A scorecard from its JSON document; every error names its place (``characteristics[1]``)."""
    name = str(document.get("name") or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("a name of 1 to 100 characters", field="name")
    kind = document.get("customer_kind")
    if kind not in ("individual", "enterprise"):
        raise ValidationFailed("individual or enterprise", field="customer_kind")
    characteristics: list[Characteristic] = []
    for index, raw in enumerate(document.get("characteristics") or []):
        where = f"characteristics[{index}]"
        if raw.get("name") not in SCORABLE:
            raise ValidationFailed(
                "one of %(scorable)s",
                field=f"{where}.name",
                params={"scorable": ", ".join(SCORABLE)},
            )
        bins = tuple(_bin(b, f"{where}.bins[{i}]") for i, b in enumerate(raw.get("bins") or []))
        if not bins:
            raise ValidationFailed("a characteristic has bins", field=f"{where}.bins")
        missing = _int(raw.get("missing_points", 0), field=f"{where}.missing_points")
        characteristics.append(Characteristic(str(raw["name"]), bins, missing))
    grades = tuple(
        GradeBand(str(g.get("grade") or "").strip().upper(),
                  _int(g.get("min_score"), field=f"grades[{i}].min_score"))
        for i, g in enumerate(document.get("grades") or [])
    )  # fmt: skip
    if not grades or any(not band.grade or len(band.grade) > 2 for band in grades):
        raise ValidationFailed("grade bands like A..E with their minimum scores", field="grades")
    if len({band.grade for band in grades}) != len(grades):
        raise ValidationFailed("a grade is named twice", field="grades")
    ordered = tuple(sorted(grades, key=lambda band: -band.min_score))
    return Scorecard(name, str(kind), _int(document.get("base_points"), field="base_points"),
                     tuple(characteristics), ordered)  # fmt: skip


def scorecard_document(card: Scorecard) -> dict[str, Any]:
    def bin_document(item: Bin) -> dict[str, Any]:
        if item.values:
            return {"label": item.label, "values": list(item.values), "points": item.points}
        return {"label": item.label, "points": item.points,
                "lower": None if item.lower is None else str(item.lower),
                "upper": None if item.upper is None else str(item.upper)}  # fmt: skip

    return {
        "name": card.name,
        "customer_kind": card.customer_kind,
        "base_points": card.base_points,
        "characteristics": [{"name": c.name, "missing_points": c.missing_points,
                             "bins": [bin_document(b) for b in c.bins]}
                            for c in card.characteristics],
        "grades": [{"grade": g.grade, "min_score": g.min_score} for g in card.grades],
    }  # fmt: skip


# --- the illustrative defaults -------------------------------------------------------------------


def _range(label: str, lower: str | None, upper: str | None, points: int) -> dict[str, Any]:
    return {"label": label, "lower": lower, "upper": upper, "points": points}


def _values(label: str, values: list[str], points: int) -> dict[str, Any]:
    return {"label": label, "values": values, "points": points}


GRADES = [{"grade": "A", "min_score": 660}, {"grade": "B", "min_score": 620},
          {"grade": "C", "min_score": 580}, {"grade": "D", "min_score": 540},
          {"grade": "E", "min_score": 0}]  # fmt: skip
DTI_BINS = [_range("<30%", None, "0.30", 50), _range("30-50%", "0.30", "0.50", 25),
            _range("50-70%", "0.50", "0.70", 0), _range(">=70%", "0.70", None, -30)]  # fmt: skip
DPD_BINS = [_range("0", None, "1", 30), _range("1-30", "1", "31", 10),
            _range("31-90", "31", "91", -20), _range(">90", "91", None, -60)]  # fmt: skip

DEFAULT_INDIVIDUAL: dict[str, Any] = {
    "name": "Default individual scorecard (illustrative)",
    "customer_kind": "individual",
    "base_points": 500,
    "characteristics": [
        {"name": "age", "bins": [
            _range("<25", None, "25", 0), _range("25-34", "25", "35", 20),
            _range("35-49", "35", "50", 35), _range("50-59", "50", "60", 20),
            _range(">=60", "60", None, 5)]},
        {"name": "education", "bins": [
            _values("postgraduate", ["研究生", "硕士", "博士", "master", "doctor", "phd"], 40),
            _values("bachelor", ["本科", "bachelor"], 30),
            _values("college", ["大专", "专科", "college", "associate"], 20)],
         "missing_points": 0},
        {"name": "marital_status", "bins": [
            _values("married", ["已婚", "married"], 25),
            _values("single", ["未婚", "single"], 10),
            _values("divorced or widowed", ["离异", "丧偶", "divorced", "widowed"], 5)]},
        {"name": "monthly_income", "bins": [
            _range("<3,000", None, "3000", 0), _range("3,000-8,000", "3000", "8000", 20),
            _range("8,000-20,000", "8000", "20000", 40), _range(">=20,000", "20000", None, 55)]},
        {"name": "dti", "bins": DTI_BINS},
        {"name": "max_dpd", "bins": DPD_BINS},
    ],
    "grades": GRADES,
}  # fmt: skip

DEFAULT_ENTERPRISE: dict[str, Any] = {
    "name": "Default enterprise scorecard (illustrative)",
    "customer_kind": "enterprise",
    "base_points": 500,
    "characteristics": [
        {"name": "years_in_business", "bins": [
            _range("<1", None, "1", 0), _range("1-2", "1", "3", 15),
            _range("3-4", "3", "5", 30), _range(">=5", "5", None, 45)]},
        {"name": "industry_section", "missing_points": 0, "bins": [
            _values("agriculture (A)", ["A"], 20), _values("manufacturing (C)", ["C"], 25),
            _values("wholesale and retail (F)", ["F"], 30),
            _values("hotels and catering (H)", ["H"], 15), _values("construction (E)", ["E"], 5),
            _values("real estate (K)", ["K"], -20)]},
        {"name": "debt_ratio", "bins": [
            _range("<40%", None, "0.40", 50), _range("40-60%", "0.40", "0.60", 30),
            _range("60-80%", "0.60", "0.80", 5), _range(">=80%", "0.80", None, -30)]},
        {"name": "dti", "bins": DTI_BINS},
        {"name": "group_exposure", "bins": [
            _range("none", None, "0.01", 20), _range("<500,000", "0.01", "500000", 10),
            _range("500,000-2,000,000", "500000", "2000000", 0),
            _range(">=2,000,000", "2000000", None, -20)]},
        {"name": "max_dpd", "bins": DPD_BINS},
    ],
    "grades": GRADES,
}  # fmt: skip
DEFAULTS = {"individual": DEFAULT_INDIVIDUAL, "enterprise": DEFAULT_ENTERPRISE}

"""Credit limits, pure (kernel only): the arithmetic of the four checks of a decision.

- single borrower: the applicant's own exposure against ``single_borrower_percent`` of the
  company's net assets (10% by default);
- related-party group: the exposure of the applicant's related-party group against
  ``related_group_percent`` of net assets (15% by default);
- product and office: the outstanding of the product / the office against a configured total
  (checked only where a total is configured).

Each check shows the limit, the current exposure, the amount asked for and the headroom before
this loan (``limit - current exposure``, negative when the limit is already exceeded); the request
fits when ``requested <= headroom``. A breach gives ``breach_outcome`` (refer by default).
Percentages of net assets are rounded down to the fen: a limit is never rounded up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from microlend.kernel.errors import ValidationFailed
from microlend.origination.decision_model import (
    LimitCheck,
    Outcome,
    checked_outcome,
    decimal_of,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class LimitSettings:
    single_borrower_percent: Decimal = Decimal(10)
    related_group_percent: Decimal = Decimal(15)
    breach_outcome: Outcome = Outcome.REFER
    product_totals: Mapping[int, Decimal] = field(default_factory=dict)  # product id -> total
    office_totals: Mapping[int, Decimal] = field(default_factory=dict)  # office id -> total
    office_max_amounts: Mapping[int, Decimal] = field(default_factory=dict)  # per application

    def to_document(self) -> dict[str, Any]:
        def amounts(values: Mapping[int, Decimal]) -> dict[str, str]:
            return {str(key): str(value) for key, value in sorted(values.items())}

        return {
            "single_borrower_percent": str(self.single_borrower_percent),
            "related_group_percent": str(self.related_group_percent),
            "breach_outcome": self.breach_outcome.value,
            "product_totals": amounts(self.product_totals),
            "office_totals": amounts(self.office_totals),
            "office_max_amounts": amounts(self.office_max_amounts),
        }


def _percent(raw: object, *, field: str) -> Decimal:
    value = decimal_of(raw, field=field)
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed("a percentage from 0 to 100", field=field)
    return value


def _amounts(raw: object, *, field: str) -> dict[int, Decimal]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed("a mapping of ids to amounts", field=field)
    amounts: dict[int, Decimal] = {}
    for key, value in raw.items():
        try:
            ident = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed("ids are whole numbers", field=f"{field}.{key}") from None
        if value in (None, ""):
            continue
        amount = decimal_of(value, field=f"{field}.{key}")
        if amount < 0 or amount != amount.quantize(CENT):
            raise ValidationFailed("an amount, 0 or more, to the fen", field=f"{field}.{key}")
        amounts[ident] = amount
    return amounts


def parse_limit_settings(document: Mapping[str, Any]) -> LimitSettings:
    """Settings from a JSON document; a missing key keeps its default."""
    defaults = LimitSettings()
    return LimitSettings(
        single_borrower_percent=_percent(
            document.get("single_borrower_percent", defaults.single_borrower_percent),
            field="single_borrower_percent",
        ),
        related_group_percent=_percent(
            document.get("related_group_percent", defaults.related_group_percent),
            field="related_group_percent",
        ),
        breach_outcome=checked_outcome(
            document.get("breach_outcome", defaults.breach_outcome.value), field="breach_outcome"
        ),
        product_totals=_amounts(document.get("product_totals"), field="product_totals"),
        office_totals=_amounts(document.get("office_totals"), field="office_totals"),
        office_max_amounts=_amounts(document.get("office_max_amounts"), field="office_max_amounts"),
    )


@dataclass(frozen=True)
class Exposures:
    """What the checks read: net assets, exposures now, and the amount asked for."""

    net_assets: Decimal
    own: Decimal
    group: Decimal
    requested: Decimal
    office_id: int
    office: Decimal = Decimal(0)
    product_id: int | None = None
    product: Decimal = Decimal(0)

    def to_document(self) -> dict[str, Any]:
        return {"net_assets": str(self.net_assets), "own": str(self.own), "group": str(self.group),
                "requested": str(self.requested), "office_id": self.office_id,
                "office": str(self.office), "product_id": self.product_id,
                "product": str(self.product)}  # fmt: skip

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Exposures:
        def amount(name: str) -> Decimal:
            return decimal_of(document[name], field=name)

        return cls(amount("net_assets"), amount("own"), amount("group"), amount("requested"),
                   int(document["office_id"]), amount("office"), document.get("product_id"),
                   amount("product"))  # fmt: skip


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent``% of ``base``, rounded down to the fen; never below zero."""
    if base <= 0:
        return Decimal("0.00")
    return (base * percent / 100).quantize(CENT, rounding=ROUND_DOWN)


def check(kind: str, limit: Decimal, exposure: Decimal, requested: Decimal) -> LimitCheck:
    headroom = limit - exposure
    return LimitCheck(kind, limit, exposure, requested, headroom, requested <= headroom)


def limit_checks(settings: LimitSettings, exposures: Exposures) -> tuple[LimitCheck, ...]:
    """The single-borrower and group checks always; product and office where configured."""
    asked = exposures.requested
    checks = [
        check("single_borrower",
              percent_of(exposures.net_assets, settings.single_borrower_percent),
              exposures.own, asked),
        check("related_group", percent_of(exposures.net_assets, settings.related_group_percent),
              exposures.group, asked),
    ]  # fmt: skip
    product_total = (
        settings.product_totals.get(exposures.product_id)
        if exposures.product_id is not None
        else None
    )
    if product_total is not None:
        checks.append(check("product", product_total, exposures.product, asked))
    office_total = settings.office_totals.get(exposures.office_id)
    if office_total is not None:
        checks.append(check("office", office_total, exposures.office, asked))
    return tuple(checks)


def breaches(settings: LimitSettings, checks: tuple[LimitCheck, ...]) -> list[Outcome]:
    return [settings.breach_outcome for item in checks if not item.ok]

"""Loan classification: five categories (五级分类), IFRS 9 stage, delinquency bucket, provisions.

Pure rules that close of business applies to every loan each day:

* **Five categories** from days past due (DPD, due date = day 0) with configurable thresholds —
  defaults 正常 at 0 DPD, 关注 from 1 (or restructured), 次级 above 90, 可疑 above 270,
  损失 above 360 — as the 2023 《商业银行金融资产风险分类办法》 sets for overdue assets. A
  restructured loan is at least 关注. These are floors ("至少归为"): a manual override
  (approved) may classify a loan worse than they do, never better, and holds until it is
  reviewed; the category is the worse of the two, the computed one reported beside it.
* **IFRS 9 stage**: 1 up to 30 DPD, 2 above 30 (significant increase in credit risk, the rebuttable
  presumption of IFRS 9.5.5.11) or restructured, 3 above 90 (credit-impaired, B5.5.37).
* **Delinquency bucket**: M0 current, M1 1-30, M2 31-60, M3 61-90, M4+ above 90.
* **Provision** = exposure x the category's rate (defaults 1.5 / 3 / 30 / 60 / 100 percent, the
  general and specific reserve rates small-loan companies commonly use); close of business posts
  the change of the allowance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from types import MappingProxyType

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.money import Rounding, round_amount


class Category(StrEnum):
    NORMAL = "normal"  # 正常
    SPECIAL_MENTION = "special_mention"  # 关注
    SUBSTANDARD = "substandard"  # 次级
    DOUBTFUL = "doubtful"  # 可疑
    LOSS = "loss"  # 损失

    @property
    def rank(self) -> int:
        return list(Category).index(self)


class Stage(IntEnum):
    ONE = 1
    TWO = 2
    THREE = 3


class Bucket(StrEnum):
    M0 = "M0"
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4_PLUS = "M4+"


def _rates(values: Mapping[Category, str]) -> Mapping[Category, Decimal]:
    return MappingProxyType({category: Decimal(rate) for category, rate in values.items()})


DEFAULT_PROVISION_RATES = _rates(
    {
        Category.NORMAL: "1.5",
        Category.SPECIAL_MENTION: "3",
        Category.SUBSTANDARD: "30",
        Category.DOUBTFUL: "60",
        Category.LOSS: "100",
    }
)


@dataclass(frozen=True, slots=True)
class ClassificationPolicy:
    """A company's thresholds (DPD strictly above which a loan falls into the category) and
    provision rates (percent of the exposure)."""

    special_mention_above: int = 0
    substandard_above: int = 90
    doubtful_above: int = 270
    loss_above: int = 360
    stage_two_above: int = 30
    stage_three_above: int = 90
    provision_rates: Mapping[Category, Decimal] = field(
        default_factory=lambda: DEFAULT_PROVISION_RATES
    )

    def __post_init__(self) -> None:
        steps = (
            self.special_mention_above,
            self.substandard_above,
            self.doubtful_above,
            self.loss_above,
        )
        if any(not isinstance(step, int) or step < 0 for step in steps):
            raise ValidationFailed("thresholds are whole days, not negative", field="thresholds")
        if list(steps) != sorted(set(steps)):
            raise ValidationFailed("thresholds must increase strictly", field="thresholds")
        if not 0 <= self.stage_two_above < self.stage_three_above:
            raise ValidationFailed("stage 2 must start before stage 3", field="stage_two_above")
        if set(self.provision_rates) != set(Category):
            raise ValidationFailed("give a rate for every category", field="provision_rates")
        for category, rate in self.provision_rates.items():
            if not isinstance(rate, Decimal) or not 0 <= rate <= 100:
                raise ValidationFailed(
                    "a rate is a percent from 0 to 100", field=f"provision_rates.{category.value}"
                )


DEFAULT_POLICY = ClassificationPolicy()


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category  # what applies: the override where it is worse than the rules
    computed: Category  # what the rules give
    stage: Stage
    bucket: Bucket
    overridden: bool  # the override decides the category


def computed_category(dpd: int, *, restructured: bool, policy: ClassificationPolicy) -> Category:
    _check_dpd(dpd)
    if dpd > policy.loss_above:
        return Category.LOSS
    if dpd > policy.doubtful_above:
        return Category.DOUBTFUL
    if dpd > policy.substandard_above:
        return Category.SUBSTANDARD
    if dpd > policy.special_mention_above or restructured:
        return Category.SPECIAL_MENTION
    return Category.NORMAL


def stage_of(dpd: int, *, restructured: bool, policy: ClassificationPolicy) -> Stage:
    _check_dpd(dpd)
    if dpd > policy.stage_three_above:
        return Stage.THREE
    if dpd > policy.stage_two_above or restructured:
        return Stage.TWO
    return Stage.ONE


def bucket_of(dpd: int) -> Bucket:
    _check_dpd(dpd)
    if dpd == 0:
        return Bucket.M0
    if dpd > 90:
        return Bucket.M4_PLUS
    return (Bucket.M1, Bucket.M2, Bucket.M3)[(dpd - 1) // 30]


def classify(
    dpd: int,
    *,
    restructured: bool = False,
    override: Category | None = None,
    policy: ClassificationPolicy = DEFAULT_POLICY,
) -> Classification:
    computed = computed_category(dpd, restructured=restructured, policy=policy)
    category = max(computed, override or computed, key=lambda c: c.rank)  # the worse of the two
    return Classification(
        category=category,
        computed=computed,
        stage=stage_of(dpd, restructured=restructured, policy=policy),
        bucket=bucket_of(dpd),
        overridden=category is not computed,
    )


def provision(
    exposure: Decimal,
    category: Category,
    *,
    policy: ClassificationPolicy = DEFAULT_POLICY,
    digits: int = 2,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """The allowance a loan needs: exposure x the category's rate, rounded to ``digits``."""
    if exposure < 0:
        raise ValidationFailed("exposure must not be negative", field="exposure")
    rate = policy.provision_rates[category]
    return round_amount(exposure * rate / 100, digits, rounding)


def _check_dpd(dpd: int) -> None:
    if not isinstance(dpd, int) or dpd < 0:
        raise ValidationFailed("days past due are whole days, not negative", field="dpd")

"""Five categories, IFRS 9 stage, bucket and provision, against a table written by hand from the
default policy (正常 0 DPD; 关注 1-90 or restructured; 次级 91-270; 可疑 271-360; 损失 >360;
stage 2 above 30 DPD or restructured, stage 3 above 90; M1 1-30 ... M4+ above 90)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.money import Rounding
from microlend.risk.model import (
    Bucket,
    Category,
    ClassificationPolicy,
    Stage,
    classify,
    provision,
)

N, SM, SS, D, L = (
    Category.NORMAL,
    Category.SPECIAL_MENTION,
    Category.SUBSTANDARD,
    Category.DOUBTFUL,
    Category.LOSS,
)

# dpd, restructured, category, stage, bucket
TABLE = [
    (0, False, N, 1, "M0"),
    (0, True, SM, 2, "M0"),
    (1, False, SM, 1, "M1"),
    (30, False, SM, 1, "M1"),
    (31, False, SM, 2, "M2"),
    (60, False, SM, 2, "M2"),
    (61, False, SM, 2, "M3"),
    (90, False, SM, 2, "M3"),
    (91, False, SS, 3, "M4+"),
    (91, True, SS, 3, "M4+"),
    (270, False, SS, 3, "M4+"),
    (271, False, D, 3, "M4+"),
    (360, False, D, 3, "M4+"),
    (361, False, L, 3, "M4+"),
    (2000, False, L, 3, "M4+"),
]


@pytest.mark.parametrize(("dpd", "restructured", "category", "stage", "bucket"), TABLE)
def test_default_policy(
    dpd: int, restructured: bool, category: Category, stage: int, bucket: str
) -> None:
    result = classify(dpd, restructured=restructured)
    assert (result.category, result.stage, result.bucket) == (
        category,
        Stage(stage),
        Bucket(bucket),
    )
    assert result.computed is category and not result.overridden


def test_an_override_classifies_worse_than_the_rules_never_better() -> None:
    """The rules' categories are floors (至少归为): 120 days past due is at least 次级."""
    worse = classify(120, override=Category.DOUBTFUL)
    assert worse.category is D and worse.computed is SS and worse.overridden
    same = classify(120, override=Category.SUBSTANDARD)
    assert same.category is SS and not same.overridden
    better = classify(120, override=Category.SPECIAL_MENTION)
    assert better.category is SS and better.computed is SS and not better.overridden
    held = classify(0, override=Category.SPECIAL_MENTION)  # paid up, held at 关注 by hand
    assert held.category is SM and held.computed is Category.NORMAL and held.overridden


def test_thresholds_are_configurable() -> None:
    strict = ClassificationPolicy(substandard_above=60, doubtful_above=180, loss_above=270)
    assert classify(61, policy=strict).category is SS
    assert classify(181, policy=strict).category is D
    assert classify(271, policy=strict).category is L


def test_thresholds_must_increase() -> None:
    with pytest.raises(ValidationFailed) as refused:
        ClassificationPolicy(substandard_above=300)
    assert refused.value.field == "thresholds"


def test_negative_dpd_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        classify(-1)


@pytest.mark.parametrize(
    ("exposure", "category", "expected"),
    [
        # 100,000 x 1.5% = 1,500; x 3% = 3,000; x 30% = 30,000; x 60% = 60,000; x 100%
        ("100000", N, "1500.00"),
        ("100000", SM, "3000.00"),
        ("100000", SS, "30000.00"),
        ("100000", D, "60000.00"),
        ("100000", L, "100000.00"),
        # 333.33 x 1.5% = 4.99995 -> 5.00 half up
        ("333.33", N, "5.00"),
    ],
)
def test_provision_at_default_rates(exposure: str, category: Category, expected: str) -> None:
    assert provision(Decimal(exposure), category) == Decimal(expected)


def test_provision_rounding_is_explicit() -> None:
    # 333.33 x 1.5% = 4.99995: truncated to 4.99
    assert provision(Decimal("333.33"), N, rounding=Rounding.DOWN) == Decimal("4.99")


def test_every_category_needs_a_rate() -> None:
    with pytest.raises(ValidationFailed) as refused:
        ClassificationPolicy(provision_rates={N: Decimal(1)})
    assert refused.value.field == "provision_rates"

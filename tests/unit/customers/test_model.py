"""Ratios, the related-party group, the protection period of ownership, names for search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.customers.model import (
    Ownership,
    checked_share,
    current_ratio,
    debt_ratio,
    debt_to_income,
    group_exposure,
    is_held,
    name_bigrams,
    name_key,
    protection_ends,
    related_group,
)
from microlend.kernel.errors import ValidationFailed


def test_ratios_are_decimals_to_four_places() -> None:
    assert debt_ratio(total_liabilities=Decimal("600000"), total_assets=Decimal("900000")) == (
        Decimal("0.6667")
    )
    assert current_ratio(current_assets=Decimal("150"), current_liabilities=Decimal("100")) == (
        Decimal("1.5000")
    )
    assert debt_to_income(
        monthly_debt_payments=Decimal("3000"), monthly_income=Decimal("8000")
    ) == (Decimal("0.3750"))


def test_a_ratio_over_zero_is_none() -> None:
    assert debt_ratio(total_liabilities=Decimal("1"), total_assets=Decimal("0")) is None


def test_related_group_is_the_connected_component() -> None:
    links = [(1, 2), (2, 3), (4, 5), (3, 1)]
    assert related_group(1, links) == {1, 2, 3}
    assert related_group(5, links) == {4, 5}
    assert related_group(9, links) == {9}


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=30))
def test_group_membership_is_symmetric(links: list[tuple[int, int]]) -> None:
    for member in related_group(0, links):
        assert 0 in related_group(member, links)


def test_group_exposure_sums_members_only() -> None:
    exposure = {1: Decimal("100.50"), 2: Decimal("20"), 7: Decimal("999")}
    assert group_exposure({1, 2, 3}, exposure) == Decimal("120.50")


def test_shares_are_percentages() -> None:
    assert checked_share(Decimal("51.5")) == Decimal("51.5")
    with pytest.raises(ValidationFailed):
        checked_share(Decimal("100.01"))


def test_protection_lasts_the_period_after_the_last_activity() -> None:
    held = Ownership(owner_id=7, held_since=date(2025, 1, 1), last_activity_on=date(2025, 1, 1))
    # 90 days after 2025-01-01 is 2025-04-01: still held that day, back in the pool the next.
    assert is_held(held, as_of=date(2025, 4, 1), protection_days=90)
    assert not is_held(held, as_of=date(2025, 4, 2), protection_days=90)
    assert protection_ends(held, protection_days=90) == date(2025, 4, 2)


def test_a_customer_without_owner_is_in_the_pool() -> None:
    free = Ownership(owner_id=None, held_since=None, last_activity_on=None)
    assert not is_held(free, as_of=date(2025, 1, 1), protection_days=90)


def test_name_key_folds_width_case_and_blanks() -> None:
    assert name_key("ＡＢＣ 有限 公司") == "abc有限公司"


def test_name_bigrams_cover_every_two_character_substring() -> None:
    assert name_bigrams("欧阳修文") == ["欧阳", "阳修", "修文"]
    assert name_bigrams("张") == []
    assert name_bigrams("aaaa") == ["aa"]


@given(st.text(alphabet="张三李四王五ab", min_size=2, max_size=8), st.data())
def test_a_substring_has_its_bigrams_among_the_names(name: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(name) - 2))
    end = data.draw(st.integers(start + 2, len(name)))
    assert set(name_bigrams(name[start:end])) <= set(name_bigrams(name))

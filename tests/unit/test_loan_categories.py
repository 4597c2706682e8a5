"""The loan list's classes (``loans.queries.RISK_CATEGORIES``) are close of business's five
categories, in their order of risk (``risk.model.Category``): the list cannot import the risk
context, a layer above it, so it names them itself."""

from __future__ import annotations

from microlend.loans.queries import RISK_CATEGORIES
from microlend.risk.model import Category


def test_the_list_names_the_five_categories_close_of_business_sets() -> None:
    assert tuple(category.value for category in Category) == RISK_CATEGORIES
    assert len(RISK_CATEGORIES) == 5

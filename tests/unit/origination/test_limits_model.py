"""Limit arithmetic worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.origination.decision_model import LimitCheck, Outcome
from microlend.origination.limits_model import (
    Exposures,
    LimitSettings,
    breaches,
    limit_checks,
    parse_limit_settings,
    percent_of,
)

D = Decimal


def test_single_borrower_and_group_limits_of_five_million_net_assets() -> None:
    exposures = Exposures(net_assets=D("5000000.00"), own=D("420000"), group=D("600000"),
                          requested=D("100000"), office_id=3)  # fmt: skip
    checks = limit_checks(LimitSettings(), exposures)
    # single borrower: 10% of 5,000,000 = 500,000; headroom 500,000 - 420,000 = 80,000 < 100,000
    # group: 15% = 750,000; headroom 750,000 - 600,000 = 150,000 >= 100,000
    assert checks == (
        LimitCheck("single_borrower", D("500000.00"), D("420000"), D("100000"), D("80000.00"),
                   False),
        LimitCheck("related_group", D("750000.00"), D("600000"), D("100000"), D("150000.00"),
                   True),
    )  # fmt: skip
    assert breaches(LimitSettings(), checks) == [Outcome.REFER]


def test_a_percentage_of_net_assets_is_rounded_down_to_the_fen() -> None:
    # 1,234,567.89 x 10% = 123,456.789 -> 123,456.78; x 15% = 185,185.1835 -> 185,185.18
    assert percent_of(D("1234567.89"), D(10)) == D("123456.78")
    assert percent_of(D("1234567.89"), D(15)) == D("185185.18")


def test_without_net_assets_there_is_no_room() -> None:
    checks = limit_checks(LimitSettings(), Exposures(D("-10"), D(0), D(0), D("1"), office_id=1))
    assert [(c.limit, c.headroom, c.ok) for c in checks] == [(D("0.00"), D("0.00"), False)] * 2


def test_product_and_office_totals_are_checked_where_configured() -> None:
    settings = LimitSettings(product_totals={7: D("1000000")}, office_totals={3: D("2000000")},
                             breach_outcome=Outcome.DECLINE)  # fmt: skip
    exposures = Exposures(D("100000000"), D(0), D(0), D("50000"), office_id=3,
                          office=D("1990000"), product_id=7, product=D("950000"))  # fmt: skip
    product, office = limit_checks(settings, exposures)[2:]
    # product: 1,000,000 - 950,000 = 50,000 headroom: 50,000 fits exactly
    assert product == LimitCheck("product", D("1000000"), D("950000"), D("50000"), D("50000"),
                                 True)  # fmt: skip
    # office: 2,000,000 - 1,990,000 = 10,000 headroom: 50,000 does not fit
    assert office == LimitCheck("office", D("2000000"), D("1990000"), D("50000"), D("10000"),
                                False)  # fmt: skip
    assert breaches(settings, (product, office)) == [Outcome.DECLINE]
    other_office = Exposures(D("100000000"), D(0), D(0), D("1"), office_id=4, product_id=8)
    assert [c.kind for c in limit_checks(settings, other_office)] == [
        "single_borrower", "related_group"]  # fmt: skip


def test_settings_survive_their_document() -> None:
    settings = LimitSettings(D("8.5"), D(12), Outcome.DECLINE, {7: D("1000000.00")},
                             {3: D("5")}, {3: D("50000")})  # fmt: skip
    assert parse_limit_settings(settings.to_document()) == settings
    assert parse_limit_settings({}) == LimitSettings()


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"single_borrower_percent": "101"}, "single_borrower_percent"),
        ({"related_group_percent": "-1"}, "related_group_percent"),
        ({"breach_outcome": "shrug"}, "breach_outcome"),
        ({"office_totals": {"3": "1.001"}}, "office_totals.3"),
        ({"product_totals": {"x": "1"}}, "product_totals.x"),
    ],
)
def test_bad_settings_name_their_field(document: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_limit_settings(document)
    assert refused.value.field == field

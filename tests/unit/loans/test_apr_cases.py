"""The APR against official worked examples: US Regulation Z Appendix J (c) and the PBoC's IRR
rule (tests/cases/apr_*.json). Agreement within 0.01 percentage point, as the issue asks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microlend.kernel.frequency import Frequency, PeriodUnit
from microlend.loans.calculator.apr import CashFlow, TimeUnit, UnitPeriod, actuarial_apr
from tests.unit.loans.cases import CASES, load

TOLERANCE = Decimal("0.01")
APPENDIX_J = load(CASES / "apr_regulation_z_appendix_j.json")
CHINA_IRR = load(CASES / "apr_cn_installment_fee_irr.json")


def unit_of(spec: dict[str, Any]) -> UnitPeriod:
    return UnitPeriod(TimeUnit(spec["unit"]), spec["length"])


def payments_of(streams: list[dict[str, Any]]) -> list[CashFlow]:
    """Payment streams (first date, count, spacing, amount) as dated cash flows."""
    units = {"month": PeriodUnit.MONTH, "week": PeriodUnit.WEEK, "day": PeriodUnit.DAY}
    flows = []
    for stream in streams:
        spacing = Frequency(units[stream["every"]["unit"]], stream["every"]["length"])
        first = date.fromisoformat(stream["first"])
        amount = Decimal(stream["amount"])
        flows += [CashFlow(day, amount) for day in spacing.dates_after(first, 0, stream["count"])]
    return flows


def apr_of(example: dict[str, Any]) -> Any:
    return actuarial_apr(
        date.fromisoformat(example["advance_date"]),
        Decimal(example["amount"]),
        payments_of(example["payments"]),
        unit_of(example["unit_period"]),
    )


@pytest.mark.parametrize("example", APPENDIX_J["examples"], ids=lambda e: e["id"])
def test_regulation_z_appendix_j(example: dict[str, Any]) -> None:
    apr = apr_of(example)
    assert abs(apr.nominal - Decimal(example["apr"])) <= TOLERANCE, example["title"]


def test_appendix_j_examples_are_all_there() -> None:
    ids = [e["id"] for e in APPENDIX_J["examples"]]
    assert len(ids) == 11 and "(c)(1)(i)" in ids and "(c)(5)(i)" in ids


def test_pboc_irr_installment_fee() -> None:
    apr = apr_of(CHINA_IRR)
    expected = CHINA_IRR["expected"]
    assert abs(apr.nominal - Decimal(expected["nominal"])) <= TOLERANCE
    assert abs(apr.effective - Decimal(expected["effective"])) <= TOLERANCE

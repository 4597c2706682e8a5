"""Terms validate themselves and name the field at fault."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.loans.calculator.model import Fee, FeeBase, FeeCharge, RepaymentMethod, Terms

D = Decimal
BASE = Terms(D(100000), D(12), 12, RepaymentMethod.EQUAL_INSTALLMENT, date(2025, 1, 15))


def field_of(**changes: Any) -> str | None:
    with pytest.raises(ValidationFailed) as raised:
        replace(BASE, **changes)
    return raised.value.field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principal": D(0)}, "principal"),
        ({"principal": D(-5)}, "principal"),
        ({"principal": D("100.005")}, "principal"),
        ({"principal": 100000.0}, "principal"),
        ({"principal": D("NaN")}, "principal"),
        ({"annual_rate": D(-1)}, "annual_rate"),
        ({"annual_rate": 12.0}, "annual_rate"),
        ({"term": 0}, "term"),
        ({"term": True}, "term"),
        ({"term": 10_001}, "term"),
        ({"digits": 7}, "digits"),
        ({"digits": -1}, "digits"),
        ({"currency": "rmb"}, "currency"),
        ({"method": "balloon"}, "method"),
        ({"day_count": "ACT/366"}, "day_count"),
        ({"first_due_date": date(2025, 1, 15)}, "first_due_date"),
        ({"first_due_date": date(2025, 1, 1)}, "first_due_date"),
        ({"disbursement_date": date(9999, 12, 31)}, "disbursement_date"),
        ({"disbursement_date": date(1, 1, 1)}, "disbursement_date"),
        ({"first_due_date": date(2200, 1, 1)}, "first_due_date"),
        ({"grace_principal_periods": 12}, "grace_principal_periods"),
        ({"grace_interest_periods": 12}, "grace_interest_periods"),
        ({"grace_interest_periods": -1}, "grace_interest_periods"),
        ({"installment_multiple": D(0)}, "installment_multiple"),
        ({"installment_multiple": D("0.001")}, "installment_multiple"),
        (
            {"method": RepaymentMethod.BULLET, "grace_principal_periods": 1},
            "grace_principal_periods",
        ),
        ({"method": RepaymentMethod.BULLET, "grace_interest_periods": 1}, "grace_interest_periods"),
        (
            {"method": RepaymentMethod.INTEREST_ONLY, "grace_principal_periods": 1},
            "grace_principal_periods",
        ),
        (
            {"method": RepaymentMethod.INTEREST_ONLY, "installment_multiple": D(10)},
            "installment_multiple",
        ),
        ({"method": RepaymentMethod.BULLET, "installment_multiple": D(10)}, "installment_multiple"),
        (
            {"fees": (Fee("service", FeeCharge.UPFRONT, amount=D(100000)),)},
            "fees",
        ),
        (
            {"fees": (Fee("service", FeeCharge.UPFRONT, percent=D(100)),)},
            "fees",
        ),
    ],
)
def test_invalid_terms_name_the_field(changes: dict[str, Any], field: str) -> None:
    assert field_of(**changes) == field


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        ({"amount": D(1), "percent": D(1)}, "either"),
        ({}, "either"),
        ({"amount": D(-1)}, "negative"),
        ({"amount": 1.5}, "decimal"),
        ({"percent": D(1), "base": FeeBase.BALANCE, "charged": FeeCharge.UPFRONT}, "upfront"),
    ],
)
def test_invalid_fees(fee: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"name": "svc", "charged": FeeCharge.PER_INSTALLMENT} | fee
    with pytest.raises(ValidationFailed, match=message) as raised:
        Fee(**arguments)
    assert raised.value.field == "fees.svc"


def test_resolved_settings() -> None:
    assert BASE.accrual_dates.value == "unadjusted"
    daily = replace(BASE, interest_basis="daily")  # type: ignore[arg-type]
    assert daily.accrual_dates.value == "adjusted"
    both = replace(BASE, grace_principal_periods=2, grace_interest_periods=3)
    assert both.principal_grace == 3

"""Amounts and minor units (loans/records.py): the kept conversions give what converting does,
and refuse what it refuses, however often they are asked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.loans.records import fresh_minor, minor, minor_units, money


def test_money_is_the_minor_units_scaled_and_kept() -> None:
    for _ in range(2):
        assert str(money(123456)) == "1234.56"
        assert str(money(0)) == "0.00"
        assert str(money(-5)) == "-0.05"
        assert str(money(7, "JPY")) == "7"
        assert str(money(1234, "KWD")) == "1.234"
    assert money(99) is money(99)  # immutable, so shared


def test_money_refuses_what_is_not_an_int() -> None:
    for bad in (True, 1.0, "1", Decimal(1)):
        with pytest.raises(TypeError):
            money(bad)  # type: ignore[arg-type]


def test_minor_is_exact_or_refused_every_time() -> None:
    for _ in range(2):
        assert minor(Decimal("12.34")) == 1234
        assert minor(Decimal("12.3")) == 1230  # the same value, whatever its exponent
        assert minor(Decimal("12.30")) == 1230
        assert minor(Decimal("5"), "JPY") == 5
        assert minor(Decimal("5.00"), "JPY") == 5
        assert fresh_minor(Decimal("-0.01")) == -1
        with pytest.raises(ValueError):
            minor(Decimal("1.005"))
        with pytest.raises(ValueError):
            minor(Decimal("0.5"), "JPY")
        with pytest.raises(ValueError):
            fresh_minor(Decimal("1.005"))
    assert minor_units("CNY")[Decimal("0.50")] == 50
    assert minor_units("JPY")[Decimal("50")] == 50


def test_minor_refuses_a_float_even_one_equal_to_a_kept_amount() -> None:
    assert minor(Decimal("0.5")) == 50
    for bad in (0.5, True):
        with pytest.raises(TypeError):
            minor(bad)  # type: ignore[arg-type]

"""Money: exact decimals in one currency, explicit rounding, integer minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.money import (
    CurrencyMismatch,
    Money,
    Rounding,
    as_decimal,
    round_amount,
    round_to_multiple,
)


def test_a_float_is_refused_on_construction() -> None:
    with pytest.raises(TypeError, match="float"):
        Money(0.1, "CNY")  # type: ignore[arg-type]


def test_a_bool_is_not_an_amount() -> None:
    with pytest.raises(TypeError):
        Money(True, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "abc"])
def test_non_finite_or_non_numeric_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Money(text, "CNY")  # type: ignore[arg-type]


def test_strings_and_ints_become_exact_decimals() -> None:
    assert Money.of("0.1", "CNY").amount + Money.of("0.2", "CNY").amount == Decimal("0.3")
    assert Money.of(5, "USD").amount == Decimal(5)
    with pytest.raises(TypeError):
        Money.of(0.5, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["cny", "YUAN", "C1Y", ""])
def test_currency_must_be_an_iso_code(code: str) -> None:
    with pytest.raises(ValueError):
        Money(Decimal(1), code)


def test_minor_units_round_trip() -> None:
    money = Money.from_minor(123456, "CNY")
    assert money.amount == Decimal("1234.56")
    assert money.to_minor() == 123456


def test_yen_has_no_minor_unit() -> None:
    assert Money.from_minor(500, "JPY").amount == Decimal(500)
    assert Money(Decimal("500"), "JPY").to_minor() == 500


def test_to_minor_refuses_an_amount_finer_than_a_fen() -> None:
    with pytest.raises(ValueError, match="quantize"):
        Money(Decimal("1.005"), "CNY").to_minor()


def test_from_minor_takes_only_integers() -> None:
    with pytest.raises(TypeError):
        Money.from_minor(1.5, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        ("0.125", Rounding.HALF_UP, "0.13"),
        ("0.125", Rounding.HALF_EVEN, "0.12"),
        ("0.135", Rounding.HALF_EVEN, "0.14"),
        ("0.129", Rounding.DOWN, "0.12"),
        ("0.121", Rounding.UP, "0.13"),
        ("-0.125", Rounding.HALF_UP, "-0.13"),
    ],
)
def test_quantize_uses_the_rounding_asked_for(
    amount: str, rounding: Rounding, expected: str
) -> None:
    result = Money(Decimal(amount), "CNY").quantize(rounding=rounding)
    assert str(result.amount) == expected


def test_quantize_defaults_to_the_currency_digits_half_up() -> None:
    assert str(Money(Decimal("2.5"), "JPY").quantize().amount) == "3"
    assert str(Money(Decimal("1.005"), "CNY").quantize().amount) == "1.01"


def test_arithmetic_in_one_currency() -> None:
    a, b = Money(Decimal("10.50"), "CNY"), Money(Decimal("0.25"), "CNY")
    assert (a + b).amount == Decimal("10.75")
    assert (a - b).amount == Decimal("10.25")
    assert (-a).amount == Decimal("-10.50")
    assert (a * 2).amount == Decimal("21.00")
    assert (3 * b).amount == Decimal("0.75")
    assert b < a and a >= b and not a <= b and a > b


def test_currencies_do_not_mix() -> None:
    cny, usd = Money(Decimal(1), "CNY"), Money(Decimal(1), "USD")
    with pytest.raises(CurrencyMismatch):
        _ = cny + usd
    with pytest.raises(CurrencyMismatch):
        _ = cny < usd


def test_money_does_not_add_plain_numbers() -> None:
    with pytest.raises(TypeError):
        _ = Money(Decimal(1), "CNY") + Decimal(1)  # type: ignore[operator]


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Money(Decimal(1), "CNY") * 1.5  # type: ignore[operator]


def test_total_sums_in_the_currency() -> None:
    amounts = [Money(Decimal("1.10"), "CNY"), Money(Decimal("2.20"), "CNY")]
    assert Money.total(amounts, "CNY").amount == Decimal("3.30")
    assert Money.total([], "USD") == Money.zero("USD")
    assert Money.zero().is_zero()


def test_round_amount_and_round_to_multiple() -> None:
    assert round_amount(Decimal("8884.8788"), 2) == Decimal("8884.88")
    assert round_amount(Decimal("8884.8788"), 0, Rounding.DOWN) == Decimal("8884")
    assert round_to_multiple(Decimal("8884.88"), Decimal(10)) == Decimal(8880)
    assert round_to_multiple(Decimal("8885"), Decimal(10)) == Decimal(8890)
    assert round_to_multiple(Decimal("8881"), Decimal(10), Rounding.UP) == Decimal(8890)
    with pytest.raises(ValueError):
        round_to_multiple(Decimal(1), Decimal(0))


def test_as_decimal_names_what_it_refuses() -> None:
    with pytest.raises(TypeError, match="rate"):
        as_decimal(1.5, "rate")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        as_decimal([1], "rate")  # type: ignore[arg-type]


def test_minor_units_of_refuses_what_storage_cannot_hold_exactly() -> None:
    from microlend.kernel.errors import ValidationFailed
    from microlend.kernel.money import minor_units_of

    assert minor_units_of("1234.56", "CNY", field="amount") == 123456
    assert minor_units_of(Decimal("7"), "JPY", field="amount") == 7
    for bad in ("0.001", "abc", 1.5, "NaN"):
        with pytest.raises(ValidationFailed) as refused:
            minor_units_of(bad, "CNY", field="lines[0].amount")  # type: ignore[arg-type]
        assert refused.value.field == "lines[0].amount"


def test_minor_units_of_reads_amounts_as_people_type_them_and_nothing_else() -> None:
    from microlend.kernel.errors import ValidationFailed
    from microlend.kernel.money import minor_units_of

    # written down by hand: what a loan officer may type, and the fen it means
    typed = {
        " 1200.5 ": 120050,
        "+7": 700,
        "-0.30": -30,
        ".5": 50,
        "12.": 1200,
        "12,000.00": 1200000,  # as a statement prints it
        "-1,234,567.8": -123456780,
        "１２，０００．５０": 1200050,  # full-width mode of a Chinese input method
        "１２００．５０": 120050,
        "－３": -300,
        "\u3000８\u3000": 800,
    }
    for text, units in typed.items():
        assert minor_units_of(text, "CNY", field="amount") == units, text
    # an exponent, groups not of three, other scripts' digits, two points, no digits, a space
    bad_ones = ("1e3", "1E+3", "1e400", "1_000", "1,00", "12,0000", ",100", "1,000,00.5", "١٢")
    for bad in (*bad_ones, "1.2.3", ".", "-", "", "1 000", "1,"):
        with pytest.raises(ValidationFailed) as refused:
            minor_units_of(bad, "CNY", field="amount")
        assert refused.value.field == "amount", bad
        assert refused.value.detail == "an amount of CNY with at most 2 decimal places"


def test_minor_units_of_refuses_amounts_beyond_the_largest_stored() -> None:
    from microlend.kernel.errors import ValidationFailed
    from microlend.kernel.money import minor_units_of

    assert minor_units_of("9999999999999.99", "CNY", field="amount") == 999_999_999_999_999
    assert minor_units_of("-9999999999999.99", "CNY", field="amount") == -999_999_999_999_999
    for bad in ("10000000000000", "-10000000000000.00", 10**20):
        with pytest.raises(ValidationFailed) as refused:
            minor_units_of(bad, "CNY", field="revenue")
        assert refused.value.field == "revenue"
        assert refused.value.detail == "an amount of at most 9999999999999.99 CNY"

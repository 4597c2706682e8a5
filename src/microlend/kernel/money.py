"""Money: an exact ``Decimal`` amount in one currency, never a binary float.

Amounts are quantized only when asked, with an explicit rounding mode (``HALF_UP`` by default,
``HALF_EVEN`` available). Storage uses integer minor units (fen, cents): ``from_minor`` and
``to_minor`` convert, and ``to_minor`` refuses an amount that is not already exact in minor units,
so that no rounding ever happens by accident on the way to the database.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Self

from microlend.kernel.errors import ValidationFailed


class Rounding(StrEnum):
    """How an amount is rounded to its last digit (a product setting)."""

    HALF_UP = "half_up"  # 四舍五入: 0.125 -> 0.13
    HALF_EVEN = "half_even"  # banker's rounding: 0.125 -> 0.12
    DOWN = "down"  # truncate toward zero (舍去)
    UP = "up"  # away from zero (进位)

    @property
    def mode(self) -> str:
        """The ``decimal`` module's rounding constant for this mode."""
        return _DECIMAL_MODES[self]


_DECIMAL_MODES = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.UP: decimal.ROUND_UP,
}

# ISO 4217 minor-unit digits for the currencies a Chinese lender meets; others default to 2.
MINOR_DIGITS: dict[str, int] = {"JPY": 0, "KRW": 0, "VND": 0, "KWD": 3, "BHD": 3}
DEFAULT_MINOR_DIGITS = 2


class CurrencyMismatch(ValueError):
    """Arithmetic or comparison between amounts in two currencies."""


def minor_digits(currency: str) -> int:
    """How many decimal places the currency's minor unit has (CNY: 2, JPY: 0)."""
    return MINOR_DIGITS.get(currency, DEFAULT_MINOR_DIGITS)


def quantum(digits: int) -> Decimal:
    """``Decimal('0.01')`` for 2 digits, ``Decimal('1')`` for 0."""
    return Decimal(1).scaleb(-digits)


def round_amount(value: Decimal, digits: int, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """Round ``value`` to ``digits`` decimal places with an explicit mode."""
    return value.quantize(quantum(digits), rounding=rounding.mode)


def round_to_multiple(
    value: Decimal, multiple: Decimal, rounding: Rounding = Rounding.HALF_UP
) -> Decimal:
    """Round ``value`` to a whole multiple of ``multiple`` (e.g. to the next 10 yuan)."""
    if multiple <= 0:
        raise ValueError("multiple must be positive")
    units = (value / multiple).quantize(Decimal(1), rounding=rounding.mode)
    return units * multiple


def as_decimal(value: Decimal | int | str, what: str = "amount") -> Decimal:
    """An exact, finite ``Decimal`` from a Decimal, an int or a decimal string; never a float."""
    if isinstance(value, bool | float):
        kind = type(value).__name__
        raise TypeError(f"{what} must be a Decimal, int or decimal string, not {kind}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"{what} must be a Decimal, int or decimal string")
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic between currencies raises ``CurrencyMismatch``."""

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", as_decimal(self.amount))
        if not (len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper()):
            raise ValueError(f"currency must be an ISO 4217 code like CNY, not {self.currency!r}")

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str = "CNY") -> Self:
        """From a Decimal, an int or a decimal string (``Money.of("12.50")``); never a float."""
        return cls(as_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Self:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, units: int, currency: str = "CNY") -> Self:
        """From integer minor units as stored: ``from_minor(12345, 'CNY')`` is 123.45 CNY."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise TypeError("minor units must be an int")
        return cls(Decimal(units).scaleb(-minor_digits(currency)), currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str = "CNY") -> Self:
        """The sum of ``amounts`` (zero in ``currency`` when there are none)."""
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

    def to_minor(self) -> int:
        """Integer minor units; the amount must already be exact to the minor unit."""
        scaled = self.amount.scaleb(minor_digits(self.currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{self} is not exact in minor units; quantize it first")
        return int(scaled)

    def quantize(self, digits: int | None = None, rounding: Rounding = Rounding.HALF_UP) -> Self:
        """Round to ``digits`` places (the currency's minor unit by default)."""
        places = minor_digits(self.currency) if digits is None else digits
        return type(self)(round_amount(self.amount, places, rounding), self.currency)

    def is_zero(self) -> bool:
        return self.amount.is_zero()

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix")
        return other

    def __add__(self, other: Money) -> Self:
        return type(self)(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Self:
        return type(self)(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Self:
        return type(self)(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Self:
        return type(self)(self.amount * as_decimal(factor, "factor"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


# The largest amount stored, in minor units (15 digits: under ten trillion yuan), far above any
# loan or ledger total and far enough below the 64-bit columns that sums of many stay inside.
MAX_MINOR_UNITS = 10**15 - 1


# An amount as a person types it (or pastes it from a statement): digits, at most one point, a
# sign, the integer part whole or in groups of three ("12,000.00"); no exponent ("1e3"), no other
# groups ("1_000", "1,00"), no other script's digits. Full-width digits, point, comma and sign (a
# Chinese input method's full-width mode: "１２００．５０") are read as their ASCII forms.
AMOUNT_TEXT = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋\u3000", "0123456789.,-+ ")


def minor_units_of(amount: Decimal | int | str, currency: str = "CNY", *, field: str) -> int:
    """An amount typed by a person or sent by a client, as integer minor units for storage.

    Anything that is not an exact decimal amount of ``currency`` (a fraction of a fen, text not
    of the form ``AMOUNT_TEXT``, a float) is refused with ``ValidationFailed`` naming ``field``;
    nothing is rounded away.
    """
    digits = minor_digits(currency)
    if isinstance(amount, str):
        amount = amount.translate(_FULL_WIDTH).strip()
    try:
        if isinstance(amount, str):
            if not AMOUNT_TEXT.fullmatch(amount):
                raise ValueError(amount)
            amount = amount.replace(",", "")
        units = Money.of(amount, currency).to_minor()
    except (ValueError, TypeError, ArithmeticError):
        raise ValidationFailed(
            "an amount of %(currency)s with at most %(digits)s decimal places",
            field=field,
            params={"currency": currency, "digits": digits},
        ) from None
    if abs(units) > MAX_MINOR_UNITS:
        largest = Money.from_minor(MAX_MINOR_UNITS, currency).amount
        raise ValidationFailed(
            "an amount of at most %(largest)s %(currency)s",
            field=field,
            params={"largest": str(largest), "currency": currency},
        )
    return units

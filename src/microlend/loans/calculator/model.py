"""Loan terms and repayment schedules: the values the schedule engine reads and writes.

Every convention is an explicit setting of ``Terms`` (docs/schedule-engine.md lists them with
their defaults); ``Terms`` validates itself on construction and names the offending field in a
``ValidationFailed``.

Grace periods, as Chinese small-loan companies run them:

* ``grace_principal_periods`` (还本宽限期): the first N installments pay interest only (先息);
  the principal is then repaid by the method over the remaining installments.
* ``grace_interest_periods`` (付息宽限期 / 延期付息): nothing is due in the first N installments;
  interest keeps accruing on the principal, simple and never compounded (不计复利), and with
  ``grace_interest = deferred`` (the default) all of it falls due with the first installment after
  the grace, as under the 2020 临时性延期还本付息 rules. With ``waived`` it is never charged
  (免息期, a promotion). Principal cannot be repaid before interest, so an interest grace is also
  a principal grace of at least the same length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from microlend.kernel.calendar import BusinessCalendar, BusinessDayConvention
from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import MONTHLY, Frequency
from microlend.kernel.money import Rounding, quantum

MAX_TERM = 10_000
MAX_DIGITS = 6


class RepaymentMethod(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本
    BULLET = "bullet"  # 一次性还本付息 (利随本清)
    FLAT = "flat"  # 等本等息


class InterestBasis(StrEnum):
    PERIOD = "period"  # annual rate / periods per year, whatever the period's length
    DAILY = "daily"  # annual rate x year fraction of the period's actual dates (day count)


class InterestDates(StrEnum):
    """Which dates bound a period when days are counted: scheduled or business-day-adjusted."""

    UNADJUSTED = "unadjusted"
    ADJUSTED = "adjusted"


class GraceInterest(StrEnum):
    DEFERRED = "deferred"
    WAIVED = "waived"


class FeeCharge(StrEnum):
    UPFRONT = "upfront"  # deducted from the amount disbursed (砍头息-like; counts in the APR)
    PER_INSTALLMENT = "per_installment"  # added to every installment


class FeeBase(StrEnum):
    PRINCIPAL = "principal"  # percent of the loan amount
    BALANCE = "balance"  # percent of the principal outstanding at the start of the period


@dataclass(frozen=True, slots=True)
class Fee:
    """A fixed ``amount`` or a ``percent`` of ``base``, charged upfront or per installment."""

    name: str
    charged: FeeCharge
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: FeeBase = FeeBase.PRINCIPAL

    def __post_init__(self) -> None:
        where = f"fees.{self.name}"
        _coerce(self, "charged", FeeCharge, where)
        _coerce(self, "base", FeeBase, where)
        if (self.amount is None) == (self.percent is None):
            raise ValidationFailed("give either amount or percent", field=where)
        value = self.amount if self.amount is not None else self.percent
        _require_decimal(value, where)
        if value is not None and value < 0:
            raise ValidationFailed("must not be negative", field=where)
        if self.charged is FeeCharge.UPFRONT and self.base is FeeBase.BALANCE:
            raise ValidationFailed("an upfront fee has no outstanding balance", field=where)


# The days a loan may start on: any real loan, and room for its schedule within the calendar.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True, slots=True)
class Terms:
    """What was agreed: amount, price, shape of the repayment and every rounding convention."""

    principal: Decimal
    annual_rate: Decimal  # nominal, in percent
    term: int  # number of periods; a bullet loan pays once, at the end of the last
    method: RepaymentMethod
    disbursement_date: date
    frequency: Frequency = MONTHLY
    first_due_date: date | None = None  # a broken first period when not one period after
    interest_basis: InterestBasis = InterestBasis.PERIOD
    day_count: DayCount = DayCount.THIRTY_360
    rounding: Rounding = Rounding.HALF_UP
    digits: int = 2
    installment_multiple: Decimal | None = None
    grace_principal_periods: int = 0
    grace_interest_periods: int = 0
    grace_interest: GraceInterest = GraceInterest.DEFERRED
    business_day: BusinessDayConvention = BusinessDayConvention.NONE
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    interest_dates: InterestDates | None = None  # None: unadjusted for period, adjusted for daily
    fees: tuple[Fee, ...] = ()
    currency: str = "CNY"

    def __post_init__(self) -> None:
        for name, kind in _ENUM_FIELDS:
            _coerce(self, name, kind)
        _require_decimal(self.principal, "principal")
        _require_decimal(self.annual_rate, "annual_rate")
        if self.principal <= 0:
            raise ValidationFailed("must be positive", field="principal")
        if self.annual_rate < 0:
            raise ValidationFailed("must not be negative", field="annual_rate")
        _require_int(self.term, "term", 1, MAX_TERM)
        _require_int(self.digits, "digits", 0, MAX_DIGITS)
        if self.principal != self.principal.quantize(quantum(self.digits)):
            raise ValidationFailed(
                "has more than %(digits)s decimal places",
                field="principal",
                params={"digits": self.digits},
            )
        if not (len(self.currency) == 3 and self.currency.isalpha() and self.currency.isupper()):
            raise ValidationFailed("must be an ISO 4217 code such as CNY", field="currency")
        for name in ("disbursement_date", "first_due_date"):
            day = getattr(self, name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                raise ValidationFailed("must be between 1900-01-01 and 2199-12-31", field=name)
        if self.first_due_date is not None and self.first_due_date <= self.disbursement_date:
            raise ValidationFailed("must be after disbursement_date", field="first_due_date")
        self._check_grace()
        self._check_multiple()
        self._check_fees()

    @property
    def accrual_dates(self) -> InterestDates:
        """The resolved ``interest_dates`` setting."""
        if self.interest_dates is not None:
            return self.interest_dates
        if self.interest_basis is InterestBasis.DAILY:
            return InterestDates.ADJUSTED
        return InterestDates.UNADJUSTED

    @property
    def principal_grace(self) -> int:
        """Installments that repay no principal because of either grace."""
        return max(self.grace_principal_periods, self.grace_interest_periods)

    @property
    def upfront_fees(self) -> tuple[Fee, ...]:
        return tuple(fee for fee in self.fees if fee.charged is FeeCharge.UPFRONT)

    @property
    def installment_fees(self) -> tuple[Fee, ...]:
        return tuple(fee for fee in self.fees if fee.charged is FeeCharge.PER_INSTALLMENT)

    def _check_grace(self) -> None:
        for name in ("grace_principal_periods", "grace_interest_periods"):
            _require_int(getattr(self, name), name, 0, MAX_TERM)
            if getattr(self, name) and self.method is RepaymentMethod.BULLET:
                raise ValidationFailed("a bullet loan has a single installment", field=name)
        if self.grace_principal_periods and self.method is RepaymentMethod.INTEREST_ONLY:
            raise ValidationFailed(
                "interest_only already repays all principal at the end",
                field="grace_principal_periods",
            )
        if self.principal_grace >= self.term:
            name = "grace_interest_periods"
            if self.grace_principal_periods >= self.grace_interest_periods:
                name = "grace_principal_periods"
            raise ValidationFailed("must leave at least one installment after it", field=name)

    def _check_multiple(self) -> None:
        multiple = self.installment_multiple
        if multiple is None:
            return
        _require_decimal(multiple, "installment_multiple")
        if self.method in (RepaymentMethod.INTEREST_ONLY, RepaymentMethod.BULLET):
            raise ValidationFailed(
                "%(method)s has no level installment to round",
                field="installment_multiple",
                params={"method": self.method},
            )
        if multiple <= 0 or multiple % quantum(self.digits) != 0:
            raise ValidationFailed(
                "must be a positive multiple of %(digits)s",
                field="installment_multiple",
                params={"digits": quantum(self.digits)},
            )

    def _check_fees(self) -> None:
        upfront = Decimal(0)
        for fee in self.fees:
            if not isinstance(fee, Fee):
                raise ValidationFailed("must be Fee values", field="fees")
            if fee.charged is FeeCharge.UPFRONT:
                upfront += fee_amount(fee, self.principal, self.digits, self.rounding)
        if upfront >= self.principal:
            raise ValidationFailed("upfront fees take the whole principal", field="fees")


def fee_amount(fee: Fee, base_amount: Decimal, digits: int, rounding: Rounding) -> Decimal:
    """The fee charged on ``base_amount`` (the loan, or the outstanding balance), rounded."""
    raw = fee.amount if fee.amount is not None else base_amount * (fee.percent or 0) / 100
    return raw.quantize(quantum(digits), rounding=rounding.mode)


class Installment(NamedTuple):
    """One row of a schedule. ``balance`` is the principal outstanding after it is paid."""

    n: int
    due_date: date  # after business-day adjustment: when the money moves
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    balance: Decimal
    accrual_start: date  # the period interest accrues over (per ``interest_dates``)
    accrual_end: date


@dataclass(frozen=True, slots=True)
class Schedule:
    """The installments of a loan, as built from its terms."""

    terms: Terms
    installments: tuple[Installment, ...]
    upfront_fee: Decimal

    @property
    def total_principal(self) -> Decimal:
        return sum((i.principal for i in self.installments), Decimal(0))

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.installments), Decimal(0))

    @property
    def total_fee(self) -> Decimal:
        """Per-installment fees only; ``upfront_fee`` is apart."""
        return sum((i.fee for i in self.installments), Decimal(0))

    @property
    def total_payments(self) -> Decimal:
        return sum((i.total for i in self.installments), Decimal(0))

    @property
    def amount_received(self) -> Decimal:
        """What the borrower actually gets on the disbursement date."""
        return self.terms.principal - self.upfront_fee


_ENUM_FIELDS: tuple[tuple[str, type[StrEnum]], ...] = (
    ("method", RepaymentMethod),
    ("interest_basis", InterestBasis),
    ("day_count", DayCount),
    ("rounding", Rounding),
    ("grace_interest", GraceInterest),
    ("business_day", BusinessDayConvention),
    ("interest_dates", InterestDates),
)


def _coerce(owner: object, name: str, kind: type[StrEnum], where: str | None = None) -> None:
    """Accept the enum's text value for an enum field (a frozen dataclass sets it once)."""
    value = getattr(owner, name)
    if value is None or type(value) is kind:
        return
    try:
        object.__setattr__(owner, name, kind(value))
    except ValueError:
        choices = ", ".join(kind)
        raise ValidationFailed(
            "must be one of %(choices)s", field=where or name, params={"choices": choices}
        ) from None


def _require_decimal(value: object, name: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed("must be a finite decimal number", field=name)


def _require_int(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("must be a whole number", field=name)
    if not low <= value <= high:
        raise ValidationFailed(
            "must be between %(low)s and %(high)s", field=name, params={"low": low, "high": high}
        )

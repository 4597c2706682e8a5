"""Loan terms and schedules as JSON: what the ``schedule`` command and the API read and write.

Input is validated in two steps: pydantic checks shapes and types, then ``Terms`` checks the
rules between fields. Either way a ``ValidationFailed`` names the field (``fees.0.amount``).
Amounts and rates are decimal strings or JSON numbers read as exact decimals; never floats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from microlend.kernel.calendar import (
    BusinessCalendar,
    BusinessDayConvention,
    china_mainland,
    weekends_only,
)
from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import Frequency
from microlend.kernel.money import Rounding
from microlend.loans.calculator.apr import AnnualPercentageRate
from microlend.loans.calculator.model import (
    Fee,
    FeeBase,
    FeeCharge,
    GraceInterest,
    InterestBasis,
    InterestDates,
    RepaymentMethod,
    Schedule,
    Terms,
)

In = TypeVar("In")
Out = TypeVar("Out")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('must be a decimal string such as "12.5", not a binary float')
    return value


class FeeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="fee", min_length=1, max_length=60)
    charged: FeeCharge
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: FeeBase = FeeBase.PRINCIPAL

    _decimals = field_validator("amount", "percent", mode="before")(_no_float)


class TermsInput(BaseModel):
    """The JSON shape of loan terms. Only principal, annual_rate, term and method are required."""

    model_config = ConfigDict(extra="forbid")

    principal: Decimal
    annual_rate: Decimal
    term: int = Field(strict=True)
    method: RepaymentMethod
    frequency: str = "monthly"
    disbursement_date: date | None = None
    first_due_date: date | None = None
    interest_basis: InterestBasis = InterestBasis.PERIOD
    day_count: str = "30/360"
    rounding: Rounding = Rounding.HALF_UP
    digits: int = Field(default=2, strict=True)
    installment_multiple: Decimal | None = None
    grace_principal_periods: int = Field(default=0, strict=True)
    grace_interest_periods: int = Field(default=0, strict=True)
    grace_interest: GraceInterest = GraceInterest.DEFERRED
    business_day: BusinessDayConvention = BusinessDayConvention.NONE
    calendar: Literal["CN", "weekends"] = "CN"
    weekend: list[Weekday] = ["saturday", "sunday"]
    interest_dates: InterestDates | None = None
    fees: list[FeeInput] = []
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

    _decimals = field_validator("principal", "annual_rate", "installment_multiple", mode="before")(
        _no_float
    )

    def to_terms(self, default_disbursement: date) -> Terms:
        disbursed = self.disbursement_date or default_disbursement
        frequency = _parsed(Frequency.parse, self.frequency, "frequency")
        return Terms(
            principal=self.principal,
            annual_rate=self.annual_rate,
            term=self.term,
            method=self.method,
            disbursement_date=disbursed,
            frequency=frequency,
            first_due_date=self.first_due_date,
            interest_basis=self.interest_basis,
            day_count=_parsed(DayCount.parse, self.day_count, "day_count"),
            rounding=self.rounding,
            digits=self.digits,
            installment_multiple=self.installment_multiple,
            grace_principal_periods=self.grace_principal_periods,
            grace_interest_periods=self.grace_interest_periods,
            grace_interest=self.grace_interest,
            business_day=self.business_day,
            calendar=self._calendar(disbursed, frequency),
            interest_dates=self.interest_dates,
            fees=tuple(
                Fee(name=f.name, charged=f.charged, amount=f.amount, percent=f.percent, base=f.base)
                for f in self.fees
            ),
            currency=self.currency,
        )

    def _calendar(self, disbursed: date, frequency: Frequency) -> BusinessCalendar:
        weekend = [WEEKDAYS.index(day) for day in self.weekend]
        if self.business_day is BusinessDayConvention.NONE or self.calendar == "weekends":
            return _parsed(weekends_only, weekend, "weekend")
        last = frequency.date_after(self.first_due_date or disbursed, self.term)
        return _parsed(
            lambda days: china_mainland(range(disbursed.year, last.year + 2), days),
            weekend,
            "weekend",
        )


def parse_terms(document: object, *, default_disbursement: date) -> Terms:
    """``Terms`` from decoded JSON; any problem is a ``ValidationFailed`` naming the field."""
    if not isinstance(document, dict):
        raise ValidationFailed("must be a JSON object", field="terms")
    try:
        terms_input = TermsInput.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "terms"
        raise ValidationFailed(first["msg"], field=where) from None
    return terms_input.to_terms(default_disbursement)


def schedule_document(schedule: Schedule, apr: AnnualPercentageRate) -> dict[str, Any]:
    """The schedule as JSON-ready data: every amount a decimal string."""
    return {
        "installments": [
            {
                "n": row.n,
                "due_date": row.due_date.isoformat(),
                "principal": format(row.principal, "f"),
                "interest": format(row.interest, "f"),
                "fee": format(row.fee, "f"),
                "total": format(row.total, "f"),
                "balance": format(row.balance, "f"),
            }
            for row in schedule.installments
        ],
        "totals": {
            "principal": format(schedule.total_principal, "f"),
            "interest": format(schedule.total_interest, "f"),
            "fee": format(schedule.total_fee, "f"),
            "total": format(schedule.total_payments, "f"),
        },
        "apr": {"nominal": format(apr.nominal, "f"), "effective": format(apr.effective, "f")},
    }


def _parsed(parse: Callable[[In], Out], value: In, field: str) -> Out:
    try:
        return parse(value)
    except ValueError as error:
        raise ValidationFailed(str(error), field=field) from None

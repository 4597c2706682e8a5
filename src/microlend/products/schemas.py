"""Products as JSON: the terms document stored in ``product_versions.terms`` and the API bodies.

``ProductTermsIn`` is both the API's shape of a product's terms and the stored document: amounts
and rates are decimal strings (a JSON float is refused), enums their text values, the frequency
its name (``monthly``, ``every 2 weeks``). ``terms_from_document`` checks shapes with pydantic and
the rules with ``ProductTerms``; either way a ``ValidationFailed`` names the field (``terms.fees.0.
amount``, ``terms.max_amount``).
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.frequency import Frequency
from microlend.kernel.ids import Id
from microlend.kernel.money import Rounding
from microlend.loans.calculator.model import InterestBasis, RepaymentMethod
from microlend.loans.calculator.servicing_terms import (
    DEFAULT_ALLOCATION,
    PenaltyBase,
    PenaltyTerms,
    PrepaymentMode,
)
from microlend.products.model import (
    DEFAULT_FUND_USAGE_DAYS,
    CustomerKind,
    FeeBaseName,
    FeeCharged,
    ProductFee,
    ProductTerms,
)
from microlend.products.views import ProductView
from microlend.web.kit.view_schemas import from_view


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('must be a decimal string such as "12.5", not a binary float')
    return value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class ProductFeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60, examples=["手续费"])
    charged: FeeCharged
    amount: Decimal | None = Field(None, examples=["200.00"])
    percent: Decimal | None = Field(None, examples=["1.5"])
    base: FeeBaseName = "principal"

    _decimals = field_validator("amount", "percent", mode="before")(_no_float)


class PenaltyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    multiplier: Decimal = Field(Decimal("1.5"), examples=["1.5"])
    base: PenaltyBase = PenaltyBase.OVERDUE_PRINCIPAL
    grace_days: int = Field(0, strict=True)
    compound: bool = False

    _decimals = field_validator("multiplier", mode="before")(_no_float)


class ProductTermsIn(BaseModel):
    """A product version's terms (see ``products.model.ProductTerms`` for their meaning)."""

    model_config = ConfigDict(extra="forbid")

    customer_kinds: list[CustomerKind] = Field(min_length=1, examples=[["individual"]])
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    min_amount: Decimal = Field(examples=["1000.00"])
    max_amount: Decimal = Field(examples=["200000.00"])
    min_term: int = Field(strict=True, examples=[3])
    max_term: int = Field(strict=True, examples=[36])
    methods: list[RepaymentMethod] = Field(min_length=1, examples=[["equal_installment"]])
    frequency: str = "monthly"
    min_rate: Decimal = Field(examples=["8"])
    max_rate: Decimal = Field(examples=["24"])
    grade_rates: dict[str, Decimal] = Field(default_factory=dict, examples=[{"A": "8", "B": "12"}])
    interest_basis: InterestBasis = InterestBasis.PERIOD
    day_count: str = "30/360"
    rounding: Rounding = Rounding.HALF_UP
    digits: int = Field(2, strict=True)
    installment_multiple: Decimal | None = None
    grace_principal_periods: int = Field(0, strict=True)
    grace_interest_periods: int = Field(0, strict=True)
    fees: list[ProductFeeIn] = Field(default_factory=list)
    penalty: PenaltyIn = Field(default_factory=PenaltyIn)
    allocation_order: str | list[str] = DEFAULT_ALLOCATION
    prepayment_allowed: bool = True
    prepayment_mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM
    collateral_required: bool = False
    guarantors_required: int = Field(0, strict=True)
    required_documents: list[str] = Field(default_factory=lambda: ["id_copy"])
    investigation_template: Literal["individual", "enterprise"] = "individual"
    approval_chain: str = Field("", max_length=40)
    apr_cap: Decimal = Field(Decimal(24), examples=["24"])
    fund_usage_days: int = Field(DEFAULT_FUND_USAGE_DAYS, strict=True)

    _decimals = field_validator(
        "min_amount", "max_amount", "min_rate", "max_rate", "installment_multiple", "apr_cap",
        mode="before",
    )(_no_float)  # fmt: skip

    @field_validator("grade_rates", mode="before")
    @classmethod
    def _grade_decimals(cls, value: object) -> object:
        if isinstance(value, dict):
            for rate in value.values():
                _no_float(rate)
        return value

    def to_terms(self) -> ProductTerms:
        try:
            frequency = Frequency.parse(self.frequency)
        except ValueError as error:
            raise ValidationFailed(str(error), field="terms.frequency") from None
        try:
            day_count = DayCount.parse(self.day_count)
        except ValueError as error:
            raise ValidationFailed(str(error), field="terms.day_count") from None
        try:
            penalty = PenaltyTerms(**self.penalty.model_dump())
        except ValidationFailed as error:
            raise ValidationFailed(
                error.template, field=f"terms.{error.field}", params=error.params
            ) from None
        return ProductTerms(
            customer_kinds=tuple(self.customer_kinds),
            currency=self.currency,
            min_amount=self.min_amount,
            max_amount=self.max_amount,
            min_term=self.min_term,
            max_term=self.max_term,
            methods=tuple(self.methods),
            frequency=frequency,
            min_rate=self.min_rate,
            max_rate=self.max_rate,
            grade_rates=dict(self.grade_rates),
            interest_basis=self.interest_basis,
            day_count=day_count,
            rounding=self.rounding,
            digits=self.digits,
            installment_multiple=self.installment_multiple,
            grace_principal_periods=self.grace_principal_periods,
            grace_interest_periods=self.grace_interest_periods,
            fees=tuple(ProductFee(**fee.model_dump()) for fee in self.fees),
            penalty=penalty,
            allocation_order=(
                self.allocation_order
                if isinstance(self.allocation_order, str)
                else tuple(self.allocation_order)
            ),
            prepayment_allowed=self.prepayment_allowed,
            prepayment_mode=self.prepayment_mode,
            collateral_required=self.collateral_required,
            guarantors_required=self.guarantors_required,
            required_documents=tuple(self.required_documents),
            investigation_template=self.investigation_template,
            approval_chain=self.approval_chain,
            apr_cap=self.apr_cap,
            fund_usage_days=self.fund_usage_days,
        )


def _field_of(error: ValidationError, prefix: str) -> tuple[str, str]:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return first["msg"], f"{prefix}.{where}" if where else prefix


def terms_from_document(doc: object) -> ProductTerms:
    """``ProductTerms`` from a stored or posted terms document (a dict)."""
    if isinstance(doc, ProductTermsIn):
        return doc.to_terms()
    if not isinstance(doc, dict):
        raise ValidationFailed("must be a JSON object", field="terms")
    try:
        parsed = ProductTermsIn.model_validate(doc)
    except ValidationError as error:
        message, where = _field_of(error, "terms")
        raise ValidationFailed(message, field=where) from None
    return parsed.to_terms()


def _fee_document(fee: ProductFee) -> dict[str, Any]:
    return {
        "name": fee.name,
        "charged": fee.charged,
        "amount": _text(fee.amount),
        "percent": _text(fee.percent),
        "base": fee.base,
    }


def document_of(terms: ProductTerms) -> dict[str, Any]:
    """The JSON document of ``terms`` (decimal strings, enum values), as stored."""
    return {
        "customer_kinds": list(terms.customer_kinds),
        "currency": terms.currency,
        "min_amount": _text(terms.min_amount),
        "max_amount": _text(terms.max_amount),
        "min_term": terms.min_term,
        "max_term": terms.max_term,
        "methods": [method.value for method in terms.methods],
        "frequency": terms.frequency.name,
        "min_rate": _text(terms.min_rate),
        "max_rate": _text(terms.max_rate),
        "grade_rates": {grade: _text(rate) for grade, rate in terms.grade_rates.items()},
        "interest_basis": terms.interest_basis.value,
        "day_count": terms.day_count.value,
        "rounding": terms.rounding.value,
        "digits": terms.digits,
        "installment_multiple": _text(terms.installment_multiple),
        "grace_principal_periods": terms.grace_principal_periods,
        "grace_interest_periods": terms.grace_interest_periods,
        "fees": [_fee_document(fee) for fee in terms.fees],
        "penalty": {
            "multiplier": _text(terms.penalty.multiplier),
            "base": terms.penalty.base.value,
            "grace_days": terms.penalty.grace_days,
            "compound": terms.penalty.compound,
        },
        "allocation_order": (
            terms.allocation_order
            if isinstance(terms.allocation_order, str)
            else list(terms.allocation_order)
        ),
        "prepayment_allowed": terms.prepayment_allowed,
        "prepayment_mode": terms.prepayment_mode.value,
        "collateral_required": terms.collateral_required,
        "guarantors_required": terms.guarantors_required,
        "required_documents": list(terms.required_documents),
        "investigation_template": terms.investigation_template,
        "approval_chain": terms.approval_chain,
        "apr_cap": _text(terms.apr_cap),
        "fund_usage_days": terms.fund_usage_days,
    }


# ---- API bodies -------------------------------------------------------------------------------


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=30, examples=["IND-BIZ"])
    name: str = Field(min_length=1, max_length=100, examples=["个人经营贷"])
    company_id: Id | None = Field(None, description="Default: the acting user's company.")
    terms: ProductTermsIn


class ProductReviseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: ProductTermsIn


class ProductVersionOut(BaseModel):
    id: int
    product_id: Id
    company_id: Id
    code: str
    name: str
    version: int
    customer_kind: str
    currency: str
    terms: dict[str, Any]
    created_by: int | None
    created_at: datetime


@from_view(ProductView)
class ProductOut(BaseModel):
    current: ProductVersionOut | None = None
    versions: list[ProductVersionOut] = Field(default_factory=list)


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(examples=["50000.00"])
    term: int = Field(strict=True, ge=1, examples=[12])
    rate: Decimal = Field(examples=["12"])
    method: RepaymentMethod
    date: dt.date = Field(description="The disbursement date.")
    first_due_date: dt.date | None = None
    version_id: Id | None = Field(None, description="Default: the product's current version.")

    _decimals = field_validator("amount", "rate", mode="before")(_no_float)


class InstallmentOut(BaseModel):
    # one row of a schedule, also the applications API's; reads a calculator ``Installment``
    model_config = ConfigDict(from_attributes=True)

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    balance: Decimal


class AprOut(BaseModel):
    nominal: Decimal
    effective: Decimal


class QuoteOut(BaseModel):
    product_id: Id
    version_id: Id
    version: int
    currency: str
    amount: Decimal
    term: int
    rate: Decimal
    method: RepaymentMethod
    apr: AprOut
    total_interest: Decimal
    total_fees: Decimal
    upfront_fees: Decimal
    net_disbursed: Decimal
    first_installment: Decimal
    total_repayment: Decimal
    total_cost: Decimal
    installments: list[InstallmentOut]

"""Request and response bodies of the applications API (amounts and rates are decimal strings).

The response bodies are the service's views (``origination.views``) as pydantic models
(``from_view``); only their descriptions and the fields the API leaves out are written here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from microlend.kernel.ids import Id
from microlend.origination.views import (
    ApplicationDetail,
    ApplicationView,
    AttachmentView,
    CollateralView,
    ContractView,
    EventView,
    PartyView,
    ReportView,
)
from microlend.products.schemas import InstallmentOut
from microlend.web.kit.view_schemas import from_view


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('write amounts and rates as decimal strings, such as "12.50"')
    return value


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    product_version_id: Id
    amount: Decimal = Field(examples=["50000.00"])
    term_count: int = Field(ge=1, examples=[12])
    annual_rate: Decimal = Field(examples=["12"])
    method: str = Field(examples=["equal_installment"])
    purpose: str = Field(min_length=1, max_length=1000)

    _decimals = field_validator("amount", "annual_rate", mode="before")(_no_float)


class ApplicationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_version_id: Id
    amount: Decimal = Field(examples=["50000.00"])
    term_count: int = Field(ge=1)
    annual_rate: Decimal
    method: str
    purpose: str = Field(min_length=1, max_length=1000)

    _decimals = field_validator("amount", "annual_rate", mode="before")(_no_float)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


@from_view(ApplicationView)
class ApplicationOut(BaseModel):
    actions: list[str] = Field(description="The moves the life cycle allows from this status.")


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["co_borrower", "guarantor"]
    customer_id: Id
    relation: str = Field("", max_length=50, examples=["spouse"])


@from_view(PartyView)
class PartyOut(BaseModel):
    pass


class CollateralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(examples=["real_estate", "vehicle"])
    description: str = Field(min_length=1, max_length=2000)
    value: Decimal = Field(examples=["500000.00"])
    appraisal_value: Decimal | None = Field(None, examples=["450000.00"])
    appraiser: str | None = None
    appraised_on: date | None = None

    _decimals = field_validator("value", "appraisal_value", mode="before")(_no_float)


@from_view(CollateralView)
class CollateralOut(BaseModel):
    loan_to_value: Decimal | None = Field(description="Requested amount / appraisal value.")


@from_view(EventView)
class EventOut(BaseModel):
    pass


@from_view(AttachmentView)
class AttachmentOut(BaseModel):
    pass


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Answers per section of the product's template (see the template route).",
    )
    recommendation: Literal["approve", "decline"] | None = None
    suggested_amount: Decimal | None = None
    suggested_term_count: int | None = Field(None, ge=1)
    suggested_annual_rate: Decimal | None = None
    opinion: str = Field("", max_length=4000)

    _decimals = field_validator("suggested_amount", "suggested_annual_rate", mode="before")(
        _no_float
    )


@from_view(ReportView)
class ReportOut(BaseModel):
    pass


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disbursement_date: date | None = Field(None, description="Default: the business date.")
    first_due_date: date | None = None


@from_view(ContractView, omit=("disclosure",))
class ContractOut(BaseModel):
    apr: Decimal = Field(description="Nominal annual IRR of the cash flows, fees included.")


@from_view(ApplicationDetail, omit=("warnings",))
class ApplicationDetailOut(BaseModel):
    pass


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_version_id: Id
    amount: Decimal
    term_count: int = Field(ge=1)
    annual_rate: Decimal
    method: str
    disbursement_date: date | None = None

    _decimals = field_validator("amount", "annual_rate", mode="before")(_no_float)


class QuoteOut(BaseModel):
    apr: Decimal
    apr_effective: Decimal
    total_interest: Decimal
    total_fees: Decimal
    upfront_fees: Decimal
    net_disbursed: Decimal
    first_installment: Decimal
    total_repayment: Decimal
    schedule: list[InstallmentOut]


class FieldSpecOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class SectionSpecOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    fields: list[FieldSpecOut]
    photos: bool

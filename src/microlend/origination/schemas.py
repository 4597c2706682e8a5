"""Request and response bodies of the applications API (amounts and rates are decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('write amounts and rates as decimal strings, such as "12.50"')
    return value


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int
    product_version_id: int
    amount: Decimal = Field(examples=["50000.00"])
    term_count: int = Field(ge=1, examples=[12])
    annual_rate: Decimal = Field(examples=["12"])
    method: str = Field(examples=["equal_installment"])
    purpose: str = Field(min_length=1, max_length=1000)

    _decimals = field_validator("amount", "annual_rate", mode="before")(_no_float)


class ApplicationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_version_id: int
    amount: Decimal = Field(examples=["50000.00"])
    term_count: int = Field(ge=1)
    annual_rate: Decimal
    method: str
    purpose: str = Field(min_length=1, max_length=1000)

    _decimals = field_validator("amount", "annual_rate", mode="before")(_no_float)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    status: str
    company_id: int
    office_id: int
    owner_id: int
    owner_name: str
    customer_id: int
    customer_name: str
    customer_kind: str
    product_version_id: int
    product_name: str
    currency: str
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    method: str
    purpose: str
    approved_amount: Decimal | None
    approved_term_count: int | None
    approved_annual_rate: Decimal | None
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="The moves the life cycle allows from this status.")


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["co_borrower", "guarantor"]
    customer_id: int
    relation: str = Field("", max_length=50, examples=["spouse"])


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    customer_id: int
    customer_name: str
    relation: str


class CollateralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(examples=["real_estate", "vehicle"])
    description: str = Field(min_length=1, max_length=2000)
    value: Decimal = Field(examples=["500000.00"])
    appraisal_value: Decimal | None = Field(None, examples=["450000.00"])
    appraiser: str | None = None
    appraised_on: date | None = None

    _decimals = field_validator("value", "appraisal_value", mode="before")(_no_float)


class CollateralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    description: str
    currency: str
    value: Decimal
    appraisal_value: Decimal | None
    appraiser: str | None
    appraised_on: date | None
    loan_to_value: Decimal | None = Field(description="Requested amount / appraisal value.")


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    actor_id: int | None
    actor_name: str
    note: str
    reasons: list[str]
    occurred_at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    section: str
    kind: str
    caption: str
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_at: datetime


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


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    author_id: int
    author_name: str
    template: str
    status: str
    sections: dict[str, dict[str, Any]]
    recommendation: str | None
    suggested_amount: Decimal | None
    suggested_term_count: int | None
    suggested_annual_rate: Decimal | None
    opinion: str
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    attachments: list[AttachmentOut]


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disbursement_date: date | None = Field(None, description="Default: the business date.")
    first_due_date: date | None = None


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    number: str
    currency: str
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    method: str
    apr: Decimal = Field(description="Nominal annual IRR of the cash flows, fees included.")
    disbursement_date: date
    first_due_date: date
    pdf_hash: str
    created_at: datetime


class ApplicationDetailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    application: ApplicationOut
    parties: list[PartyOut]
    collateral: list[CollateralOut]
    events: list[EventOut]
    reports: list[ReportOut]
    contract: ContractOut | None


class InstallmentOut(BaseModel):
    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    balance: Decimal


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_version_id: int
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

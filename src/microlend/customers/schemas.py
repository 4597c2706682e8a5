"""Request and response bodies of the customers API (amounts are decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Amount = Decimal | None


class IndividualCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_kind: str = Field("resident_id", examples=["resident_id", "passport"])
    id_number: str = Field(min_length=1, max_length=40, examples=["11010519491231002X"])
    name: str = Field(min_length=1, max_length=200, examples=["张三"])
    office_id: int | None = None
    phone: str | None = Field(None, examples=["13800000001"])
    address: str | None = None
    marital_status: str | None = None
    education: str | None = None
    employer: str | None = None
    monthly_income: Amount = Field(None, examples=["8000.00"])


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(min_length=1, max_length=40, description="The USCC (统一社会信用代码).",
                           examples=["91350100M000100Y43"])  # fmt: skip
    name: str = Field(min_length=1, max_length=200)
    office_id: int | None = None
    phone: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    registered_capital: Amount = None
    industry_code: str | None = Field(None, examples=["C1391"])
    region_code: str | None = Field(None, examples=["350100"])
    founded_on: date | None = None
    employees: int | None = Field(None, ge=0)


class CustomerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    phone: str | None = None
    address: str | None = None
    marital_status: str | None = None
    education: str | None = None
    employer: str | None = None
    monthly_income: Amount = None
    legal_representative: str | None = None
    registered_capital: Amount = None
    industry_code: str | None = None
    region_code: str | None = None
    founded_on: date | None = None
    employees: int | None = Field(None, ge=0)


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    company_id: int
    office_id: int
    owner_id: int | None
    id_kind: str
    id_number: str
    name: str
    phone: str | None
    address: str | None
    birth_date: date | None
    sex: str | None
    marital_status: str | None
    education: str | None
    employer: str | None
    monthly_income: Decimal | None
    legal_representative: str | None
    registered_capital: Decimal | None
    industry_code: str | None
    region_code: str | None
    founded_on: date | None
    employees: int | None
    currency: str


class HolderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    owner_id: int | None
    owner_name: str | None
    office_id: int
    office_name: str
    company_id: int
    company_name: str
    held_since: date | None
    last_activity_on: date | None
    protection_ends: date | None
    held: bool


class FinancialsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(examples=["2024", "2024-12"])
    revenue: Amount = None
    net_profit: Amount = None
    total_assets: Amount = None
    total_liabilities: Amount = None
    current_assets: Amount = None
    current_liabilities: Amount = None
    operating_cash_flow: Amount = None
    monthly_income: Amount = None
    monthly_expense: Amount = None
    monthly_debt_payments: Amount = None


class FinancialOut(FinancialsIn):
    model_config = ConfigDict(from_attributes=True)

    currency: str
    debt_ratio: Decimal | None
    current_ratio: Decimal | None
    debt_to_income: Decimal | None


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_id: int
    relation: str = Field(examples=["spouse", "shareholder", "guarantor"])
    share_percent: Decimal | None = Field(None, examples=["51.00"])


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    relation: str
    direction: str
    other_id: int
    other_name: str
    share_percent: Decimal | None


class GroupMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    exposure: Decimal


class RelatedPartiesOut(BaseModel):
    links: list[LinkOut]
    group: list[GroupMemberOut]
    group_exposure: Decimal


class ListEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list_kind: Literal["black", "watch"]
    id_kind: str = "resident_id"
    id_number: str
    name: str
    reason: str
    source: str = "manual"


class ListEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    list_kind: str
    id_kind: str
    id_number: str
    name: str
    reason: str
    source: str
    active: bool
    created_at: datetime


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    doc_type: str
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_by: int | None
    uploaded_at: datetime


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    body: str
    author_id: int | None
    created_at: datetime


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    value: str
    label: str


class BankAccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    bank_name: str
    account_no: str
    account_name: str


class RepaymentBehaviourOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    max_dpd: int
    current_dpd: int
    late_payments: int
    in_default: bool


class File360SectionOut(BaseModel):
    """A section another context adds to the 360 (title and columns are English msgids)."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    links: list[str | None]
    empty_text: str


class CustomerFileOut(BaseModel):
    """The customer 360. Exposure, repayment behaviour and the further sections come from the
    contexts above customers (zero and empty until they report)."""

    model_config = ConfigDict(from_attributes=True)

    customer: CustomerOut
    holder: HolderOut
    contacts: list[ContactOut]
    bank_accounts: list[BankAccountOut]
    financials: list[FinancialOut]
    links: list[LinkOut]
    group: list[GroupMemberOut]
    own_exposure: Decimal
    group_exposure: Decimal
    warnings: list[ListEntryOut]
    documents: list[DocumentOut]
    notes: list[NoteOut]
    repayment: RepaymentBehaviourOut
    sections: list[File360SectionOut]


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_user_id: int
    reason: str = Field(min_length=1, max_length=500, examples=["officer leaves the branch"])


class TransferDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: str = Field("", max_length=500)


class TransferRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    customer_name: str
    from_owner_id: int | None
    from_owner_name: str | None
    to_user_id: int
    to_user_name: str
    requested_by: int
    requested_by_name: str
    reason: str
    status: str
    decided_by: int | None
    opinion: str | None
    requested_at: datetime
    decided_at: datetime | None


class PoolSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    protection_days: int
    group_shared: bool
    company_shared: bool | None
    shared: bool
    sharing_companies: list[str]


class PoolSettingsIn(BaseModel):
    """The company's pool: ``shared_in_group`` null follows the group's setting."""

    model_config = ConfigDict(extra="forbid")

    protection_days: int = Field(ge=1, le=3650)
    shared_in_group: bool | None = None


class GroupPoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shared: bool


class PoolEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer: CustomerOut
    owner_name: str | None
    office_name: str
    company_name: str
    protection_ends: date | None
    in_pool: bool


class CollisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    attempted_by: int | None
    office_id: int
    holder_id: int | None
    holder_office_id: int
    holder_company_id: int
    channel: str
    occurred_at: datetime
    customer_name: str
    attempted_by_name: str | None
    holder_name: str | None

"""Request and response bodies of the customers API (amounts are decimal strings).

Most response bodies are the service's views (``customers.views``) as pydantic models
(``from_view``), so their fields are written once, in the views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microlend.customers.views import (
    BankAccountView,
    CollisionView,
    ContactView,
    CustomerFile,
    CustomerView,
    DocumentView,
    File360Section,
    GroupMemberView,
    HolderView,
    LinkView,
    ListEntryView,
    NoteView,
    PoolEntryView,
    PoolSettingsView,
    RepaymentBehaviour,
    TransferRequestView,
)
from microlend.kernel.ids import Id
from microlend.web.kit.view_schemas import from_view

Amount = Decimal | None


class IndividualCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_kind: str = Field("resident_id", examples=["resident_id", "passport"])
    id_number: str = Field(min_length=1, max_length=40, examples=["11010519491231002X"])
    name: str = Field(min_length=1, max_length=200, examples=["张三"])
    office_id: Id | None = None
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
    office_id: Id | None = None
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


@from_view(CustomerView, omit=("created_at",))
class CustomerOut(BaseModel):
    pass


@from_view(HolderView)
class HolderOut(BaseModel):
    pass


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

    to_id: Id
    relation: str = Field(examples=["spouse", "shareholder", "guarantor"])
    share_percent: Decimal | None = Field(None, examples=["51.00"])


@from_view(LinkView)
class LinkOut(BaseModel):
    pass


@from_view(GroupMemberView)
class GroupMemberOut(BaseModel):
    pass


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


@from_view(ListEntryView)
class ListEntryOut(BaseModel):
    pass


@from_view(DocumentView)
class DocumentOut(BaseModel):
    pass


@from_view(NoteView)
class NoteOut(BaseModel):
    pass


@from_view(ContactView)
class ContactOut(BaseModel):
    pass


@from_view(BankAccountView)
class BankAccountOut(BaseModel):
    pass


class BankAccountIn(BaseModel):
    """A bank account in the customer's name (an individual's must be; empty: the customer's)."""

    model_config = ConfigDict(extra="forbid")

    bank_name: str = Field(examples=["中国工商银行"])
    account_no: str = Field(examples=["6222 0212 3456 7890 123"])
    account_name: str = ""


@from_view(RepaymentBehaviour)
class RepaymentBehaviourOut(BaseModel):
    pass


@from_view(File360Section)
class File360SectionOut(BaseModel):
    """A section another context adds to the 360 (title, columns and the cells of the
    ``translated`` columns are English msgids)."""


@from_view(CustomerFile)
class CustomerFileOut(BaseModel):
    """The customer 360. Exposure, repayment behaviour and the further sections come from the
    contexts above customers (zero and empty until they report)."""

    financials: list[FinancialOut]  # its own model: FinancialsIn's fields, then the ratios


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_user_id: Id
    reason: str = Field(min_length=1, max_length=500, examples=["officer leaves the branch"])


class TransferDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: str = Field("", max_length=500)


@from_view(TransferRequestView)
class TransferRequestOut(BaseModel):
    pass


@from_view(PoolSettingsView)
class PoolSettingsOut(BaseModel):
    pass


class PoolSettingsIn(BaseModel):
    """The company's pool: ``shared_in_group`` null follows the group's setting."""

    model_config = ConfigDict(extra="forbid")

    protection_days: int = Field(ge=1, le=3650)
    shared_in_group: bool | None = None


class GroupPoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shared: bool


@from_view(PoolEntryView)
class PoolEntryOut(BaseModel):
    pass


@from_view(CollisionView)
class CollisionOut(BaseModel):
    pass

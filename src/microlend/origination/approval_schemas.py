"""Request and response bodies of the approvals API (amounts are decimal strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Out = ConfigDict(from_attributes=True)


class ConditionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal | None = Field(None, description="A lower amount.", examples=["80000.00"])
    term_count: int | None = Field(None, description="A shorter term, in periods.")
    extra_guarantor: bool = Field(False, description="An extra guarantor before the contract.")
    other: str = Field("", max_length=2000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject", "return", "approve_with_conditions"]
    opinion: str = Field(max_length=4000, description="Required: the approver's opinion.")
    conditions: ConditionsIn | None = None


class ConditionsOut(BaseModel):
    model_config = Out

    amount: Decimal | None
    term_count: int | None
    extra_guarantor: bool
    other: str


class StepOut(BaseModel):
    """One decision of the history (a committee member's vote is one)."""

    model_config = Out

    id: int
    round: int
    position: int
    level_name: str
    committee: bool
    actor_id: int
    actor_name: str
    action: str
    opinion: str
    conditions: ConditionsOut | None
    decided_at: datetime


class ApprovalStepOut(BaseModel):
    model_config = Out

    position: int
    level_name: str
    role: str
    location: str
    office_id: int | None
    risk_review: bool
    quorum: int
    committee_size: int
    members: list[int]
    status: str
    activated_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    approvals: int
    rejections: int


class ApprovalOut(BaseModel):
    model_config = Out

    id: int
    application_id: int
    round: int
    chain_id: int
    chain_code: str
    chain_version: int
    referred: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    steps: list[ApprovalStepOut]


class ApprovalOverviewOut(BaseModel):
    model_config = Out

    application_id: int
    approval: ApprovalOut | None
    history: list[StepOut]
    may_act: bool
    refusal: str | None = Field(description="Why the caller may not act now (a stable code).")
    merged_conditions: ConditionsOut | None


class InboxItemOut(BaseModel):
    model_config = Out

    application_id: int
    number: str
    company_id: int
    office_id: int
    office_name: str
    currency: str
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    round: int
    position: int
    step_count: int
    level_name: str
    committee: bool
    approvals: int
    quorum: int
    activated_at: datetime
    due_at: datetime
    overdue: bool
    remaining_seconds: int
    referred: bool


class ChainStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level_name: str = Field(max_length=100, examples=["Branch manager"])
    role: str = Field(max_length=50, examples=["approver"])
    location: Literal["branch", "parent", "head_office", "group"] = "branch"
    final_up_to: Decimal | None = Field(
        None,
        description="The largest amount this step approves on its own (none: any).",
        examples=["50000.00"],
    )
    risk_review: bool = False
    quorum: int = Field(1, ge=1)
    committee_size: int | None = Field(None, ge=1, description="M of 'N of M' (default: N).")
    members: list[int] = Field(default_factory=list, description="Named committee members.")
    veto: bool = Field(False, description="One member's rejection rejects (一票否决).")
    sla_hours: int = Field(24, ge=1)


class ChainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=30, examples=["default"])
    name: str = Field("", max_length=100)
    product_code: str | None = Field(None, max_length=30)
    office_id: int | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    company_id: int | None = Field(None, description="Default: the caller's company.")
    steps: list[ChainStepIn]


class ChainStepOut(BaseModel):
    model_config = Out

    position: int
    level_name: str
    role: str
    location: str
    final_up_to: Decimal | None
    risk_review: bool
    quorum: int
    committee_size: int
    members: list[int]
    veto: bool
    sla_hours: int


class ChainOut(BaseModel):
    model_config = Out

    id: int
    company_id: int
    code: str
    version: int
    name: str
    product_code: str | None
    office_id: int | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    currency: str
    status: str
    created_at: datetime
    steps: list[ChainStepOut]

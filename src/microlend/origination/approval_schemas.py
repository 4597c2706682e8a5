"""Request and response bodies of the approvals API (amounts are decimal strings).

The response bodies are the service's views (``approval_views``, ``approval_chains``) as pydantic
models (``from_view``); only their descriptions are written here."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id
from microlend.origination.approval_chains import ChainStepView, ChainView
from microlend.origination.approval_views import (
    ApprovalOverview,
    ApprovalStepView,
    ApprovalView,
    Conditions,
    InboxItem,
    StepView,
)
from microlend.web.kit.view_schemas import from_view


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


@from_view(Conditions)
class ConditionsOut(BaseModel):
    pass


@from_view(StepView)
class StepOut(BaseModel):
    """One decision of the history (a committee member's vote is one)."""


@from_view(ApprovalStepView)
class ApprovalStepOut(BaseModel):
    pass


@from_view(ApprovalView)
class ApprovalOut(BaseModel):
    pass


@from_view(ApprovalOverview)
class ApprovalOverviewOut(BaseModel):
    refusal: str | None = Field(description="Why the caller may not act now (a stable code).")


@from_view(InboxItem)
class InboxItemOut(BaseModel):
    pass


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
    office_id: Id | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    company_id: Id | None = Field(None, description="Default: the caller's company.")
    steps: list[ChainStepIn]


@from_view(ChainStepView)
class ChainStepOut(BaseModel):
    pass


@from_view(ChainView)
class ChainOut(BaseModel):
    pass

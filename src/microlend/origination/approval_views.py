"""What the approval queries and commands return: frozen views, amounts as ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Conditions:
    """Conditions of an approval (each optional): a lower amount, a shorter term, an extra
    guarantor to be added before the contract, other conditions in words."""

    amount: Decimal | None = None
    term_count: int | None = None
    extra_guarantor: bool = False
    other: str = ""


@dataclass(frozen=True)
class StepView:
    """One decision in an application's approval history (a committee member's vote is one)."""

    id: int
    round: int
    position: int
    level_name: str
    committee: bool
    actor_id: int
    actor_name: str
    action: str
    opinion: str
    conditions: Conditions | None
    decided_at: datetime


@dataclass(frozen=True)
class ApprovalStepView:
    """A step of an approval under way or done, and how its votes stand."""

    position: int
    level_name: str
    role: str
    location: str
    office_id: int | None
    risk_review: bool
    quorum: int
    committee_size: int
    members: tuple[int, ...]
    status: str  # waiting | pending | approved | rejected | returned | cancelled
    activated_at: datetime | None
    due_at: datetime | None
    decided_at: datetime | None
    approvals: int
    rejections: int

    @property
    def committee(self) -> bool:
        return self.committee_size > 1 or bool(self.members)


@dataclass(frozen=True)
class ApprovalView:
    id: int
    application_id: int
    round: int
    chain_id: int
    chain_code: str
    chain_version: int
    referred: bool
    status: str  # in_progress | approved | conditionally_approved | rejected | returned | cancelled
    started_at: datetime
    finished_at: datetime | None
    steps: tuple[ApprovalStepView, ...]

    @property
    def current_step(self) -> ApprovalStepView | None:
        return next((step for step in self.steps if step.status == "pending"), None)


@dataclass(frozen=True)
class InboxItem:
    """An application waiting for the actor's decision at its current step."""

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
    remaining_seconds: int  # negative: how long past due
    referred: bool


@dataclass(frozen=True)
class ApprovalOverview:
    """Everything the approval page shows: the current approval (``None`` before the first
    review), the history of every round, and whether the actor may act now (and if not, why)."""

    application_id: int
    approval: ApprovalView | None
    history: tuple[StepView, ...]
    may_act: bool
    refusal: str | None  # the code of the reason the actor may not act
    merged_conditions: Conditions | None

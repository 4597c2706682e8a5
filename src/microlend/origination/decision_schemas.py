"""Request and response bodies of the decision API (amounts and rates are decimal strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id
from microlend.origination.decision_model import DecisionView
from microlend.origination.limits import LimitSettingsView
from microlend.origination.rules import RuleSetView
from microlend.origination.scorecards import ScorecardView


class RuleHitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    outcome: str
    message: str
    field: str | None
    value: str | None


class LimitCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(examples=["single_borrower", "related_group", "product", "office"])
    limit: Decimal
    current_exposure: Decimal
    requested: Decimal
    headroom: Decimal = Field(description="limit - current exposure, before this loan")
    ok: bool


class PointsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    value: str | None
    bin_label: str
    points: int


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: Id
    outcome: str = Field(examples=["pass", "refer", "decline"])
    reasons: list[RuleHitOut]
    score: int
    grade: str
    base_points: int
    points: list[PointsOut]
    suggested_rate: Decimal
    limit_checks: list[LimitCheckOut]
    rule_set_version: int
    scorecard_version: int
    scorecard_name: str
    inputs: dict[str, Any]
    decided_at: datetime
    decided_by: int | None
    matches: bool | None = Field(None, description="set by a replay: equal to the stored one?")

    @classmethod
    def of(cls, view: DecisionView) -> DecisionOut:
        return cls.model_validate(view)


class RuleOut(BaseModel):
    code: str
    kind: str
    outcome: str
    params: dict[str, Any]
    enabled: bool
    when_missing: str | None


class RuleSetOut(BaseModel):
    id: int
    company_id: Id
    version: int = Field(description="0: the defaults, not stored yet")
    rules: list[RuleOut]
    note: str
    created_by: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, view: RuleSetView) -> RuleSetOut:
        return cls(id=view.id, company_id=view.company_id, version=view.version,
                   rules=[RuleOut(**rule.to_document()) for rule in view.rules], note=view.note,
                   created_by=view.created_by, created_at=view.created_at)  # fmt: skip


class RuleSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[dict[str, Any]] = Field(description="the whole list: code, kind, outcome, params")
    note: str = Field(min_length=1, max_length=500)
    company_id: Id | None = None


class LimitsOut(BaseModel):
    company_id: Id
    settings: dict[str, Any]
    updated_by: int | None
    updated_at: datetime | None

    @classmethod
    def of(cls, view: LimitSettingsView) -> LimitsOut:
        return cls(company_id=view.company_id, settings=view.settings.to_document(),
                   updated_by=view.updated_by, updated_at=view.updated_at)  # fmt: skip


class LimitsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    settings: dict[str, Any] = Field(examples=[{"single_borrower_percent": "10",
                                                "related_group_percent": "15",
                                                "breach_outcome": "refer",
                                                "office_max_amounts": {"3": "50000"}}])  # fmt: skip
    company_id: Id | None = None


class ScorecardOut(BaseModel):
    id: int
    company_id: Id
    customer_kind: str
    version: int = Field(description="0: the illustrative default, not stored yet")
    name: str
    status: str
    source: str
    note: str
    definition: dict[str, Any]
    created_by: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, view: ScorecardView) -> ScorecardOut:
        return cls(id=view.id, company_id=view.company_id, customer_kind=view.customer_kind,
                   version=view.version, name=view.name, status=view.status, source=view.source,
                   note=view.note, definition=view.definition, created_by=view.created_by,
                   created_at=view.created_at)  # fmt: skip


class ScorecardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    definition: dict[str, Any]
    note: str = Field("", max_length=500)
    company_id: Id | None = None

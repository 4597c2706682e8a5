"""Request and response bodies of the auth API (sign-in, users, roles, checks, audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id
from microlend.kernel.principal import DataScope


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    token_id: Id
    expires_at: datetime


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    expires_at: AwareDatetime  # an instant: a time without its zone is refused


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class MeOut(BaseModel):
    user_id: Id | None
    username: str
    display_name: str
    company_id: Id
    office_id: Id
    scope: DataScope
    roles: list[str]
    permissions: list[str]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, examples=["zhang.wei"])
    password: str = Field(min_length=1, max_length=256)
    display_name: str = Field(min_length=1, max_length=100, examples=["张伟"])
    office_id: Id
    roles: list[str] = Field(min_length=1, examples=[["loan_officer"]])
    scope: DataScope = DataScope.OFFICE
    phone: str | None = Field(default=None, max_length=30)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: Id
    office_id: Id
    username: str
    display_name: str
    phone: str | None
    scope: str
    active: bool
    roles: list[str]
    created_at: datetime


class RolesGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[str] = Field(description="The user's roles from now on (replacing the old ones).")
    scope: DataScope | None = None


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: str = Field(min_length=1, max_length=256)


class UserActive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=50)
    name_en: str = Field(min_length=1, max_length=100)
    name_zh: str = Field(min_length=1, max_length=100)
    permissions: list[str]


class RoleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_en: str
    name_zh: str
    builtin: bool
    permissions: list[str]


class PermissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_en: str
    name_zh: str


class PendingItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    command: str
    summary: str
    payload: dict[str, Any]
    maker_username: str
    office_id: Id
    created_at: datetime
    status: str
    checker_username: str | None
    decided_at: datetime | None
    reason: str | None
    entity_id: str | None
    can_decide: bool


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class ApprovalOut(BaseModel):
    pending_id: Id
    status: str = "approved"
    entity_id: str | None


class MakerCheckerRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str
    enabled: bool


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    recorded_at: datetime
    company_id: Id | None
    user_id: Id | None
    username: str
    address: str | None
    command: str
    entity_type: str | None
    entity_id: str | None
    outcome: str
    error_code: str | None
    input_digest: str
    change_digest: str | None
    hash: str


class ChainProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    kind: str
    message: str


class ChainVerdictOut(BaseModel):
    intact: bool
    problems: list[ChainProblemOut]

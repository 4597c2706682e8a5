"""Request and response bodies of the orgs API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class OfficeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: int = Field(description="The office the new one sits under.")
    code: str = Field(min_length=1, max_length=30, examples=["SZ01"])
    name: str = Field(min_length=1, max_length=200, examples=["深圳分公司"])


class OfficeRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class OfficeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    parent_id: int | None
    code: str
    name: str
    path: str
    depth: int
    active: bool


class OfficeNodeOut(BaseModel):
    office: OfficeOut
    children: list[OfficeNodeOut]


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=200)
    business_date: date
    head_office_name: str = Field(default="Head office", min_length=1, max_length=200)


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    group_id: int
    code: str
    name: str
    currency: str
    timezone: str
    business_date: date
    head_office_id: int | None


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: int
    employee_no: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100)
    position: str = Field(default="", max_length=100)
    phone: str | None = Field(default=None, max_length=30)


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    office_id: int
    employee_no: str
    name: str
    position: str
    phone: str | None
    active: bool

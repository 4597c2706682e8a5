"""Request and response bodies of the orgs API; the responses are ``orgs.model``'s views as
pydantic models (``from_view``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id
from microlend.orgs.model import CompanyView, OfficeView, StaffView
from microlend.web.kit.view_schemas import from_view


class OfficeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: Id = Field(description="The office the new one sits under.")
    code: str = Field(min_length=1, max_length=30, examples=["SZ01"])
    name: str = Field(min_length=1, max_length=200, examples=["深圳分公司"])


class OfficeRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


@from_view(OfficeView)
class OfficeOut(BaseModel):
    pass


class OfficeNodeOut(BaseModel):
    office: OfficeOut
    children: list[OfficeNodeOut]


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=200)
    business_date: date
    head_office_name: str = Field(default="Head office", min_length=1, max_length=200)


@from_view(CompanyView)
class CompanyOut(BaseModel):
    pass


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: Id
    employee_no: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100)
    position: str = Field(default="", max_length=100)
    phone: str | None = Field(default=None, max_length=30)


@from_view(StaffView)
class StaffOut(BaseModel):
    pass

"""``/api/v1`` routes of companies, offices and staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from microlend.kernel.ids import Id
from microlend.orgs import service
from microlend.orgs.model import OfficeNode
from microlend.orgs.schemas import (
    CompanyCreate,
    CompanyOut,
    OfficeCreate,
    OfficeNodeOut,
    OfficeOut,
    OfficeRename,
    StaffCreate,
    StaffOut,
)
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1", tags=["offices"])
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Pending"},
}


def node_out(node: OfficeNode) -> OfficeNodeOut:
    office = OfficeOut.model_validate(node.office)
    return OfficeNodeOut(office=office, children=[node_out(child) for child in node.children])


@router.get("/offices", response_model=PageOut[OfficeOut])
def list_offices(
    uow: UowDep,
    actor: PrincipalDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
    q: str | None = None,
) -> PageOut[OfficeOut]:
    page = service.list_offices(uow, actor, cursor=cursor, limit=limit, q=q)
    return page_out(page, OfficeOut.model_validate)


@router.get("/offices/tree", response_model=list[OfficeNodeOut])
def office_tree(uow: UowDep, actor: PrincipalDep) -> list[OfficeNodeOut]:
    return [node_out(node) for node in service.office_tree(uow, actor)]


@router.get("/offices/{office_id}", response_model=OfficeOut)
def get_office(office_id: Id, uow: UowDep, actor: PrincipalDep) -> OfficeOut:
    return OfficeOut.model_validate(service.get_office(uow, actor, office_id=office_id))


@router.post("/offices", status_code=201, response_model=OfficeOut, responses=CREATED)
def create_office(body: OfficeCreate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.create_office(
            command.uow,
            command.actor,
            parent_id=body.parent_id,
            code=body.code,
            name=body.name,
            now=command.now,
        ),
        OfficeOut.model_validate,
    )


@router.patch("/offices/{office_id}", response_model=OfficeOut, responses=CREATED)
def rename_office(office_id: Id, body: OfficeRename, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.rename_office(
            command.uow, command.actor, office_id=office_id, name=body.name, now=command.now
        ),
        OfficeOut.model_validate,
        status_code=200,
    )


@router.get("/companies", response_model=list[CompanyOut], tags=["companies"])
def list_companies(uow: UowDep, actor: PrincipalDep) -> list[CompanyOut]:
    return [CompanyOut.model_validate(c) for c in service.list_companies(uow, actor)]


@router.post(
    "/companies", status_code=201, response_model=CompanyOut, responses=CREATED, tags=["companies"]
)
def create_company(body: CompanyCreate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.create_company(
            command.uow,
            command.actor,
            code=body.code,
            name=body.name,
            business_date=body.business_date,
            head_office_name=body.head_office_name,
            now=command.now,
        ),
        CompanyOut.model_validate,
    )


@router.get("/staff", response_model=PageOut[StaffOut], tags=["staff"])
def list_staff(
    uow: UowDep,
    actor: PrincipalDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
    q: str | None = None,
) -> PageOut[StaffOut]:
    page = service.list_staff(uow, actor, cursor=cursor, limit=limit, q=q)
    return page_out(page, StaffOut.model_validate)


@router.post("/staff", status_code=201, response_model=StaffOut, responses=CREATED, tags=["staff"])
def create_staff(body: StaffCreate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.create_staff(
            command.uow,
            command.actor,
            office_id=body.office_id,
            employee_no=body.employee_no,
            name=body.name,
            position=body.position,
            phone=body.phone,
            now=command.now,
        ),
        StaffOut.model_validate,
    )

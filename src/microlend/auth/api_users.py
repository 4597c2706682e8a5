"""``/api/v1`` routes of users and roles."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse

from microlend.auth import service
from microlend.auth.schemas import (
    PasswordReset,
    PermissionOut,
    RoleIn,
    RoleOut,
    RolesGrant,
    UserActive,
    UserCreate,
    UserOut,
)
from microlend.kernel.ids import Id
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.idempotency import CommandDep, PendingOut
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1", tags=["users"])
CREATED: dict[int | str, dict[str, Any]] = {
    202: {"model": PendingOut, "description": "Stored for a checker"}
}
EXPORT_COLUMNS = (
    "id",
    "username",
    "display_name",
    "office_id",
    "scope",
    "active",
    "roles",
    "phone",
)


@router.get("/users", response_model=PageOut[UserOut])
def list_users(
    uow: UowDep,
    actor: PrincipalDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
    q: str | None = None,
) -> PageOut[UserOut]:
    page = service.list_users(uow, actor, cursor=cursor, limit=limit, q=q)
    return page_out(page, UserOut.model_validate)


@router.get(
    "/users/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_users(uow: UowDep, actor: PrincipalDep, q: str | None = None) -> StreamingResponse:
    """Every user in the caller's scope as CSV."""
    users = list(service.export_users(uow, actor, q=q))

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        for user in users:
            writer.writerow(
                [
                    user.id,
                    user.username,
                    user.display_name,
                    user.office_id,
                    user.scope,
                    user.active,
                    " ".join(user.roles),
                    user.phone or "",
                ]
            )
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="users.csv"'}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: Id, uow: UowDep, actor: PrincipalDep) -> UserOut:
    return UserOut.model_validate(service.get_user(uow, actor, user_id=user_id))


@router.post("/users", status_code=201, response_model=UserOut, responses=CREATED)
def create_user(body: UserCreate, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.create_user(
            command.uow,
            command.actor,
            username=body.username,
            password=body.password,
            display_name=body.display_name,
            office_id=body.office_id,
            roles=body.roles,
            scope=body.scope.value,
            phone=body.phone,
            now=command.now,
        ),
        UserOut.model_validate,
    )


@router.post("/users/{user_id}/roles", response_model=UserOut, responses=CREATED)
def grant_roles(user_id: Id, body: RolesGrant, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.grant_roles(
            command.uow,
            command.actor,
            user_id=user_id,
            roles=body.roles,
            now=command.now,
            scope=body.scope.value if body.scope else None,
        ),
        UserOut.model_validate,
        status_code=200,
    )


@router.post("/users/{user_id}/password", status_code=204, responses=CREATED)
def reset_password(user_id: Id, body: PasswordReset, command: CommandDep) -> Response:
    response = command.respond(
        lambda: service.reset_password(
            command.uow,
            command.actor,
            user_id=user_id,
            new_password=body.new_password,
            now=command.now,
        ),
        lambda _: None,
        status_code=204,
    )
    return response if response.status_code == 202 else Response(status_code=204)


@router.post("/users/{user_id}/active", response_model=UserOut, responses=CREATED)
def set_active(user_id: Id, body: UserActive, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.set_user_active(
            command.uow, command.actor, user_id=user_id, active=body.active, now=command.now
        ),
        UserOut.model_validate,
        status_code=200,
    )


@router.get("/roles", response_model=list[RoleOut], tags=["roles"])
def list_roles(uow: UowDep, actor: PrincipalDep) -> list[RoleOut]:
    return [RoleOut.model_validate(role) for role in service.list_roles(uow, actor)]


@router.post("/roles", status_code=201, response_model=RoleOut, responses=CREATED, tags=["roles"])
def save_role(body: RoleIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: service.save_role(
            command.uow,
            command.actor,
            code=body.code,
            name_en=body.name_en,
            name_zh=body.name_zh,
            permissions=body.permissions,
            now=command.now,
        ),
        RoleOut.model_validate,
    )


@router.get("/permissions", response_model=list[PermissionOut], tags=["roles"])
def list_permissions(actor: PrincipalDep) -> list[PermissionOut]:
    return [PermissionOut.model_validate(p) for p in service.permission_catalogue()]

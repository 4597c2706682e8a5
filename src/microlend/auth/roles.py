"""Roles: the built-in ones kept in step with the catalogue, and a company's own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select

from microlend.auth import model
from microlend.auth.permissions import DEFAULT_ROLES, PERMISSIONS
from microlend.auth.tables import Role, RolePermission, UserRole
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.web.kit.i18n import bilingual

ROLE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


def default_role_names(locale: str) -> dict[str, str]:
    """The built-in roles' names in ``locale``, by code (for pages that name a role to someone
    who may not read the company's roles)."""
    return {
        code: bilingual(locale, en=role.name_en, zh=role.name_zh)
        for code, role in DEFAULT_ROLES.items()
    }


@dataclass(frozen=True)
class RoleView:
    id: int
    code: str
    name_en: str
    name_zh: str
    builtin: bool
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class PermissionView:
    code: str
    name_en: str
    name_zh: str


def sync_default_roles(uow: UnitOfWork) -> None:
    """Create or update the built-in roles so that they match ``DEFAULT_ROLES`` (idempotent)."""
    existing = {
        row.code: row for row in uow.session.scalars(select(Role).where(Role.company_id.is_(None)))
    }
    for definition in DEFAULT_ROLES.values():
        row = existing.get(definition.code)
        if row is None:
            row = Role(company_id=None, code=definition.code, builtin=True)
            uow.session.add(row)
        row.name_en, row.name_zh = definition.name_en, definition.name_zh
        uow.session.flush()
        _set_permissions(uow, row.id, definition.permissions)


def _set_permissions(uow: UnitOfWork, role_id: int, codes: Iterable[str]) -> None:
    wanted = set(codes)
    current = set(
        uow.session.scalars(
            select(RolePermission.permission).where(RolePermission.role_id == role_id)
        )
    )
    if current - wanted:
        uow.session.execute(
            delete(RolePermission).where(
                RolePermission.role_id == role_id,
                RolePermission.permission.in_(sorted(current - wanted)),
            )
        )
    uow.session.add_all(
        RolePermission(role_id=role_id, permission=code) for code in sorted(wanted - current)
    )
    uow.session.flush()


def _visible_roles(company_id: int) -> object:
    return or_(Role.company_id.is_(None), Role.company_id == company_id)


def roles_by_code(uow: UnitOfWork, *, company_id: int, codes: Iterable[str]) -> dict[str, Role]:
    """The roles named ``codes`` that the company knows; unknown codes are a validation error."""
    wanted = sorted(set(codes))
    rows = uow.session.scalars(
        select(Role).where(_visible_roles(company_id), Role.code.in_(wanted))  # type: ignore[arg-type]
    ).all()
    found = {row.code: row for row in rows}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationFailed(
            "unknown roles: %(unknown)s", field="roles", params={"unknown": ", ".join(unknown)}
        )
    return found


def permissions_of_roles(uow: UnitOfWork, role_ids: Iterable[int]) -> set[str]:
    ids = sorted(set(role_ids))
    if not ids:
        return set()
    return set(
        uow.session.scalars(
            select(RolePermission.permission).where(RolePermission.role_id.in_(ids))
        )
    )


def list_roles(uow: UnitOfWork, actor: Principal) -> list[RoleView]:
    require(actor, "auth.role.view")
    rows = uow.session.scalars(
        select(Role).where(_visible_roles(actor.company_id)).order_by(Role.id)  # type: ignore[arg-type]
    ).all()
    grants: dict[int, list[str]] = {row.id: [] for row in rows}
    for role_id, permission in uow.session.execute(
        select(RolePermission.role_id, RolePermission.permission).where(
            RolePermission.role_id.in_(sorted(grants))
        )
    ):
        grants[role_id].append(permission)
    return [
        RoleView(
            row.id, row.code, row.name_en, row.name_zh, row.builtin, tuple(sorted(grants[row.id]))
        )
        for row in rows
    ]


def permission_catalogue() -> list[PermissionView]:
    return [PermissionView(code, en, zh) for code, (en, zh) in PERMISSIONS.items()]


def _checked_permissions(actor: Principal, codes: Iterable[str]) -> list[str]:
    codes = sorted(set(codes))
    unknown = [code for code in codes if code not in PERMISSIONS]
    if unknown:
        raise ValidationFailed(
            "unknown permissions: %(unknown)s",
            field="permissions",
            params={"unknown": ", ".join(unknown)},
        )
    beyond = sorted(model.administrative(codes) - actor.permissions)
    if beyond:
        raise Forbidden(
            "a role cannot hold administrative permissions its maker lacks: %(beyond)s",
            code="grant_exceeds_own",
            params={"beyond": ", ".join(beyond)},
        )
    return codes


@command("auth.role.manage", entity_type="role", summary=lambda p: f"role {p['code']}")
def _save_role(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    code = str(payload["code"]).strip().lower()
    if not ROLE_CODE.match(code):
        raise ValidationFailed("a role code is 2 to 50 of a-z, 0-9 and '_'", field="code")
    codes = _checked_permissions(actor, payload["permissions"])
    if code in DEFAULT_ROLES:
        raise Conflict(
            "%(code)s is a built-in role", code="builtin_role", field="code", params={"code": code}
        )
    row = uow.session.scalars(
        select(Role).where(Role.company_id == actor.company_id, Role.code == code)
    ).one_or_none()
    if row is None:
        row = Role(company_id=actor.company_id, code=code, builtin=False)
        uow.session.add(row)
    row.name_en = str(payload["name_en"]).strip()[:100] or code
    row.name_zh = str(payload["name_zh"]).strip()[:100] or row.name_en
    uow.session.flush()
    _set_permissions(uow, row.id, codes)
    view = RoleView(row.id, row.code, row.name_en, row.name_zh, False, tuple(codes))
    return Done(entity_id=row.id, value=view, change={"code": code, "permissions": codes})


def save_role(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    name_en: str,
    name_zh: str,
    permissions: list[str],
    now: datetime,
) -> RoleView | Pending:
    """Create or redefine one of the company's own roles (built-in roles are fixed)."""
    payload = {"code": code, "name_en": name_en, "name_zh": name_zh, "permissions": permissions}
    outcome = run_command(uow, actor, "auth.role.manage", payload, now=now)
    return value_or_pending(outcome, RoleView)


def role_codes_of(uow: UnitOfWork, user_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(user_ids))
    found: dict[int, list[str]] = {user_id: [] for user_id in ids}
    if not ids:
        return found
    rows = uow.session.execute(
        select(UserRole.user_id, Role.code)
        .join(Role, Role.id == UserRole.role_id)
        .where(UserRole.user_id.in_(ids))
        .order_by(Role.code)
    )
    for user_id, code in rows:
        found[user_id].append(code)
    return found


def get_role(uow: UnitOfWork, actor: Principal, *, code: str) -> RoleView:
    for role in list_roles(uow, actor):
        if role.code == code:
            return role
    raise NotFound("role %(code)s not found", code="role_not_found", params={"code": code})

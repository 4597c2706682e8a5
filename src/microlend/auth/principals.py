"""Building the principal of a user: permissions from roles, visible companies and offices from
the data scope."""

from __future__ import annotations

from sqlalchemy import select

from microlend.auth.tables import Role, RolePermission, User, UserRole
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import DataScope, Principal
from microlend.orgs import service as orgs


def roles_and_permissions(uow: UnitOfWork, *, user_id: int) -> tuple[set[str], set[str]]:
    rows = uow.session.execute(
        select(Role.code, RolePermission.permission)
        .join(UserRole, UserRole.role_id == Role.id)
        .outerjoin(RolePermission, RolePermission.role_id == Role.id)
        .where(UserRole.user_id == user_id)
    ).all()
    roles = {code for code, _ in rows}
    permissions = {permission for _, permission in rows if permission is not None}
    return roles, permissions


def principal_for_user(uow: UnitOfWork, user: User, *, address: str | None) -> Principal:
    roles, permissions = roles_and_permissions(uow, user_id=user.id)
    scope = DataScope(user.scope)
    company_ids = (
        orgs.group_company_ids(uow, company_id=user.company_id)
        if scope is DataScope.GROUP
        else frozenset({user.company_id})
    )
    office_ids: frozenset[int] | None
    if scope in (DataScope.COMPANY, DataScope.GROUP):
        office_ids = None
    elif scope is DataScope.OFFICE_SUBTREE:
        office_ids = orgs.office_subtree_ids(uow, office_id=user.office_id)
    else:
        office_ids = frozenset({user.office_id})
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        company_id=user.company_id,
        office_id=user.office_id,
        permissions=frozenset(permissions),
        scope=scope,
        company_ids=company_ids,
        office_ids=office_ids,
        address=address,
        roles=frozenset(roles),
    )


def system_principal(
    uow: UnitOfWork, *, company_id: int, permissions: frozenset[str], name: str = "system"
) -> Principal:
    """The operator at the command line: the given permissions over the company's whole group."""
    found = orgs.group_and_head_office(uow, company_id=company_id)
    if found is None:
        raise LookupError(f"no company {company_id}")
    group, head_office_id = found
    return Principal(
        user_id=None,
        username=name,
        display_name=name,
        company_id=company_id,
        office_id=head_office_id or 0,
        permissions=permissions,
        scope=DataScope.GROUP,
        company_ids=group,
        office_ids=None,
    )

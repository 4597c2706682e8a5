"""Users: create, list, grant roles, reset passwords. Every query goes through the scope filter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select

from microlend.auth import model, passwords
from microlend.auth.roles import permissions_of_roles, role_codes_of, roles_by_code
from microlend.auth.signin import end_sessions_of
from microlend.auth.tables import User, UserRole
from microlend.db.audit import Actor, append_audit
from microlend.db.commands import (
    Done,
    Payload,
    Pending,
    audit_refusal,
    command,
    run_command,
    value_or_pending,
)
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from microlend.kernel.fingerprint import digest
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import DataScope, Principal, require
from microlend.orgs import service as orgs

OWNER = "id"  # a user's own row is the one they "own"


@dataclass(frozen=True)
class UserView:
    id: int
    company_id: int
    office_id: int
    username: str
    display_name: str
    phone: str | None
    scope: str
    active: bool
    roles: tuple[str, ...]
    created_at: datetime


def _views(uow: UnitOfWork, actor: Principal, rows: list[User]) -> list[UserView]:
    roles = role_codes_of(uow, (row.id for row in rows))
    may_view = actor.can("pii.view")
    return [
        UserView(
            id=row.id,
            company_id=row.company_id,
            office_id=row.office_id,
            username=row.username,
            display_name=row.display_name,
            phone=shown(row.phone, PiiKind.PHONE, may_view=may_view),
            scope=row.scope,
            active=row.active,
            roles=tuple(roles[row.id]),
            created_at=row.created_at,
        )
        for row in rows
    ]


def _scope(value: str) -> DataScope:
    try:
        return DataScope(value)
    except ValueError:
        choices = ", ".join(scope.value for scope in DataScope)
        raise ValidationFailed(
            "scope is one of %(choices)s", field="scope", params={"choices": choices}
        ) from None


def _check_grant(
    uow: UnitOfWork, actor: Principal, role_codes: list[str], scope: DataScope
) -> list[int]:
    """The role ids to grant; no one hands out administrative permissions they lack, or a data
    scope wider than their own."""
    roles = roles_by_code(uow, company_id=actor.company_id, codes=role_codes)
    granted = permissions_of_roles(uow, (role.id for role in roles.values()))
    beyond = model.administrative(granted) - actor.permissions
    if beyond:
        raise Forbidden(
            "cannot grant administrative permissions you do not hold: %(beyond)s",
            code="grant_exceeds_own",
            params={"beyond": ", ".join(sorted(beyond))},
        )
    if not model.scope_within(scope, actor.scope):
        raise Forbidden(
            "cannot grant a data scope wider than your own (%(scope)s)",
            code="grant_exceeds_own",
            params={"scope": actor.scope},
        )
    return [role.id for role in roles.values()]


def _set_roles(uow: UnitOfWork, user_id: int, role_ids: list[int]) -> None:
    uow.session.execute(delete(UserRole).where(UserRole.user_id == user_id))
    uow.session.add_all(UserRole(user_id=user_id, role_id=role_id) for role_id in role_ids)
    uow.session.flush()


def _permitted_password(actor: Principal, code: str, password: str, username: str) -> None:
    require(actor, code)
    model.check_password_policy(password, username=username)


def _guarded(
    uow: UnitOfWork, actor: Principal, name: str, payload: Payload, now: datetime, check: Any
) -> None:
    """Checks that must run before the payload is built (a password never enters a payload)."""
    try:
        check()
    except DomainError as error:
        audit_refusal(uow, Actor.of(actor), name, digest(payload), error, now=now)
        raise


@command(
    "auth.user.create",
    entity_type="user",
    hidden_fields=frozenset({"password_hash"}),
    summary=lambda p: f"user {p['username']} ({', '.join(p['roles'])})",
)
def _create_user(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    username = model.check_username(payload["username"])
    office = orgs.find_office(uow, office_id=payload["office_id"])
    if not actor.sees_office(office.company_id, office.id):
        raise ValidationFailed(
            "office %(id)s is not yours to staff", field="office_id", params={"id": office.id}
        )
    if uow.session.scalars(select(User.id).where(User.username == username)).first():
        raise Conflict(
            "username %(username)s is taken",
            code="duplicate_username",
            field="username",
            params={"username": username},
        )
    scope = _scope(payload["scope"])
    role_ids = _check_grant(uow, actor, payload["roles"], scope)
    display_name = str(payload["display_name"]).strip()[:100] or username
    user = User(
        company_id=office.company_id,
        office_id=office.id,
        username=username,
        display_name=display_name,
        phone=payload.get("phone") or None,
        password_hash=payload["password_hash"],
        scope=scope.value,
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    uow.session.add(user)
    uow.session.flush()
    _set_roles(uow, user.id, role_ids)
    change = {"id": user.id, "username": username, "roles": sorted(payload["roles"])}
    return Done(entity_id=user.id, value=_views(uow, actor, [user])[0], change=change)


def create_user(
    uow: UnitOfWork,
    actor: Principal,
    *,
    username: str,
    password: str,
    display_name: str,
    office_id: int,
    roles: list[str],
    scope: str,
    now: datetime,
    phone: str | None = None,
) -> UserView | Pending:
    name = username.strip().lower()
    visible = {"username": name, "office_id": office_id, "roles": sorted(roles), "scope": scope}
    _guarded(
        uow,
        actor,
        "auth.user.create",
        visible,
        now,
        lambda: _permitted_password(actor, "auth.user.create", password, name),
    )
    payload = {
        **visible,
        "display_name": display_name,
        "phone": phone,
        "password_hash": passwords.hash_password(password),
    }
    outcome = run_command(uow, actor, "auth.user.create", payload, now=now)
    return value_or_pending(outcome, UserView)


def _user_query(actor: Principal, q: str | None) -> Any:
    stmt = apply_scope(select(User), actor, User, owner_column=OWNER)
    if q:
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    return stmt


def list_users(
    uow: UnitOfWork,
    actor: Principal,
    *,
    cursor: str | None = None,
    limit: int = 50,
    q: str | None = None,
) -> Page[UserView]:
    """Users the actor may see, by id; ``q`` searches username and display name."""
    require(actor, "auth.user.view")
    stmt = paginate(_user_query(actor, q), User.id, cursor=cursor, limit=limit)
    page = page_of(uow.session.scalars(stmt).all(), limit=limit, id_of=lambda row: row.id)
    return Page(_views(uow, actor, list(page.items)), page.next_cursor)


def export_users(
    uow: UnitOfWork, actor: Principal, *, q: str | None = None, batch: int = 500
) -> Iterator[UserView]:
    """Every visible user, streamed in batches (for CSV export)."""
    cursor: str | None = None
    while True:
        page = list_users(uow, actor, cursor=cursor, limit=batch, q=q)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def get_user(uow: UnitOfWork, actor: Principal, *, user_id: int) -> UserView:
    require(actor, "auth.user.view")
    row = get_scoped(uow.session, actor, User, user_id, owner_column=OWNER)
    return _views(uow, actor, [row])[0]


def user_by_username(uow: UnitOfWork, actor: Principal, *, username: str) -> UserView:
    name = username.strip().lower()
    user_id = uow.session.scalar(select(User.id).where(User.username == name))
    try:
        return get_user(uow, actor, user_id=user_id if user_id is not None else -1)
    except NotFound:
        raise NotFound(
            "no user %(name)s", code="user_not_found", field="username", params={"name": name}
        ) from None


def _target(uow: UnitOfWork, actor: Principal, user_id: int) -> User:
    row = get_scoped(uow.session, actor, User, user_id, owner_column=OWNER, for_update=True)
    if row.id == actor.user_id:
        raise Forbidden("use your own profile page to change your own account", code="own_account")
    return row


@command(
    "auth.user.grant",
    entity_type="user",
    summary=lambda p: f"roles of user {p['user_id']}: {', '.join(p['roles'])}",
)
def _grant(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    user = _target(uow, actor, payload["user_id"])
    scope = _scope(payload["scope"]) if payload.get("scope") else DataScope(user.scope)
    role_ids = _check_grant(uow, actor, payload["roles"], scope)
    _set_roles(uow, user.id, role_ids)
    user.scope = scope.value
    uow.session.flush()
    change = {"roles": sorted(payload["roles"]), "scope": scope.value}
    return Done(entity_id=user.id, value=_views(uow, actor, [user])[0], change=change)


def grant_roles(
    uow: UnitOfWork,
    actor: Principal,
    *,
    user_id: int,
    roles: list[str],
    now: datetime,
    scope: str | None = None,
) -> UserView | Pending:
    """Set the user's roles to exactly ``roles`` (and their data scope, when given)."""
    payload = {"user_id": user_id, "roles": sorted(set(roles)), "scope": scope}
    outcome = run_command(uow, actor, "auth.user.grant", payload, now=now)
    return value_or_pending(outcome, UserView)


@command(
    "auth.user.reset_password",
    entity_type="user",
    hidden_fields=frozenset({"password_hash"}),
    summary=lambda p: f"new password for user {p['user_id']}",
)
def _reset(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    user = _target(uow, actor, payload["user_id"])
    user.password_hash, user.password_changed_at = payload["password_hash"], now
    end_sessions_of(uow, user_id=user.id)
    return Done(entity_id=user.id, change={"password_changed_at": now})


def reset_password(
    uow: UnitOfWork, actor: Principal, *, user_id: int, new_password: str, now: datetime
) -> Done | Pending:
    """A new password set by an administrator; the user's web sessions end."""
    username = uow.session.scalar(select(User.username).where(User.id == user_id)) or ""
    _guarded(
        uow,
        actor,
        "auth.user.reset_password",
        {"user_id": user_id},
        now,
        lambda: _permitted_password(actor, "auth.user.reset_password", new_password, username),
    )
    payload = {"user_id": user_id, "password_hash": passwords.hash_password(new_password)}
    return run_command(uow, actor, "auth.user.reset_password", payload, now=now)


@command(
    "auth.user.disable",
    entity_type="user",
    summary=lambda p: f"{'enable' if p['active'] else 'disable'} user {p['user_id']}",
)
def _set_active(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    user = _target(uow, actor, payload["user_id"])
    user.active = bool(payload["active"])
    if not user.active:
        end_sessions_of(uow, user_id=user.id)
    uow.session.flush()
    return Done(
        entity_id=user.id, value=_views(uow, actor, [user])[0], change={"active": user.active}
    )


def set_user_active(
    uow: UnitOfWork, actor: Principal, *, user_id: int, active: bool, now: datetime
) -> UserView | Pending:
    payload = {"user_id": user_id, "active": active}
    outcome = run_command(uow, actor, "auth.user.disable", payload, now=now)
    return value_or_pending(outcome, UserView)


def change_password(
    uow: UnitOfWork, actor: Principal, *, current_password: str, new_password: str, now: datetime
) -> None:
    """The actor's own password (the current one is asked again)."""
    user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None

    def check() -> None:
        if user is None or not passwords.verify_password(user.password_hash, current_password):
            raise ValidationFailed("the current password is wrong", field="current_password")
        model.check_password_policy(new_password, username=user.username)

    _guarded(uow, actor, "auth.user.change_password", {"user_id": actor.user_id}, now, check)
    assert user is not None
    user.password_hash, user.password_changed_at = passwords.hash_password(new_password), now
    uow.session.flush()
    append_audit(
        uow.session,
        actor=Actor.of(actor),
        command="auth.user.change_password",
        outcome="ok",
        input_digest=digest({"user_id": user.id}),
        entity_type="user",
        entity_id=user.id,
        change_digest=digest({"password_changed_at": now}),
        now=now,
    )

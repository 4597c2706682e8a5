"""Signing in: password check with throttling, web sessions, API bearer tokens.

Only SHA-256 digests of session tokens and API secrets are stored; both are 256-bit random, so a
plain digest is enough (a slow hash protects low-entropy passwords, not random keys).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microlend.auth import passwords
from microlend.auth.model import LoginPolicy
from microlend.auth.principals import principal_for_user
from microlend.auth.tables import ApiToken, BrowserSession, LoginAttempt, User
from microlend.db.audit import Actor, append_audit
from microlend.db.commands import Done, Payload, command, run_command
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import (
    DomainError,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from microlend.kernel.fingerprint import digest, sha256_hex
from microlend.kernel.principal import Principal, require

LOGIN_POLICY = LoginPolicy()
SESSION_TTL = timedelta(hours=8)
MAX_TOKEN_LIFETIME = timedelta(days=90)
TOKEN_PREFIX = "mlt_"


@dataclass(frozen=True)
class WebSession:
    token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class ApiTokenView:
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


def _failures(
    session: Session, *, since: datetime, username: str | None = None, address: str | None = None
) -> tuple[int, datetime | None]:
    stmt = select(func.count(), func.min(LoginAttempt.attempted_at)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since
    )
    if username is not None:
        stmt = stmt.where(LoginAttempt.username == username)
    if address is not None:
        stmt = stmt.where(LoginAttempt.address == address)
    count, oldest = session.execute(stmt).one()
    return int(count), oldest


def _refuse(
    uow: UnitOfWork,
    actor: Actor,
    error: DomainError,
    *,
    now: datetime,
    attempt: LoginAttempt | None,
) -> DomainError:
    """Keep the failed attempt and its audit record through the rollback that follows."""

    def write(session: Session) -> None:
        if attempt is not None:
            session.add(attempt)
        append_audit(
            session,
            actor=actor,
            command="auth.login",
            outcome="failed",
            input_digest=digest({"username": actor.username}),
            error_code=error.code,
            now=now,
        )

    uow.durable(write)
    return error


def authenticate(
    uow: UnitOfWork, *, username: str, password: str, address: str | None, now: datetime
) -> Principal:
    """The principal of a correct username and password, unless throttled or locked."""
    name, where = username.strip().lower()[:64], (address or "unknown")[:100]
    policy, session = LOGIN_POLICY, uow.session
    user = session.scalars(select(User).where(User.username == name)).one_or_none()
    actor = Actor(user.id if user else None, name, user.company_id if user else None, where)
    by_address, oldest = _failures(session, since=now - policy.window, address=where)
    if policy.address_throttled(by_address):
        wait = policy.retry_after(now, oldest)
        raise _refuse(
            uow,
            actor,
            TooManyRequests(
                "too many failed sign-ins from this address",
                code="login_throttled",
                extra={"retry_after": wait},
            ),
            now=now,
            attempt=None,
        )
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == name, LoginAttempt.succeeded.is_(True)
        )
    )
    by_user, oldest = _failures(session, since=policy.since(now, last_success), username=name)
    if policy.user_locked(by_user):
        wait = policy.retry_after(now, oldest)
        raise _refuse(
            uow,
            actor,
            TooManyRequests(
                "the account is locked after failed sign-ins",
                code="account_locked",
                extra={"retry_after": wait},
            ),
            now=now,
            attempt=None,
        )
    if user is None:
        passwords.burn_verification_time(password)
    if (
        user is None
        or not passwords.verify_password(user.password_hash, password)
        or not user.active
    ):
        attempt = LoginAttempt(username=name, address=where, attempted_at=now, succeeded=False)
        error = Unauthenticated("wrong username or password", code="bad_credentials")
        raise _refuse(uow, actor, error, now=now, attempt=attempt)
    session.add(LoginAttempt(username=name, address=where, attempted_at=now, succeeded=True))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    append_audit(
        session,
        actor=actor,
        command="auth.login",
        outcome="ok",
        input_digest=digest({"username": name}),
        entity_type="user",
        entity_id=user.id,
        now=now,
    )
    return principal_for_user(uow, user, address=where)


# --- web sessions --------------------------------------------------------------------------------


def start_session(
    uow: UnitOfWork, *, principal: Principal, now: datetime, ttl: timedelta = SESSION_TTL
) -> WebSession:
    if principal.user_id is None:
        raise ValidationFailed("only a user can have a session", field="principal")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = BrowserSession(
        company_id=principal.company_id,
        user_id=principal.user_id,
        token_hash=sha256_hex(token),
        csrf_token=csrf,
        created_at=now,
        expires_at=now + ttl,
    )
    uow.session.add(row)
    uow.session.flush()
    return WebSession(token=token, csrf_token=csrf, expires_at=row.expires_at)


def _active_user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("the user is disabled", code="user_disabled")
    return user


def resolve_session(
    uow: UnitOfWork, *, token: str, now: datetime, address: str | None = None
) -> tuple[Principal, WebSession]:
    row = uow.session.scalars(
        select(BrowserSession).where(BrowserSession.token_hash == sha256_hex(token))
    ).one_or_none()
    if row is None or row.expires_at <= now:
        raise Unauthenticated("the session has ended; sign in again", code="session_expired")
    principal = principal_for_user(uow, _active_user(uow, row.user_id), address=address)
    return principal, WebSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def principal_for_session(
    uow: UnitOfWork, *, token: str, now: datetime, address: str | None = None
) -> Principal:
    return resolve_session(uow, token=token, now=now, address=address)[0]


def end_session(uow: UnitOfWork, *, token: str) -> None:
    row = uow.session.scalars(
        select(BrowserSession).where(BrowserSession.token_hash == sha256_hex(token))
    ).one_or_none()
    if row is not None:
        uow.session.delete(row)
        uow.session.flush()


def end_sessions_of(uow: UnitOfWork, *, user_id: int) -> None:
    for row in uow.session.scalars(select(BrowserSession).where(BrowserSession.user_id == user_id)):
        uow.session.delete(row)
    uow.session.flush()


# --- API tokens ----------------------------------------------------------------------------------


@command("auth.token.issue", entity_type="api_token", open_to_all=True, checkable=False)
def _issue_token(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    if actor.user_id is None:
        raise ValidationFailed("only a user can hold an API token", field="principal")
    name = str(payload["name"]).strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("a token name is 1 to 100 characters", field="name")
    expires_at = datetime.fromisoformat(payload["expires_at"])
    if expires_at.tzinfo is None:
        raise ValidationFailed("give the time with its zone, e.g. +08:00", field="expires_at")
    if not now < expires_at <= now + MAX_TOKEN_LIFETIME:
        raise ValidationFailed("a token expires after now and within 90 days", field="expires_at")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        company_id=actor.company_id,
        user_id=actor.user_id,
        name=name,
        token_hash=sha256_hex(secret),
        created_at=now,
        expires_at=expires_at,
    )
    uow.session.add(row)
    uow.session.flush()
    return Done(entity_id=row.id, value=(row.id, secret), change={"id": row.id, "name": name})


def issue_api_token(
    uow: UnitOfWork, actor: Principal, *, name: str, expires_at: datetime, now: datetime
) -> tuple[int, str]:
    """A new bearer token for the actor: its id and its secret (shown once, stored hashed)."""
    payload = {"name": name, "expires_at": expires_at.isoformat()}
    done = run_command(uow, actor, "auth.token.issue", payload, now=now)
    assert isinstance(done, Done), "token issue is never maker-checked"
    token_id, secret = done.value
    return int(token_id), str(secret)


@command("auth.token.revoke", entity_type="api_token", open_to_all=True, checkable=False)
def _revoke_token(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = uow.session.get(ApiToken, payload["token_id"])
    if row is not None and row.user_id != actor.user_id:
        require(actor, "auth.token.revoke")
        owner = uow.session.get(User, row.user_id)
        if owner is None or not actor.sees_office(owner.company_id, owner.office_id):
            row = None
    if row is None:
        raise NotFound(
            "API token %(token_id)s not found",
            code="token_not_found",
            params={"token_id": payload["token_id"]},
        )
    if row.revoked_at is None:
        row.revoked_at = now
    uow.session.flush()
    return Done(entity_id=row.id, change={"revoked_at": row.revoked_at})


def revoke_api_token(uow: UnitOfWork, actor: Principal, *, token_id: int, now: datetime) -> None:
    run_command(uow, actor, "auth.token.revoke", {"token_id": token_id}, now=now)


def token_id_of(uow: UnitOfWork, *, secret: str) -> int | None:
    return uow.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256_hex(secret)))


def principal_for_api_token(
    uow: UnitOfWork, *, secret: str, now: datetime, address: str | None = None
) -> Principal:
    row = uow.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == sha256_hex(secret))
    ).one_or_none()
    if row is None:
        raise Unauthenticated("unknown API token", code="invalid_token")
    if row.revoked_at is not None:
        raise Unauthenticated("the API token was revoked", code="token_revoked")
    if row.expires_at <= now:
        raise Unauthenticated("the API token has expired", code="token_expired")
    return principal_for_user(uow, _active_user(uow, row.user_id), address=address)


def list_api_tokens(uow: UnitOfWork, actor: Principal) -> list[ApiTokenView]:
    rows = uow.session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
    ).all()
    return [ApiTokenView(r.id, r.name, r.created_at, r.expires_at, r.revoked_at) for r in rows]

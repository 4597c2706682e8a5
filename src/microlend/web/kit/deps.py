"""Request dependencies of the JSON API: the unit of work, the clock, the acting principal.

A principal comes from ``Authorization: Bearer <secret>`` or from the web session cookie
``ml_session``. A cookie-authenticated unsafe request must carry the session's CSRF token in the
``X-CSRF-Token`` header or the ``csrf_token`` form field. The kit sits below ``auth`` in the
layering, so the app factory installs the object that resolves credentials
(``app.state.api_authenticator``, see ``ApiAuthenticator``).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Forbidden, Unauthenticated
from microlend.kernel.principal import Principal

SESSION_COOKIE = "ml_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ApiAuthenticator(Protocol):
    def bearer(
        self, uow: UnitOfWork, *, secret: str, now: datetime, address: str | None
    ) -> Principal: ...

    def session(
        self, uow: UnitOfWork, *, token: str, now: datetime, address: str | None
    ) -> tuple[Principal, str]:
        """The session's principal and its CSRF token."""
        ...


def request_now(request: Request) -> datetime:
    """The time of the request: the app's clock (tests install a fixed one)."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def request_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_uow(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request, read-only for safe methods. The route commits; leaving
    without a commit rolls back (and keeps the durable audit records of refused commands)."""
    read_only = request.method in SAFE_METHODS
    with UnitOfWork(request.app.state.session_factory, read_only=read_only) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(request_uow, scope="function")]
NowDep = Annotated[datetime, Depends(request_now)]


async def submitted_csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def csrf_matches(expected: str, submitted: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode())


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("use Authorization: Bearer <token>", code="bad_authorization")
    return secret.strip()


async def current_principal(request: Request, uow: UowDep, now: NowDep) -> Principal:
    """The acting principal, or 401; a cookie-authenticated unsafe request needs its CSRF token."""
    authenticator: ApiAuthenticator = request.app.state.api_authenticator
    address = request_address(request)
    secret = bearer_secret(request)
    if secret is not None:
        return await run_in_threadpool(
            authenticator.bearer, uow, secret=secret, now=now, address=address
        )
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("sign in, or send a bearer token", code="unauthenticated")
    principal, csrf_token = await run_in_threadpool(
        authenticator.session, uow, token=token, now=now, address=address
    )
    if request.method not in SAFE_METHODS and not csrf_matches(
        csrf_token, await submitted_csrf_token(request)
    ):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]

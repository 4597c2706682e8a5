"""``/api/v1`` routes of signing in: bearer tokens and the current user.

``POST /api/v1/auth/token`` takes no ``Idempotency-Key``: its response carries a secret, and
secrets are never stored in the clear (a retried login simply issues another token).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from microlend.auth import service
from microlend.auth.schemas import (
    ApiTokenCreate,
    ApiTokenOut,
    LoginIn,
    MeOut,
    PasswordChange,
    TokenOut,
)
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Unauthenticated
from microlend.kernel.ids import Id
from microlend.kernel.principal import Principal
from microlend.web.kit.deps import NowDep, PrincipalDep, UowDep, bearer_secret, request_address
from microlend.web.kit.idempotency import CommandDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


class ServiceAuthenticator:
    """Resolves API credentials through the auth services (installed by the app factory)."""

    def bearer(
        self, uow: UnitOfWork, *, secret: str, now: datetime, address: str | None
    ) -> Principal:
        return service.principal_for_api_token(uow, secret=secret, now=now, address=address)

    def session(
        self, uow: UnitOfWork, *, token: str, now: datetime, address: str | None
    ) -> tuple[Principal, str]:
        principal, session = service.resolve_session(uow, token=token, now=now, address=address)
        return principal, session.csrf_token


@router.post("/auth/token", status_code=201, response_model=TokenOut)
def log_in(body: LoginIn, request: Request, uow: UowDep, now: NowDep) -> TokenOut:
    """Sign in with username and password; the answer is a bearer token."""
    principal = service.authenticate(
        uow,
        username=body.username,
        password=body.password,
        address=request_address(request),
        now=now,
    )
    expires_at = now + request.app.state.settings.api_token_ttl
    token_id, secret = service.issue_api_token(
        uow, principal, name="sign-in", expires_at=expires_at, now=now
    )
    uow.commit()
    return TokenOut(access_token=secret, token_id=token_id, expires_at=expires_at)


@router.delete("/auth/token", status_code=204)
def log_out(request: Request, uow: UowDep, actor: PrincipalDep, now: NowDep) -> Response:
    """Revoke the bearer token this request carries."""
    secret = bearer_secret(request)
    token_id = service.token_id_of(uow, secret=secret) if secret else None
    if token_id is None:
        raise Unauthenticated("send the bearer token to revoke", code="bad_authorization")
    service.revoke_api_token(uow, actor, token_id=token_id, now=now)
    uow.commit()
    return Response(status_code=204)


@router.get("/auth/tokens", response_model=list[ApiTokenOut])
def list_tokens(uow: UowDep, actor: PrincipalDep) -> list[ApiTokenOut]:
    return [ApiTokenOut.model_validate(t) for t in service.list_api_tokens(uow, actor)]


@router.post("/auth/tokens", status_code=201, response_model=TokenOut)
def issue_token(body: ApiTokenCreate, uow: UowDep, actor: PrincipalDep, now: NowDep) -> TokenOut:
    """A named token (for a script); like sign-in, it takes no ``Idempotency-Key``."""
    token_id, secret = service.issue_api_token(
        uow, actor, name=body.name, expires_at=body.expires_at, now=now
    )
    uow.commit()
    return TokenOut(access_token=secret, token_id=token_id, expires_at=body.expires_at)


@router.delete("/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, uow: UowDep, actor: PrincipalDep, now: NowDep) -> Response:
    service.revoke_api_token(uow, actor, token_id=token_id, now=now)
    uow.commit()
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(actor: PrincipalDep) -> MeOut:
    return MeOut(
        user_id=actor.user_id,
        username=actor.username,
        display_name=actor.display_name,
        company_id=actor.company_id,
        office_id=actor.office_id,
        scope=actor.scope,
        roles=sorted(actor.roles),
        permissions=sorted(actor.permissions),
    )


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, command: CommandDep) -> Response:
    command.respond(
        lambda: service.change_password(
            command.uow,
            command.actor,
            current_password=body.current_password,
            new_password=body.new_password,
            now=command.now,
        ),
        lambda _: None,
        status_code=204,
    )
    return Response(status_code=204)

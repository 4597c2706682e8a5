"""The idempotency store: the first response to a key, replayed to every retry of the request.

A key is unique per company. A retry with the same request fingerprint gets the stored response;
the same key with a different request is a ``Conflict``. The response is stored in the command's
own transaction, so a command and its remembered response commit (or vanish) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from microlend.db.tables import IdempotencyKey
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, ValidationFailed
from microlend.kernel.fingerprint import sha256_hex

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


def request_fingerprint(*, method: str, path: str, body: bytes, user_id: int | None) -> str:
    """What makes two requests "the same": who sends what to where."""
    head = f"{method.upper()} {path} user={user_id}\n".encode()
    return sha256_hex(head + body)


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
            field="Idempotency-Key",
        )
    return key


def replay(
    uow: UnitOfWork, *, company_id: int, key: str, fingerprint: str
) -> StoredResponse | None:
    """The stored response for ``key``, or ``None`` when the key is new."""
    row = uow.session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.company_id == company_id, IdempotencyKey.key == key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different request",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return StoredResponse(row.status_code, row.response_body)


def remember(
    uow: UnitOfWork,
    *,
    company_id: int,
    user_id: int | None,
    key: str,
    fingerprint: str,
    response: StoredResponse,
    now: datetime,
) -> None:
    uow.session.add(
        IdempotencyKey(
            company_id=company_id,
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            status_code=response.status_code,
            response_body=response.body,
            created_at=now,
        )
    )
    uow.session.flush()

"""The idempotency store: the first response to a key, replayed to every retry of the request.

A key is unique per company. A retry with the same request fingerprint gets the stored response;
the same key with a different request is a ``Conflict``. The response is stored in the command's
own transaction, so a command and its remembered response commit (or vanish) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select

from microlend.db.bulk import table_of
from microlend.db.tables import IdempotencyKey
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, ValidationFailed
from microlend.kernel.fingerprint import sha256_hex

MAX_KEY_LENGTH = 200
_KEYS = table_of(IdempotencyKey)
_STORED = select(_KEYS.c.fingerprint, _KEYS.c.status_code, _KEYS.c.response_body).where(
    _KEYS.c.company_id == bindparam("company_id"), _KEYS.c.key == bindparam("key")
)


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
            "Idempotency-Key must be 1 to %(max_key_length)s characters",
            field="Idempotency-Key",
            params={"max_key_length": MAX_KEY_LENGTH},
        )
    return key


def replay(
    uow: UnitOfWork, *, company_id: int, key: str, fingerprint: str
) -> StoredResponse | None:
    """The stored response for ``key``, or ``None`` when the key is new."""
    row = uow.session.execute(_STORED, {"company_id": company_id, "key": key}).one_or_none()
    if row is None:
        return None
    stored_fingerprint, status_code, body = row
    if stored_fingerprint != fingerprint:
        raise Conflict(
            "this Idempotency-Key was used for a different request",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return StoredResponse(status_code, body)


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
    """Store the first response to ``key`` (one insert; a key stored meanwhile by a concurrent
    request of the same key raises ``IntegrityError``, which the edge turns into a conflict)."""
    uow.flush_staged()
    uow.session.execute(
        insert(_KEYS),
        {
            "company_id": company_id,
            "user_id": user_id,
            "key": key,
            "fingerprint": fingerprint,
            "status_code": response.status_code,
            "response_body": response.body,
            "created_at": now,
        },
    )

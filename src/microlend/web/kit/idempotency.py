"""``Idempotency-Key`` for POST commands.

A route takes a ``CommandDep`` and returns ``command.respond(action, convert)``: the action runs
once per key (a command stored for a checker answers 202 with a ``PendingOut``); its JSON
response is stored with a fingerprint of the request in the same transaction, which ``respond``
commits. A retry with the same key and request gets the stored
response (header ``Idempotent-Replayed: true``); the same key with a different request is 409.
Without the header the command simply runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from microlend.db import idempotency
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict
from microlend.kernel.principal import Principal
from microlend.web.kit.deps import NowDep, PrincipalDep, UowDep

HEADER = "Idempotency-Key"


class PendingOut(BaseModel):
    """A command stored for a checker (maker-checker): it runs when another user approves it."""

    status: str = "pending"
    pending_id: int
    command: str
    summary: str

    @classmethod
    def of(cls, pending: Pending) -> PendingOut:
        return cls(pending_id=pending.pending_id, command=pending.command, summary=pending.summary)


@dataclass
class CommandRequest:
    uow: UnitOfWork
    actor: Principal
    now: datetime
    key: str | None
    fingerprint: str

    def respond(
        self,
        action: Callable[[], Any],
        convert: Callable[[Any], Any] = lambda value: value,
        *,
        status_code: int = 201,
    ) -> Response:
        """Run ``action`` (or replay its first response) and commit. The response is
        ``convert(value)`` with ``status_code``, or 202 and a ``PendingOut`` when the command waits
        for a checker."""
        company = self.actor.company_id
        if self.key is not None:
            stored = idempotency.replay(
                self.uow, company_id=company, key=self.key, fingerprint=self.fingerprint
            )
            if stored is not None:
                return _json(stored.status_code, stored.body, replayed=True)
        value = action()
        if isinstance(value, Pending):
            status_code, result = 202, PendingOut.of(value)
        else:
            result = convert(value)
        body = json.dumps(jsonable_encoder(result), ensure_ascii=False, separators=(",", ":"))
        if self.key is not None:
            stored = idempotency.StoredResponse(status_code, body)
            try:
                idempotency.remember(
                    self.uow,
                    company_id=company,
                    user_id=self.actor.user_id,
                    key=self.key,
                    fingerprint=self.fingerprint,
                    response=stored,
                    now=self.now,
                )
            except IntegrityError:
                raise Conflict(
                    "a request with this Idempotency-Key is in progress",
                    code="idempotency_key_in_use",
                    field=HEADER,
                ) from None
        self.uow.commit()
        return _json(status_code, body, replayed=False)


def _json(status_code: int, body: str, *, replayed: bool) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


async def command_request(
    request: Request, uow: UowDep, actor: PrincipalDep, now: NowDep
) -> CommandRequest:
    raw_key = request.headers.get(HEADER)
    key = idempotency.check_key(raw_key) if raw_key is not None else None
    fingerprint = idempotency.request_fingerprint(
        method=request.method,
        path=request.url.path,
        body=await request.body(),
        user_id=actor.user_id,
    )
    return CommandRequest(uow=uow, actor=actor, now=now, key=key, fingerprint=fingerprint)


CommandDep = Annotated[CommandRequest, Depends(command_request)]

"""The idempotency store: a key remembers its first response, per company."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from microlend.db import idempotency
from microlend.kernel.errors import Conflict, ValidationFailed
from tests.conftest import MakeUow
from tests.seed import World


def fingerprint(body: bytes, user_id: int | None = 1) -> str:
    return idempotency.request_fingerprint(
        method="post", path="/api/v1/offices", body=body, user_id=user_id
    )


def remember(make_uow: MakeUow, world: World, key: str, company_id: int, body: bytes) -> None:
    with make_uow() as uow:
        idempotency.remember(
            uow,
            company_id=company_id,
            user_id=1,
            key=key,
            fingerprint=fingerprint(body),
            response=idempotency.StoredResponse(201, '{"id":7}'),
            now=world.now,
        )
        uow.commit()


def test_a_replay_gets_the_first_response_and_a_changed_request_a_conflict(
    make_uow: MakeUow, world: World
) -> None:
    remember(make_uow, world, "k1", world.company_id, b'{"code":"A"}')
    with make_uow(read_only=True) as uow:
        stored = idempotency.replay(
            uow, company_id=world.company_id, key="k1", fingerprint=fingerprint(b'{"code":"A"}')
        )
        assert stored == idempotency.StoredResponse(201, '{"id":7}')
        with pytest.raises(Conflict) as caught:
            idempotency.replay(
                uow, company_id=world.company_id, key="k1", fingerprint=fingerprint(b'{"code":"B"}')
            )
        assert caught.value.code == "idempotency_key_reused"
        with pytest.raises(Conflict):  # the same body from another user is another request
            idempotency.replay(
                uow,
                company_id=world.company_id,
                key="k1",
                fingerprint=fingerprint(b'{"code":"A"}', user_id=2),
            )
        assert (
            idempotency.replay(
                uow, company_id=world.company_id, key="k2", fingerprint=fingerprint(b"{}")
            )
            is None
        )


def test_keys_are_per_company(make_uow: MakeUow, world: World) -> None:
    remember(make_uow, world, "same", world.company_id, b"a")
    remember(make_uow, world, "same", world.other_company_id, b"b")
    with make_uow(read_only=True) as uow:
        assert (
            idempotency.replay(
                uow, company_id=world.other_company_id, key="same", fingerprint=fingerprint(b"b")
            )
            is not None
        )


def test_the_database_holds_a_key_once(make_uow: MakeUow, world: World) -> None:
    remember(make_uow, world, "dup", world.company_id, b"a")
    with pytest.raises(IntegrityError):
        remember(make_uow, world, "dup", world.company_id, b"a")


def test_a_key_has_a_sane_length() -> None:
    assert idempotency.check_key(" abc ") == "abc"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(ValidationFailed):
            idempotency.check_key(bad)

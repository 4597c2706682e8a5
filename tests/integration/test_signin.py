"""Sign-in: passwords, throttling per user and per address, sessions, API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.auth.tables import ApiToken, BrowserSession, LoginAttempt
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import TooManyRequests, Unauthenticated, ValidationFailed
from tests.seed import PASSWORD, World


def sign_in(
    world: World, username: str, password: str, *, address: str = "10.0.0.1", minutes: float = 0
) -> auth.Principal:
    with world.make_uow() as uow:
        principal = auth.authenticate(
            uow,
            username=username,
            password=password,
            address=address,
            now=world.now + timedelta(minutes=minutes),
        )
        uow.commit()
    return principal


def failures(world: World, username: str, count: int, *, address: str = "10.0.0.1") -> None:
    for _ in range(count):
        with pytest.raises(Unauthenticated):
            sign_in(world, username, "Wrong-password-1", address=address)


def test_the_right_password_gives_the_users_principal(world: World) -> None:
    principal = sign_in(world, "Officer_A ", PASSWORD)
    assert (principal.username, principal.roles, principal.address) == (
        "officer_a",
        {"loan_officer"},
        "10.0.0.1",
    )
    assert principal.office_ids == {world.offices["a"]}


def test_failed_attempts_are_kept_and_audited_though_sign_in_fails(world: World) -> None:
    failures(world, "officer_a", 2)
    with pytest.raises(Unauthenticated):
        sign_in(world, "nobody", "Whatever-123")
    with world.make_uow(read_only=True) as uow:
        attempts = uow.session.scalars(select(LoginAttempt)).all()
        audited = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.command == "auth.login")
        ).all()
    assert [(a.username, a.succeeded) for a in attempts] == [
        ("officer_a", False),
        ("officer_a", False),
        ("nobody", False),
    ]
    assert [(r.username, r.outcome, r.error_code) for r in audited][-1] == (
        "nobody",
        "failed",
        "bad_credentials",
    )


def test_five_failures_lock_the_user_even_with_the_right_password(world: World) -> None:
    failures(world, "officer_a", 5)
    with pytest.raises(TooManyRequests) as caught:
        sign_in(world, "officer_a", PASSWORD, address="10.9.9.9")
    assert caught.value.code == "account_locked"
    assert 0 < caught.value.extra["retry_after"] <= 15 * 60
    # other users are not affected; the lock lifts when the failures leave the window
    sign_in(world, "officer_b", PASSWORD)
    assert sign_in(world, "officer_a", PASSWORD, minutes=16).username == "officer_a"


def test_a_success_resets_the_users_count(world: World) -> None:
    failures(world, "officer_a", 4)
    sign_in(world, "officer_a", PASSWORD, minutes=1)
    with world.make_uow() as uow:  # four more failures after the success do not lock
        for _ in range(4):
            with pytest.raises(Unauthenticated):
                auth.authenticate(
                    uow,
                    username="officer_a",
                    password="Wrong-password-1",
                    address="10.0.0.1",
                    now=world.now + timedelta(minutes=2),
                )
    assert sign_in(world, "officer_a", PASSWORD, minutes=3).username == "officer_a"


def test_many_failures_from_one_address_throttle_it(world: World) -> None:
    for index in range(20):
        with pytest.raises(Unauthenticated):
            sign_in(world, f"guess{index}", "Wrong-password-1", address="203.0.113.9")
    with pytest.raises(TooManyRequests) as caught:
        sign_in(world, "officer_a", PASSWORD, address="203.0.113.9")
    assert caught.value.code == "login_throttled"
    assert sign_in(world, "officer_a", PASSWORD, address="198.51.100.1").username == "officer_a"


def test_password_policy(world: World) -> None:
    cases = {
        "short1": "password",
        "onlyletters": "password",
        "1234567890": "password",
        "officer_b-123": "password",
    }
    for password, field in cases.items():
        with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
            auth.reset_password(
                uow,
                world.principal("admin"),
                user_id=world.user_ids["officer_b"],
                new_password=password,
                now=world.now,
            )
        assert caught.value.field == field, password


def test_a_reset_password_works_and_ends_the_users_sessions(world: World) -> None:
    officer = sign_in(world, "officer_b", PASSWORD)
    with world.make_uow() as uow:
        session = auth.start_session(uow, principal=officer, now=world.now)
        uow.commit()
    with world.make_uow() as uow:
        auth.reset_password(
            uow,
            world.principal("admin"),
            user_id=world.user_ids["officer_b"],
            new_password="Another-secret-99",
            now=world.now,
        )
        uow.commit()
    with world.make_uow() as uow, pytest.raises(Unauthenticated):
        auth.principal_for_session(uow, token=session.token, now=world.now)
    with pytest.raises(Unauthenticated):
        sign_in(world, "officer_b", PASSWORD)
    assert sign_in(world, "officer_b", "Another-secret-99").username == "officer_b"


def test_a_session_is_stored_hashed_and_expires(world: World) -> None:
    officer = sign_in(world, "officer_a", PASSWORD)
    with world.make_uow() as uow:
        session = auth.start_session(uow, principal=officer, now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        stored = uow.session.scalars(select(BrowserSession)).one()
        assert stored.token_hash != session.token and session.token not in stored.token_hash
        principal, again = auth.resolve_session(
            uow, token=session.token, now=world.now + timedelta(hours=7)
        )
        assert principal.username == "officer_a" and again.csrf_token == session.csrf_token
        with pytest.raises(Unauthenticated):
            auth.principal_for_session(uow, token=session.token, now=session.expires_at)
    with world.make_uow() as uow:
        auth.end_session(uow, token=session.token)
        uow.commit()
    with world.make_uow() as uow, pytest.raises(Unauthenticated):
        auth.principal_for_session(uow, token=session.token, now=world.now)


def test_api_tokens_expire_and_can_be_revoked(world: World) -> None:
    officer = world.principal("officer_a")
    with world.make_uow() as uow:
        token_id, secret = auth.issue_api_token(
            uow, officer, name="script", expires_at=world.now + timedelta(days=1), now=world.now
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        assert secret not in uow.session.scalars(select(ApiToken.token_hash)).one()
        assert auth.principal_for_api_token(uow, secret=secret, now=world.now).username == (
            "officer_a"
        )
        with pytest.raises(Unauthenticated) as expired:
            auth.principal_for_api_token(uow, secret=secret, now=world.now + timedelta(days=1))
        assert expired.value.code == "token_expired"
    with world.make_uow() as uow:
        auth.revoke_api_token(uow, officer, token_id=token_id, now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow, pytest.raises(Unauthenticated) as revoked:
        auth.principal_for_api_token(uow, secret=secret, now=world.now)
    assert revoked.value.code == "token_revoked"


def test_no_one_revokes_anothers_token_without_the_permission(world: World) -> None:
    with world.make_uow() as uow:
        token_id, _ = auth.issue_api_token(
            uow,
            world.principal("officer_a"),
            name="s",
            expires_at=world.now + timedelta(hours=1),
            now=world.now,
        )
        uow.commit()
    with world.make_uow() as uow, pytest.raises(auth.Forbidden):
        auth.revoke_api_token(uow, world.principal("officer_b"), token_id=token_id, now=world.now)
    with world.make_uow() as uow:
        auth.revoke_api_token(uow, world.principal("admin"), token_id=token_id, now=world.now)
        uow.commit()


def test_a_token_lives_at_most_ninety_days(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        auth.issue_api_token(
            uow,
            world.principal("officer_a"),
            name="forever",
            expires_at=world.now + timedelta(days=91),
            now=world.now,
        )
    assert caught.value.field == "expires_at"


def test_a_token_expiry_names_its_time_zone(world: World) -> None:
    naive = (world.now + timedelta(days=1)).replace(tzinfo=None)
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        auth.issue_api_token(
            uow, world.principal("officer_a"), name="local", expires_at=naive, now=world.now
        )
    assert caught.value.field == "expires_at"


def test_a_disabled_user_cannot_sign_in_or_use_a_token(world: World) -> None:
    with world.make_uow() as uow:
        _, secret = auth.issue_api_token(
            uow,
            world.principal("officer_b"),
            name="s",
            expires_at=world.now + timedelta(hours=1),
            now=world.now,
        )
        auth.set_user_active(
            uow,
            world.principal("admin"),
            user_id=world.user_ids["officer_b"],
            active=False,
            now=world.now,
        )
        uow.commit()
    with pytest.raises(Unauthenticated):
        sign_in(world, "officer_b", PASSWORD)
    with world.make_uow(read_only=True) as uow, pytest.raises(Unauthenticated):
        auth.principal_for_api_token(uow, secret=secret, now=world.now)

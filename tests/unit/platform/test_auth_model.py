"""Pure rules of auth: password policy, login throttling, scopes, roles, masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from microlend.auth.model import (
    LoginPolicy,
    administrative,
    check_password_policy,
    check_username,
    scope_within,
)
from microlend.auth.permissions import DEFAULT_ROLES, PERMISSIONS
from microlend.kernel.errors import Forbidden, ValidationFailed
from microlend.kernel.pii import PiiKind, mask, shown
from microlend.kernel.principal import DataScope, Principal, require

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "password", ["short1", "onlyletters-here", "1234567890123", "my-zhangwei-99"]
)
def test_weak_passwords_are_refused_naming_the_field(password: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, username="zhangwei")
    assert caught.value.field == "password"


def test_a_good_password_passes() -> None:
    check_password_policy("Correct-horse-42", username="zhangwei")


@pytest.mark.parametrize("username", ["ab", "Has Space", "-dash", "x" * 65])
def test_bad_usernames(username: str) -> None:
    with pytest.raises(ValidationFailed):
        check_username(username)


def test_usernames_are_lowercased() -> None:
    assert check_username(" Zhang.Wei ") == "zhang.wei"


def test_failures_count_from_the_last_success_within_the_window() -> None:
    policy = LoginPolicy(window=timedelta(minutes=15), user_failures=5, address_failures=20)
    now = T0 + timedelta(hours=1)
    assert policy.since(now, None) == now - timedelta(minutes=15)
    assert policy.since(now, now - timedelta(minutes=5)) == now - timedelta(minutes=5)
    assert policy.since(now, now - timedelta(hours=5)) == now - timedelta(minutes=15)
    assert not policy.user_locked(4) and policy.user_locked(5)
    assert not policy.address_throttled(19) and policy.address_throttled(20)
    assert policy.retry_after(now, now - timedelta(minutes=10)) == 300


def test_scopes_are_ordered_narrow_to_wide() -> None:
    assert scope_within(DataScope.OFFICE, DataScope.COMPANY)
    assert scope_within(DataScope.COMPANY, DataScope.COMPANY)
    assert not scope_within(DataScope.GROUP, DataScope.OFFICE_SUBTREE)


def test_default_roles_name_only_catalogued_permissions() -> None:
    assert set(DEFAULT_ROLES) == {
        "admin",
        "loan_officer",
        "risk_officer",
        "approver",
        "finance",
        "collector",
        "manager",
        "auditor",
    }
    for role in DEFAULT_ROLES.values():
        assert role.permissions <= set(PERMISSIONS) and role.name_zh and role.name_en


def test_only_auditors_verify_and_readers_never_see_personal_data() -> None:
    assert "audit.verify" in DEFAULT_ROLES["auditor"].permissions
    assert "pii.view" not in DEFAULT_ROLES["auditor"].permissions
    assert "pii.view" not in DEFAULT_ROLES["manager"].permissions
    assert "pii.view" in DEFAULT_ROLES["collector"].permissions


def test_administrative_permissions() -> None:
    assert administrative(["auth.user.create", "customers.view", "audit.read"]) == {
        "auth.user.create",
        "audit.read",
    }


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        ("110101199003071234", PiiKind.ID_NUMBER, "110***********1234"),
        ("13812345678", PiiKind.PHONE, "138****5678"),
        ("6222021234567890123", PiiKind.BANK_ACCOUNT, "***************0123"),
        ("12345", PiiKind.PHONE, "*****"),
    ],
)
def test_masking(value: str, kind: PiiKind, masked: str) -> None:
    assert mask(value, kind) == masked
    assert shown(value, kind, may_view=False) == masked
    assert shown(value, kind, may_view=True) == value
    assert shown(None, kind, may_view=False) is None


def principal(**changes: object) -> Principal:
    fields: dict[str, object] = {
        "user_id": 7,
        "username": "u",
        "display_name": "U",
        "company_id": 1,
        "office_id": 3,
        "permissions": frozenset({"a.b"}),
        "scope": DataScope.OFFICE_SUBTREE,
        "company_ids": frozenset({1}),
        "office_ids": frozenset({3, 4}),
    }
    fields.update(changes)
    return Principal(**fields)  # type: ignore[arg-type]


def test_a_principal_checks_permissions_and_visibility() -> None:
    actor = principal()
    assert actor.can("a.b") and not actor.can("c.d")
    require(actor, "a.b")
    with pytest.raises(Forbidden) as caught:
        require(actor, "c.d")
    assert caught.value.extra == {"permission": "c.d"}
    assert actor.sees_office(1, 4) and not actor.sees_office(1, 5) and not actor.sees_office(2, 3)
    assert principal(office_ids=None).sees_office(1, 99)


def test_a_principal_survives_its_snapshot() -> None:
    actor = principal(address="10.0.0.1", roles=frozenset({"admin"}))
    assert Principal.from_snapshot(actor.to_snapshot()) == actor
    assert actor.with_address("x").address == "x"

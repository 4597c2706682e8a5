"""Users, roles and sign-in, as rules: the principal, password policy, login throttling, scopes,
personal-data masking. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.pii import PiiKind, mask, shown
from microlend.kernel.principal import DataScope, Principal, require

__all__ = [
    "DataScope",
    "LoginPolicy",
    "PiiKind",
    "Principal",
    "administrative",
    "check_password_policy",
    "check_username",
    "mask",
    "require",
    "scope_within",
    "shown",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

# Narrowest first: a user may hand out a scope no wider than their own.
SCOPE_ORDER = (
    DataScope.OWN,
    DataScope.OFFICE,
    DataScope.OFFICE_SUBTREE,
    DataScope.COMPANY,
    DataScope.GROUP,
)


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise ValidationFailed(
            "a username is 3 to 64 lowercase letters, digits, '.', '_' or '-'", field="username"
        )
    return username


def check_password_policy(password: str, *, username: str) -> None:
    """At least 10 characters, letters and digits, and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "a password has at least %(min_password_length)s characters",
            field="password",
            params={"min_password_length": MIN_PASSWORD_LENGTH},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            "a password has at most %(max_password_length)s characters",
            field="password",
            params={"max_password_length": MAX_PASSWORD_LENGTH},
        )
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise ValidationFailed("a password mixes letters and digits", field="password")
    if username and username.lower() in password.lower():
        raise ValidationFailed("a password does not contain the username", field="password")


ADMINISTRATIVE_PREFIXES = ("auth.", "makerchecker.", "audit.", "orgs.company.")


def administrative(codes: Iterable[str]) -> set[str]:
    """The permissions that govern others (users, roles, checks, audit, companies): only a holder
    may hand them out, so that granting roles never escalates the granter's own power."""
    return {code for code in codes if code.startswith(ADMINISTRATIVE_PREFIXES)}


def scope_within(scope: DataScope, limit: DataScope) -> bool:
    """Is ``scope`` no wider than ``limit``?"""
    return SCOPE_ORDER.index(scope) <= SCOPE_ORDER.index(limit)


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling of sign-in: failures counted over a sliding window, per user and per address."""

    window: timedelta = timedelta(minutes=15)
    user_failures: int = 5
    address_failures: int = 20

    def since(self, now: datetime, last_success: datetime | None) -> datetime:
        """Failures that count for a user: in the window and after their last success."""
        start = now - self.window
        return max(start, last_success) if last_success else start

    def user_locked(self, failures: int) -> bool:
        return failures >= self.user_failures

    def address_throttled(self, failures: int) -> bool:
        return failures >= self.address_failures

    def retry_after(self, now: datetime, oldest_counted: datetime | None) -> int:
        """Seconds until the oldest counted failure leaves the window."""
        if oldest_counted is None:
            return int(self.window.total_seconds())
        return max(1, int((oldest_counted + self.window - now).total_seconds()))

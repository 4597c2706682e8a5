"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile by default)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (the test suite uses a cheap one; production keeps the default)."""
    global _hasher
    _hasher = hasher
    _dummy_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no such user, same cost")


def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, so unknown usernames answer as slowly as known."""
    verify_password(_dummy_hash(), password)

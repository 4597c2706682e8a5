"""Settings of the web app, read once at the edge (environment variables ``MICROLEND_*``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from microlend.db.engine import database_url


def system_clock() -> datetime:
    """The wall clock, read only at the edge; everything below takes ``now`` as an argument."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    database_url: str
    session_ttl: timedelta = timedelta(hours=8)
    api_token_ttl: timedelta = timedelta(hours=12)
    secure_cookies: bool = False
    clock: Callable[[], datetime] = field(default=system_clock)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=database_url(),
            secure_cookies=os.environ.get("MICROLEND_SECURE_COOKIES", "") in ("1", "true", "yes"),
        )

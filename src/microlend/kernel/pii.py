"""Masking of personal data (ID numbers, phones, bank accounts) for users without ``pii.view``."""

from __future__ import annotations

from enum import StrEnum


class PiiKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"


# (characters kept at the start, characters kept at the end)
_KEEP: dict[PiiKind, tuple[int, int]] = {
    PiiKind.ID_NUMBER: (3, 4),
    PiiKind.PHONE: (3, 4),
    PiiKind.BANK_ACCOUNT: (0, 4),
}


def mask(value: str, kind: PiiKind) -> str:
    """``value`` with its middle replaced by ``*``; short values are masked whole."""
    head, tail = _KEEP[kind]
    if len(value) <= head + tail + 2:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def shown(value: str | None, kind: PiiKind, *, may_view: bool) -> str | None:
    """``value`` itself for a user who may view personal data, masked for everyone else."""
    if value is None or may_view:
        return value
    return mask(value, kind)

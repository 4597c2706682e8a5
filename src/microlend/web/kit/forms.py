"""Form handling shared by pages: reading fields, showing a refused command beside its field."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import Any

from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.web.kit import error_text
from microlend.web.kit.notices import Notice

FieldErrors = dict[str, str]


def form_texts(submitted: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The posted fields ``names`` as text without surrounding spaces ("" when not posted)."""
    return {name: str(submitted.get(name) or "").strip() for name in names}


def feedback(
    error: DomainError,
    fields: Collection[str],
    gettext: Callable[[str], str],
    labels: Mapping[str, str] | None = None,
) -> tuple[FieldErrors, list[Notice]]:
    """The error beside the form field it names, or as a notice above the form (``labels``: the
    form's names of fields that differ from ``error_text.FIELD_NAMES``)."""
    message = error_text.describe(error, gettext, labels)
    if error.field and error.field in fields:
        return {error.field: message}, []
    return {}, [Notice("error", message)]


def optional_int(value: str | None) -> int | None:
    """A form's integer field: None when empty or not a number (the service then names it)."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def optional_date(value: str | None, field: str) -> date | None:
    """A form's date field: None when empty; a date that is not YYYY-MM-DD is refused naming
    ``field`` (never read as "no date", which a service takes for the business date)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("a date like 2026-01-31", field=field) from None

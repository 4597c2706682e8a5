"""Typed domain errors.

Each error carries the HTTP status it maps to and a stable machine-readable ``code``; the API turns
them into RFC 9457 problem+json and the CLI into a one-line message naming the field.

The first argument is an English message written as a literal, so that the web UI's catalog can
extract it (``web/kit/catalog.py``) and show it translated. A message with values is a template
with named placeholders and ``params``: ``ValidationFailed("at most %(limit)s characters",
field="purpose", params={"limit": 200})``. ``detail`` is the English text with the values filled in
(what the API and the CLI show); ``template`` and ``params`` are what the UI translates and fills.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


def filled(template: str, params: Mapping[str, object]) -> str:
    """``template`` with its named placeholders filled from ``params`` (none: as it is, so that a
    message without values may hold a literal ``%``)."""
    return template % params if params else template


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "domain_error"
    title: ClassVar[str] = "Domain error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = detail
        self.params = dict(params or {})
        self.detail = filled(detail, self.params)
        super().__init__(self.detail)
        self.code = code or self.default_code
        self.field = field
        self.extra = dict(extra or {})

    def __str__(self) -> str:
        return f"{self.field}: {self.detail}" if self.field else self.detail


@dataclass(frozen=True, slots=True)
class Refusal:
    """A domain error's message kept as a value, to be raised or shown later: its English
    template, ``params`` (name, value pairs, so that the value compares and hashes) and field.
    Kept rather than the filled ``detail``, so that the UI can show it in the reader's language."""

    template: str
    params: tuple[tuple[str, object], ...] = ()
    field: str | None = None

    @classmethod
    def of(cls, error: DomainError) -> Refusal:
        return cls(error.template, tuple(sorted(error.params.items())), error.field)

    def __str__(self) -> str:
        detail = filled(self.template, dict(self.params))
        return f"{self.field}: {detail}" if self.field else detail


class ValidationFailed(DomainError):
    """Input that cannot be accepted as it is (names the offending field)."""

    status = 422
    default_code = "validation_failed"
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    title = "Not found"


class Gone(DomainError):
    """The record is there, but what it stands for is no longer available (a stored file lost)."""

    status = 410
    default_code = "gone"
    title = "Gone"


class Unauthenticated(DomainError):
    status = 401
    default_code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    title = "Conflict"


class RuleViolation(DomainError):
    """A business rule refuses the command (e.g. posting into a closed period)."""

    status = 422
    default_code = "rule_violation"
    title = "Business rule violated"


class TooManyRequests(DomainError):
    status = 429
    default_code = "too_many_requests"
    title = "Too many requests"

"""Why a close of business stopped, as people read it: the headline a stopped run keeps in its
report (``summary["failure"]["reason"]``: an English template and its values), translated on the
run's page like a domain error's message (``web/kit/error_text.translated``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microlend.db.eod import RunStopped
from microlend.kernel.errors import DomainError


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown."""
    return message


RECONCILIATION_FAILED = N_(
    "The reconciliation of %(day)s failed: %(vouchers)s voucher(s) do not balance and "
    "%(accounts)s account(s) differ between the loan sub-ledger and the general ledger."
)


def reason(template: str, params: Mapping[str, object]) -> dict[str, Any]:
    """A reason the run's JSON summary can keep: the template, and its values as text or
    whole numbers (a date or an amount is kept as it reads)."""
    kept = {k: v if isinstance(v, int | str) else str(v) for k, v in params.items()}
    return {"template": template, "params": kept}


def reason_of(error: Exception) -> dict[str, Any] | None:
    """The readable reason a step's ``error`` stopped the run with, if it has one: a step's
    ``RunStopped`` report may carry it; a domain error's message is one."""
    if isinstance(error, RunStopped):
        kept = error.report.get("reason")
        return dict(kept) if isinstance(kept, Mapping) else None
    if isinstance(error, DomainError):
        return reason(error.template, error.params)
    return None

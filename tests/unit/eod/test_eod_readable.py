"""Why a close of business stopped, kept readable: a domain error's template and values (a date
or an amount kept as text, so that the run's JSON summary holds them), a step's own reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.db.eod import RunStopped
from microlend.eod.readable import reason_of
from microlend.kernel.errors import RuleViolation


def test_a_domain_error_keeps_its_template_and_its_values_as_text() -> None:
    error = RuleViolation(
        "period %(period)s is closed (%(amount)s on %(day)s)",
        params={"period": "2025-03", "amount": Decimal("12.30"), "day": date(2025, 3, 4)},
    )
    assert reason_of(error) == {
        "template": "period %(period)s is closed (%(amount)s on %(day)s)",
        "params": {"period": "2025-03", "amount": "12.30", "day": "2025-03-04"},
    }


def test_a_stopped_run_gives_its_own_reason_and_any_other_failure_none() -> None:
    kept = {"template": "stopped on %(day)s", "params": {"day": "2025-03-04"}}
    assert reason_of(RunStopped("stopped", {"reason": kept})) == kept
    assert reason_of(RunStopped("stopped", {"differences": []})) is None
    assert reason_of(RuntimeError("item 3 refused")) is None

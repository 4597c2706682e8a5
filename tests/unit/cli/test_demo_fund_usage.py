"""The demo's fund-usage checks come in the shares its module's table gives, 5 to 25 days after
the loan is paid out."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from microlend.cli.demo_fund_usage import draw_check

DRAWS = 20_000
TABLE = {"verified": 0.75, "partial": 0.12, "misused": 0.05, "unchecked": 0.08}


def test_checks_are_drawn_in_the_tables_shares_within_the_month() -> None:
    rng = random.Random(2026)
    paid_out = date(2026, 1, 31)
    checks = [draw_check(rng, paid_out) for _ in range(DRAWS)]
    outcomes = Counter(check.outcome for check in checks)
    assert set(outcomes) == set(TABLE)
    for outcome, share in TABLE.items():
        assert abs(outcomes[outcome] / DRAWS - share) < 0.01, (outcome, outcomes)
    days = {(check.day - paid_out).days for check in checks}
    assert days == set(range(5, 26))

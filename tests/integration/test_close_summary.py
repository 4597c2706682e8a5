"""Close of business keeps the loans' summary columns true (issue 8, docs/close-of-business.md).

Commands write a loan's outstanding interest (owed and accrued), fee and penalty, its overdue
amount, days past due and next due date and amount from the engine's position
(``account_store.refresh``); the nightly steps must keep them so as the days pass. The ten-loan
portfolio of the parity test (on time, late, defaulting, prepaying, paying off, partial and
back-dated repayments, penalty with and without grace) is closed day by day, and after every
close each open loan's columns equal what the engine's position gives for that date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from microlend.loans import queries
from microlend.loans.records import minor
from microlend.loans.tables import Loan
from tests.conftest import Template
from tests.integration.eod_databases import template_copy, world_on
from tests.integration.eod_portfolio import Driver

DAYS = 100
OPEN = ("active", "overdue", "rescheduled")


def expected(position: Any, currency: str) -> dict[str, Any]:
    """The summary columns from the engine's position, as a command writes them."""
    owed = position.overdue + position.due_today
    return {
        "outstanding_principal_minor": minor(position.outstanding_principal, currency),
        "outstanding_interest_minor": minor(owed.interest + position.accrued_interest, currency),
        "outstanding_fee_minor": minor(owed.fee, currency),
        "outstanding_penalty_minor": minor(owed.penalty, currency),
        "overdue_minor": minor(position.overdue_amount, currency),
        "days_past_due": position.days_past_due,
        "next_due_date": position.next_due_date,
        "next_due_minor": minor(position.next_due_amount, currency),
        "status": "overdue" if position.days_past_due > 0 else "active",
    }


class CheckingDriver(Driver):
    """After every close, compares each open loan's columns with the engine's position."""

    mismatches: list[tuple[date, str, dict[str, Any]]]
    seen: dict[str, int]  # loans compared with a non-zero figure, per column

    def close(self, target: date) -> None:
        super().close(target)
        viewer = self.world.principal("finance")
        with self.world.make_uow() as uow:
            rows = uow.session.scalars(
                select(Loan).where(Loan.company_id == self.world.company_id)
            ).all()
            for loan in rows:
                if loan.status not in OPEN or loan.disbursement_date > target:
                    continue
                here = queries.loan_position(uow, viewer, loan_id=loan.id, as_of=target)
                want = expected(here, loan.currency)
                if loan.status == "rescheduled":
                    want.pop("status")
                have = {name: getattr(loan, name) for name in want}
                if have != want:
                    wrong = {k: (have[k], want[k]) for k in want if have[k] != want[k]}
                    self.mismatches.append((target, loan.number, wrong))
                for name, value in want.items():
                    if value and value != "active":
                        self.seen[name] = self.seen.get(name, 0) + 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Template]]:
    if request.param == "sqlite":
        template: Template = request.getfixturevalue("sqlite_world_template")
        with template_copy(template, tmp_path) as url:
            yield url, template
        return
    template = request.getfixturevalue("pg_world_template")
    server: str = request.getfixturevalue("pg_server_url")
    with template_copy(template, tmp_path, server) as url:
        yield url, template


def test_the_summary_columns_follow_the_engine_after_every_close(
    database: tuple[str, Template],
) -> None:
    url, template = database
    with world_on(url, template) as (world, _engine, factory):
        driver = CheckingDriver(world, factory)
        driver.mismatches, driver.seen = [], {}
        driver.start()
        driver.run(0, DAYS - 1)
    assert not driver.mismatches, driver.mismatches[:20]
    # every column was compared with real figures (overdue loans, penalty, fees due)
    for name in ("outstanding_interest_minor", "outstanding_penalty_minor", "overdue_minor",
                 "days_past_due", "next_due_date", "next_due_minor", "status"):  # fmt: skip
        assert driver.seen.get(name, 0) > 10, (name, driver.seen)

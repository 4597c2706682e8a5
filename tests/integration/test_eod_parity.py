"""Issue 8: a run over the same data on SQLite and on PostgreSQL gives identical results.

The same portfolio (tests/integration/eod_portfolio.py: ten loans, three products' day counts
and penalty terms, 等额本息 and 等额本金, paying on time, late, defaulting, prepaying, paying
off, a back-dated repayment, back-dated disbursements) is built on both backends through the
real services and closed day by day for ``DAYS`` days with its repayments in between; at the end
every loan's balances, installments, events and postings, accruals, penalties, DPD,
classifications, provisions, the vouchers and their lines, and the journal per account, day and
side are the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest

from tests.conftest import Template
from tests.integration.eod_databases import template_copy, world_on
from tests.integration.eod_portfolio import START, Driver, differences, rows_of, snapshot

pytestmark = pytest.mark.postgres
DAYS = 120


def drive(url: str, template: Template) -> dict[str, Any]:
    """Build the portfolio on the database at ``url``, close ``DAYS`` days, and snapshot it."""
    with world_on(url, template) as (world, engine, factory):
        driver = Driver(world, factory)
        driver.start()
        driver.run(0, DAYS - 1)
        return snapshot(engine, world.company_id)


@pytest.fixture
def urls(
    tmp_path: Path,
    sqlite_world_template: Template,
    pg_world_template: Template,
    pg_server_url: str,
) -> Iterator[dict[str, tuple[str, Template]]]:
    with ExitStack() as stack:
        lite = stack.enter_context(template_copy(sqlite_world_template, tmp_path))
        pg = stack.enter_context(template_copy(pg_world_template, tmp_path, pg_server_url))
        yield {
            "sqlite": (lite, sqlite_world_template),
            "postgres": (pg, pg_world_template),
        }


def test_sqlite_and_postgresql_close_a_portfolio_alike(
    urls: dict[str, tuple[str, Template]],
) -> None:
    found = {name: drive(*where) for name, where in urls.items()}

    diff = differences(found["sqlite"], found["postgres"])
    assert not diff, pformat(diff, width=100)[:6000]

    # The portfolio went where it should (else the comparison proves little).
    assert found["sqlite"]["business_date"] == START + timedelta(days=DAYS)
    loans = rows_of(found["sqlite"]["loans"])
    assert {"active", "overdue", "closed"} <= {row["status"] for row in loans}
    assert max(row["max_days_past_due"] for row in loans) > 90
    accruals = rows_of(found["sqlite"]["loan_accruals"])
    assert sum(row["off_balance_minor"] for row in accruals) > 0  # 非应计 past 90 DPD
    assert sum(row["penalty_minor"] for row in accruals) > 0
    assert any(row["overdue_principal_minor"] < 0 for row in accruals)  # back from overdue
    categories = {row["category"] for row in rows_of(found["sqlite"]["loan_classifications"])}
    assert {"normal", "special_mention", "substandard"} <= categories
    inline = [row for row in accruals if str(row["voucher_key"]).startswith("close:loan:")]
    assert inline, "the back-dated loan's first repayment closed its missed days inline"
    repayments = [
        row for row in rows_of(found["sqlite"]["loan_events"]) if row["kind"] == "repayment"
    ]
    assert any(row["value_date"] < row["business_date"] for row in repayments)  # back-dated

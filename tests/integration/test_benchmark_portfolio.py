"""The close-of-business benchmark's portfolio (benchmarks/portfolio.py) is a book that a close
of business reconciles: the clones' balances posted to the ledger must cover every account the
reconciliation compares, or the benchmark stops at its first close. (It did once: interest kept
off balance, 7001, was left out of the clones' vouchers when the reconciliation began to compare
it.) Built small: a dozen templates (seed 1: one of them past 90 days overdue), cloned to 60
loans."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchmarks.portfolio import DAY, build_portfolio, clock
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from microlend.db.engine import create_engine_for
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.eod.runner import run_close_of_business
from microlend.loans.tables import Loan
from tests.conftest import admin_connect

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_url(pg_server_url: str, worker_id: str) -> Iterator[str]:
    name = f"ml_bench_portfolio_{worker_id}"
    with admin_connect(pg_server_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    with admin_connect(pg_server_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_cloned_portfolio_closes_and_reconciles(bench_url: str) -> None:
    portfolio = build_portfolio(bench_url, loans=60, templates=12, seed=1)
    engine = create_engine_for(bench_url)
    try:
        factory = make_session_factory(engine)
        with UnitOfWork(factory, read_only=True) as uow:
            count, off_balance = uow.session.execute(
                select(func.count(), func.sum(Loan.off_balance_interest_minor))
            ).one()
        assert count == 60 and off_balance > 0  # the clones carry interest kept off balance
        summary = run_close_of_business(
            factory, company_id=portfolio.company_id, target_date=DAY, now=clock
        )
        assert summary.status == "done", summary
    finally:
        engine.dispose()

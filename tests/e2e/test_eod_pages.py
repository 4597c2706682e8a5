"""Close-of-business pages: who may open them (eod.run: admin, finance), the list of runs, and a
stopped run's reconciliation report (the Chinese strings wait in .i18n-pending/eod.json)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from microlend.db.uow import SessionFactory
from microlend.eod.discovery import STEP_MODULES_VARIABLE
from microlend.eod.runner import run_close_of_business
from tests.e2e.pages_support import HTML, LEDGER, ROLES, ZH, sign_in, ui_client
from tests.integration.eod_scratch_steps import create_scratch, set_control
from tests.integration.loans_support import disbursed
from tests.seed import World

__all__ = ["ui_client"]

RUNNERS = frozenset({"admin", "finance"})  # eod.run
PAGES = {"/eod": RUNNERS, "/eod/runs/{run_id}": RUNNERS, "/accounting/reconciliation": LEDGER}


def clock() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def stopped_run(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, session_factory: SessionFactory, world: World
) -> int:
    """A closed 2025-03-03 and a 2025-03-04 stopped by a reconciliation difference on 1303."""
    monkeypatch.setenv(STEP_MODULES_VARIABLE, "tests.integration.eod_scratch_steps")
    with engine.begin() as connection:
        create_scratch(connection, world.company_id, range(1, 6))
    run = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=world.now.date(), now=clock
    )
    assert run.status == "done"
    with engine.begin() as connection:
        set_control(connection, "subledger", '{"1303": "12.34"}')
    stopped = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=date(2025, 3, 4), now=clock
    )
    assert stopped.status == "failed"
    return stopped.days[0].run_id


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_the_pages(
    ui_client: TestClient, world: World, stopped_run: int, role: str
) -> None:
    sign_in(ui_client, ROLES[role])
    for path, allowed in PAGES.items():
        response = ui_client.get(path.replace("{run_id}", str(stopped_run)), headers=HTML)
        assert response.status_code == (200 if role in allowed else 403), path


def test_the_runs_and_a_stopped_run_with_its_report(
    ui_client: TestClient, world: World, stopped_run: int
) -> None:
    sign_in(ui_client, "finance")
    listing = ui_client.get("/eod", headers=HTML).text
    assert 'href="/eod/runs/' in listing and "2025-03-03" in listing and "2025-03-04" in listing
    assert "Failed" in listing and "Done" in listing

    page = ui_client.get(f"/eod/runs/{stopped_run}", headers=HTML).text
    assert "reconciliation of 2025-03-04 failed" in page
    assert "<td>1303</td>" in page and '<td class="num">12.34</td>' in page
    assert 'data-step="scratch.first"' in page and "items 5" in page
    assert ui_client.get("/eod/runs/999999", headers=HTML).status_code == 404

    assert (
        '<p id="eod-reason">The reconciliation of 2025-03-04 failed: 0 voucher(s) do not balance'
        " and 1 account(s) differ between the loan sub-ledger and the general ledger.</p>"
    ) in page

    chinese = ui_client.get(f"/eod/runs/{stopped_run}", headers={**HTML, **ZH})
    assert chinese.status_code == 200 and 'lang="zh-CN"' in chinese.text
    assert (
        '<p id="eod-reason">2025-03-04 对账未通过：0 张凭证借贷不平，'
        "1 个科目的贷款分户账与总账不一致。</p>"
    ) in chinese.text


def test_a_run_of_the_real_steps_reads_in_chinese(
    ui_client: TestClient, world: World, session_factory: SessionFactory
) -> None:
    """The steps and their counts are named, not shown as codes; the vouchers the day posted
    are summarised in the books' language (Chinese), their kind a label."""
    disbursed(world)  # 15 January 2025
    run = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=date(2025, 1, 16), now=clock
    )
    assert run.status == "done"
    sign_in(ui_client, "finance")
    page = ui_client.get(f"/eod/runs/{run.days[0].run_id}", headers={**HTML, **ZH}).text
    assert 'data-step="loans.accrue"' in page and "<td>计提利息</td>" in page
    assert "<td>推进营业日</td>" in page and "推进天数 1" in page
    assert "<td>loans.accrue</td>" not in page and "days_advanced" not in page
    english = ui_client.get(f"/eod/runs/{run.days[0].run_id}", headers=HTML).text
    assert "<td>Accrue interest</td>" in english and "days advanced 1" in english
    vouchers = ui_client.get("/accounting/vouchers?period=2025-01", headers={**HTML, **ZH}).text
    assert "日终 计提利息 2025-01-16" in vouchers and "interest_accrual" not in vouchers


def test_the_live_reconciliation_of_a_disbursed_loan(ui_client: TestClient, world: World) -> None:
    """12,000.00 disbursed: 1303 holds it in the loans' rows and in the ledger alike."""
    disbursed(world)
    sign_in(ui_client, "finance")
    home = ui_client.get("/", headers=HTML).text
    assert 'href="/accounting/reconciliation" id="reconcile-now"' in home
    page = ui_client.get("/accounting/reconciliation", headers={**HTML, **ZH}).text
    assert '<span class="badge badge-success" id="reconciled">已平</span>' in page
    row = page.split('<tr data-account="1303">')[1].split("</tr>")[0]
    figures = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    assert figures == ["12,000.00", "12,000.00", "0.00"]
    assert "贷款" in row


def test_the_live_reconciliation_shows_a_difference(
    ui_client: TestClient, world: World, stopped_run: int
) -> None:
    """The scratch sub-ledger says 1303 holds 12.34; the ledger holds nothing there."""
    sign_in(ui_client, "finance")
    page = ui_client.get("/accounting/reconciliation", headers=HTML).text
    assert 'id="reconciled">Differences found<' in page
    row = page.split('<tr data-account="1303">')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num[^"]*">([^<]*)</td>', row) == ["12.34", "0.00", "12.34"]
    assert 'class="num differs"' in row

"""Textbook accounting scenarios (tests/cases/ledger_*.json) against the hand-worked trial
balance, income statement and balance sheet, on both databases."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from microlend.accounting import service as ledger
from tests.ledger_support import closing_balances
from tests.seed import World

CASES = sorted((Path(__file__).resolve().parents[1] / "cases").glob("ledger_*.json"))


def run_steps(world: World, steps: list[dict[str, Any]]) -> None:
    finance = world.principal("finance")
    for step in steps:
        day = date.fromisoformat(step["date"])
        with world.make_uow() as uow:
            if "manual" in step:
                lines = [
                    {"account_code": code, "side": side, "amount": amount}
                    for code, side, amount in step["lines"]
                ]
                ledger.post_manual_voucher(
                    uow,
                    finance,
                    office_id=world.offices["hq"],
                    business_date=day,
                    summary=step["manual"],
                    lines=lines,
                    now=world.now,
                )
            else:
                event = ledger.LedgerEvent(
                    type=step["event"],
                    company_id=world.company_id,
                    office_id=world.offices["hq"],
                    business_date=day,
                    amounts={role: Decimal(amount) for role, amount in step["amounts"].items()},
                    idempotency_key=step["key"],
                )
                ledger.post(uow, finance, event=event, now=world.now)
            uow.commit()


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_worked_example(world: World, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    run_steps(world, case["steps"])
    finance = world.principal("finance")
    first, last = (date.fromisoformat(day) for day in case["period"])
    with world.make_uow(read_only=True) as uow:
        assert closing_balances(uow, finance, first, last) == case["expected_closing"]
        report = ledger.trial_balance(uow, finance, date_from=first, date_to=last)
        totals = report.totals
        expected = {key: Decimal(value) for key, value in case["expected_totals"].items()}
        assert (totals.opening_debit, totals.opening_credit) == (expected["opening"],) * 2
        assert (totals.period_debit, totals.period_credit) == (expected["period"],) * 2
        assert (totals.closing_debit, totals.closing_credit) == (expected["closing"],) * 2
        if "income_statement" in case:
            check_income_statement(uow, finance, case["income_statement"])
        if "balance_sheet" in case:
            check_balance_sheet(uow, finance, case["balance_sheet"])
        assert ledger.check_ledger(uow, finance) == []


def check_income_statement(uow: Any, actor: Any, expected: dict[str, Any]) -> None:
    first, last = (date.fromisoformat(day) for day in expected["period"])
    statement = ledger.income_statement(uow, actor, date_from=first, date_to=last)
    assert str(statement.total_income) == expected["total_income"]
    assert str(statement.total_expenses) == expected["total_expenses"]
    assert str(statement.net_profit) == expected["net_profit"]


def check_balance_sheet(uow: Any, actor: Any, expected: dict[str, Any]) -> None:
    sheet = ledger.balance_sheet(uow, actor, as_of=date.fromisoformat(expected["as_of"]))
    assert sheet.balanced
    assert str(sheet.total_assets) == expected["total_assets"]
    assert str(sheet.total_liabilities) == expected["total_liabilities"]
    assert str(sheet.total_equity) == expected["total_equity"]

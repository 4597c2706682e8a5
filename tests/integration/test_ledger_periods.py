"""Month close in order, and the year-end closing of income and expense into 4103 / 4104."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from microlend.accounting import service as ledger
from microlend.kernel.errors import RuleViolation, ValidationFailed
from tests.integration.loans_support import set_business_date
from tests.ledger_support import closing_balances, event, post
from tests.seed import World


def test_months_close_in_order_and_reopen_from_the_latest(world: World) -> None:
    finance, admin = world.principal("finance"), world.principal("admin")
    post(world, finance, event(world, "fee_charge", "f:1", date(2025, 1, 5), fee="1"))
    post(world, finance, event(world, "fee_charge", "f:2", date(2025, 2, 5), fee="1"))
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.close_period(uow, finance, period="2025-02", now=world.now)
    assert refused.value.code == "earlier_period_open"
    with world.make_uow() as uow:
        ledger.close_period(uow, finance, period="2025-01", now=world.now)
        ledger.close_period(uow, finance, period="2025-02", now=world.now)
        uow.commit()
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.reopen_period(uow, admin, period="2025-01", reason="x", now=world.now)
    assert refused.value.code == "later_period_closed"
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        ledger.close_period(uow, finance, period="2025-13", now=world.now)
    with world.make_uow(read_only=True) as uow:
        periods = ledger.list_periods(uow, finance)
    assert [(p.period, p.status, p.voucher_count) for p in periods] == [
        ("2025-01", "closed", 1),
        ("2025-02", "closed", 1),
    ]


def test_a_month_closes_only_after_close_of_business_closed_its_last_day(world: World) -> None:
    """The business date is 3 March 2025: March's accruals, penalty and provisions are still to
    be posted by close of business, so March cannot close; on 1 April it can."""
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "f:3", date(2025, 3, 2), fee="1"))
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.close_period(uow, finance, period="2025-03", now=world.now)
    assert refused.value.code == "period_days_open"
    assert refused.value.extra == {"period": "2025-03", "business_date": "2025-03-03"}
    set_business_date(world, date(2025, 3, 31))
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.close_period(uow, finance, period="2025-03", now=world.now)
    assert refused.value.code == "period_days_open"
    set_business_date(world, date(2025, 4, 1))
    with world.make_uow() as uow:
        assert ledger.close_period(uow, finance, period="2025-03", now=world.now).status == "closed"
        uow.commit()


def test_year_end_close_moves_profit_to_retained_earnings(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "disbursement", "d:1", date(2025, 1, 2), principal="10000"))
    post(world, finance, event(world, "interest_accrual", "a:1", date(2025, 6, 30), interest="600"))
    post(world, finance, event(world, "provision", "p:1", date(2025, 6, 30), provision="100"))
    post(
        world,
        finance,
        event(world, "interest_accrual", "a:2", date(2025, 6, 30), office="b", interest="50"),
    )
    with world.make_uow() as uow:
        closing = ledger.close_year(uow, finance, year=2025, now=world.now)
        again = ledger.close_year(uow, finance, year=2025, now=world.now)
        uow.commit()
    assert isinstance(closing, ledger.VoucherView) and isinstance(again, ledger.VoucherView)
    assert closing.id == again.id and closing.business_date == date(2025, 12, 31)
    year = (date(2025, 1, 1), date(2025, 12, 31))
    with world.make_uow(read_only=True) as uow:
        balances = closing_balances(uow, finance, *year)
        statement = ledger.income_statement(uow, finance, date_from=year[0], date_to=year[1])
        sheet = ledger.balance_sheet(uow, finance, as_of=year[1])
        branch_b = closing_balances(uow, finance, *year, office_id=world.offices["b"])
    assert balances == {
        "1002": "-10000.00",
        "1132": "650.00",
        "1303": "10000.00",
        "130301": "10000.00",
        "1304": "-100.00",
        "4104": "-550.00",
    }
    assert branch_b == {"1132": "50.00", "4104": "-50.00"}
    assert statement.net_profit == 550  # the closing voucher is not income
    assert sheet.balanced and sheet.unclosed_profit == 0
    assert [line.code for line in sheet.equity] == ["4104"]


def test_consolidated_trial_balance_adds_the_group(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "f:1", date(2025, 3, 1), fee="10"))
    mld = world.principal("mld_admin")
    other = ledger.LedgerEvent(
        type="fee_charge",
        company_id=world.other_company_id,
        office_id=world.offices["mld_hq"],
        business_date=date(2025, 3, 1),
        amounts={"fee": Decimal("5")},
        idempotency_key="f:1",
    )
    post(world, mld, other)
    group = world.principal("group_auditor")
    window = (date(2025, 3, 1), date(2025, 3, 31))
    with world.make_uow(read_only=True) as uow:
        assert closing_balances(uow, group, *window, consolidated=True)["6021"] == "-15.00"
        assert closing_balances(uow, finance, *window)["6021"] == "-10.00"
        assert closing_balances(uow, mld, *window)["6021"] == "-5.00"
        mine = ledger.list_vouchers(uow, finance).items
    assert [v.number for v in mine] == ["2025-03-000001"]

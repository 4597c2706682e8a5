"""The chart of accounts: default books, sub-accounts, deactivation, CSV import, audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from tests.ledger_support import event, post
from tests.seed import World

DAY = date(2025, 3, 3)


def test_the_default_chart_is_a_tree_with_names_in_two_languages(world: World) -> None:
    admin = world.principal("admin")
    with world.make_uow() as uow:
        assert ledger.open_books(uow, admin, now=world.now) is True
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        accounts = {a.code: a for a in ledger.list_accounts(uow, admin)}
    loans, performing = accounts["1303"], accounts["130301"]
    assert (loans.name_zh, loans.name_en, loans.level) == ("贷款", "Loans", 0)
    assert (performing.parent_code, performing.level) == ("1303", 1)
    assert accounts["1304"].normal_side == "C" and accounts["1304"].type == "asset"
    assert accounts["7001"].type == "off_balance"
    assert accounts["6011"].normal_side == "C" and accounts["6602"].normal_side == "D"


def test_accounts_are_added_renamed_deactivated_and_imported(world: World) -> None:
    admin, finance = world.principal("admin"), world.principal("finance")
    with world.make_uow() as uow:
        ledger.open_books(uow, admin, now=world.now)
        ledger.create_account(
            uow, admin, code="660201", name_zh="租金", name_en="Rent", type="expense",
            parent_code="6602", now=world.now,
        )  # fmt: skip
        renamed = ledger.update_account(uow, admin, code="660201", name_zh="房租", now=world.now)
        added = ledger.import_chart(
            uow,
            admin,
            csv_text="code,name_zh,name_en,type,parent_code\n660202,水电费,Utilities,expense,6602\n",
            now=world.now,
        )
        uow.commit()
    assert isinstance(renamed, ledger.AccountView) and renamed.name_zh == "房租"
    assert added == 1
    with world.make_uow() as uow, pytest.raises(ValidationFailed, match="line 2"):
        ledger.import_chart(
            uow, admin, csv_text="code,name_zh,type\n660203,X,liability_x\n", now=world.now
        )
    with world.make_uow() as uow, pytest.raises(ValidationFailed):  # a child has its parent's type
        ledger.create_account(
            uow, admin, code="660209", name_zh="X", name_en="", type="asset", parent_code="6602",
            now=world.now,
        )  # fmt: skip
    with world.make_uow() as uow, pytest.raises(Conflict):
        ledger.create_account(
            uow, admin, code="1002", name_zh="X", name_en="", type="asset", now=world.now
        )
    with world.make_uow() as uow, pytest.raises(Forbidden):
        ledger.create_account(
            uow, finance, code="1003", name_zh="X", name_en="", type="asset", now=world.now
        )
    rent = [{"account_code": "660201", "side": "D", "amount": "10"},
            {"account_code": "1002", "side": "C", "amount": "10"}]  # fmt: skip
    parent = [{**rent[0], "account_code": "6602"}, rent[1]]
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.post_manual_voucher(
            uow, finance, office_id=world.offices["hq"], business_date=DAY, summary="rent",
            lines=parent, now=world.now,
        )  # fmt: skip
    assert refused.value.code == "parent_account"
    with world.make_uow() as uow:
        ledger.update_account(uow, admin, code="660201", active=False, now=world.now)
        uow.commit()
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        ledger.post_manual_voucher(
            uow, finance, office_id=world.offices["hq"], business_date=DAY, summary="rent",
            lines=rent, now=world.now,
        )  # fmt: skip
    assert refused.value.code == "inactive_account"
    with world.make_uow(read_only=True) as uow:
        commands = uow.session.scalars(
            select(AuditRecord.command).where(AuditRecord.command.like("accounting.%"))
        ).all()
    assert "accounting.account.create" in commands and "accounting.chart.import" in commands


def test_an_office_outside_the_scope_cannot_post(world: World) -> None:
    officer = world.principal("manager_a")  # sees branch A and A1 only
    with pytest.raises(Exception) as refused:
        post(world, officer, event(world, "fee_charge", "f:1", DAY, office="b", fee="1"))
    assert getattr(refused.value, "code", None) == "office_not_found"


def test_an_accounts_balance_adds_its_sub_accounts_and_nothing_else(world: World) -> None:
    """Rent 1,200.00 on 660201 and utilities 300.00 on 660202 (both under 6602), an asset
    impairment of 50.00 on 6701 beside them, all paid from the bank (1002): 6602 holds
    1,500.00, 660201 1,200.00, 6701 50.00; an account no voucher touched and a code not in the
    chart hold nothing."""
    admin, finance = world.principal("admin"), world.principal("finance")
    with world.make_uow() as uow:
        ledger.open_books(uow, admin, now=world.now)
        ledger.create_account(
            uow, admin, code="660201", name_zh="租金", name_en="Rent", type="expense",
            parent_code="6602", now=world.now,
        )  # fmt: skip
        ledger.create_account(
            uow, admin, code="660202", name_zh="水电费", name_en="Utilities", type="expense",
            parent_code="6602", now=world.now,
        )  # fmt: skip
        ledger.post_manual_voucher(
            uow, finance, office_id=world.offices["hq"], business_date=DAY, summary="rent",
            now=world.now,
            lines=[{"account_code": "660201", "side": "D", "amount": "1200.00"},
                   {"account_code": "660202", "side": "D", "amount": "300.00"},
                   {"account_code": "6701", "side": "D", "amount": "50.00"},
                   {"account_code": "1002", "side": "C", "amount": "1550.00"}],
        )  # fmt: skip
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        balances = {
            code: ledger.account_balance(uow, admin, code=code, as_of=DAY)
            for code in ("6602", "660201", "6701", "1002", "1303", "9999")
        }
        before = ledger.account_balance(uow, admin, code="6602", as_of=DAY - timedelta(days=1))
    assert balances == {
        "6602": Decimal("1500.00"),
        "660201": Decimal("1200.00"),
        "6701": Decimal("50.00"),
        "1002": Decimal("-1550.00"),
        "1303": 0,
        "9999": 0,
    }
    assert before == 0

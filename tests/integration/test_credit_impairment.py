"""Loan loss provisions are credit impairment losses (信用减值损失, 6702) in a newly founded
company's books: revised CAS 22 (财会〔2017〕7号, expected credit losses) and the income
statement formats of 财会〔2018〕15号 / 财会〔2018〕36号 give them a line of their own, apart
from 资产减值损失 (6701). A company whose provision rule still names 6701 (books opened before
that default) keeps it, and its income statement shows the same loss under 资产减值损失 with the
same profit.

Worked by hand (the loan of tests/integration/test_loan_close.py): 12,000.00 CNY, 等额本金, 12
months at 12 % a year (30/360), disbursed 2025-01-15; installment 1 (1,000.00 + 120.00) due
2025-02-15 is not paid. Close of business runs through 2025-02-16.

* Provision (default rates: normal 1.5 %, special mention 3 %, on the principal outstanding):
  close of 01-15, normal: 12,000.00 x 1.5 % = 180.00, Dr 6702 180.00 / Cr 1304 180.00; close of
  02-16, 1 day past due, special mention: 12,000.00 x 3 % = 360.00, top-up 180.00, Dr 6702 180.00
  / Cr 1304 180.00. Credit impairment losses for 01-01..02-16: 180.00 + 180.00 = 360.00; 1304
  ends at a credit of 360.00.
* Interest income: installment 1's 120.00 (fully accrued on its due date) + installment 2's
  110.00 (11,000.00 x 1 %) x 1/30 days = 3.666... -> 3.67 (docs/loan-engine.md): 123.67.
* Penalty (12 % x 1.5 / 360 = 0.05 % a day on the 1,000.00 overdue): one night, 02-16: 0.50.
* Income 123.67 + 0.50 = 124.17; expenses 360.00; net profit 124.17 - 360.00 = -235.83.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.accounting import books
from microlend.accounting import service as ledger
from microlend.db.uow import SessionFactory
from tests.integration.loans_support import disbursed
from tests.integration.test_loan_close import close
from tests.seed import World

YEAR_START, LAST = date(2025, 1, 1), date(2025, 2, 16)
D = Decimal


def provision_lines(world: World) -> list[tuple[date, str, str, Decimal]]:
    """(date, account, side, amount) of every provision voucher line, in order."""
    with world.make_uow(read_only=True) as uow:
        page = ledger.list_vouchers(uow, world.principal("admin"), kind="provision")
    assert page.next_cursor is None
    return [
        (voucher.business_date, line.account_code, line.side, line.amount)
        for voucher in page.items
        for line in voucher.lines
    ]


def statement(world: World) -> ledger.IncomeStatement:
    admin = world.principal("admin")
    with world.make_uow(read_only=True) as uow:
        sheet = ledger.balance_sheet(uow, admin, as_of=LAST)
        assert sheet.balanced and sheet.unclosed_profit == D("-235.83")
        return ledger.income_statement(uow, admin, date_from=YEAR_START, date_to=LAST)


def lines(report: ledger.IncomeStatement) -> list[tuple[str, str, Decimal]]:
    return [(line.code, line.name_zh, line.amount) for line in report.expenses]


def test_a_new_company_provides_dr_6702_cr_1304_and_shows_credit_impairment(
    world: World, session_factory: SessionFactory
) -> None:
    disbursed(world, code="LA")
    close(session_factory, world, LAST)
    assert provision_lines(world) == [
        (date(2025, 1, 15), "6702", "D", D("180.00")),
        (date(2025, 1, 15), "1304", "C", D("180.00")),
        (LAST, "6702", "D", D("180.00")),
        (LAST, "1304", "C", D("180.00")),
    ]
    report = statement(world)
    assert lines(report) == [("6702", "信用减值损失", D("360.00"))]
    assert report.expenses[0].name_en == "Credit impairment losses"
    assert (report.total_income, report.total_expenses) == (D("124.17"), D("360.00"))
    assert report.net_profit == D("-235.83")
    with world.make_uow(read_only=True) as uow:  # 6701 stays, for other assets' impairment
        other = books.chart(uow, world.company_id).postable("6701")
        assert (other.name_zh, other.type, other.active) == ("资产减值损失", "expense", True)


def test_books_still_providing_to_6701_show_it_as_asset_impairment_with_the_same_profit(
    world: World, session_factory: SessionFactory
) -> None:
    disbursed(world, code="LA")
    admin = world.principal("admin")
    with world.make_uow() as uow:  # the rules of a company founded before 6702 was the default
        for kind, debit, credit in (
            ("provision", "6701", "1304"),
            ("provision_release", "1304", "6701"),
        ):
            rule = ledger.set_rule(
                uow, admin, event_type=kind, role="provision", debit_code=debit,
                credit_code=credit, now=world.now,
            )  # fmt: skip
            assert isinstance(rule, ledger.RuleView)
        uow.commit()
    close(session_factory, world, LAST)
    assert {code for _day, code, _side, _amount in provision_lines(world)} == {"6701", "1304"}
    report = statement(world)
    assert lines(report) == [("6701", "资产减值损失", D("360.00"))]
    assert (report.total_income, report.total_expenses) == (D("124.17"), D("360.00"))
    assert report.net_profit == D("-235.83")

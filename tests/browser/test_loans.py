"""Loan servicing in a real browser: finance disburses a contracted application from the
disbursement queue, the business date moves to the first due date, finance repays part of the
installment through the repayment form, watches the live allocation preview, sees the allocation
on the loan page and opens the repayment's voucher.

The application (written straight into the live server's database, as origination would leave
it): 12,000.00 CNY on 个人消费贷 (IND-CON: equal installments 等额本息, no fees), 12 months at
12 % a year. Installment 1 charges one month's interest, 12,000 x 12 % / 12 = 120.00; a payment of
500.00 on its due date pays that interest first, then 500 - 120 = 380.00 of its principal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from microlend.auth.principals import principal_for_user
from microlend.auth.tables import User
from microlend.customers import service as customers
from microlend.db.engine import create_engine_for
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.loans.tables import Loan
from microlend.orgs.tables import Company
from microlend.origination.tables import Application
from microlend.products.tables import Product, ProductVersion
from tests.browser.conftest import screenshot
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BORROWER_ID = "110105198801010014"  # a resident ID with a valid check digit
NUMBER = "SQ2026LOAN01"


@pytest.fixture(scope="module")
def live_database(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the live server's SQLite database (``conftest.live_server`` made it)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("live*/browser.db"))
    assert found, "the live server's database is missing"
    yield f"sqlite:///{found[-1]}"


def _uow(url: str) -> tuple[UnitOfWork, object]:
    engine = create_engine_for(url)
    return UnitOfWork(make_session_factory(engine)), engine


@pytest.fixture(scope="module")
def contracted_application(live_database: str) -> int:
    """A contracted application of the demo's loan officer (origination's end state)."""
    uow, engine = _uow(live_database)
    now = datetime.now(UTC)
    with uow:
        officer = uow.session.scalars(select(User).where(User.username == "officer")).one()
        actor = principal_for_user(uow, officer, address="test")
        customer = customers.register_customer(
            uow, actor, kind="individual", id_number=BORROWER_ID, name="钱还款", now=now
        )
        version = uow.session.scalars(
            select(ProductVersion)
            .join(Product, Product.id == ProductVersion.product_id)
            .where(Product.code == "IND-CON")
            .order_by(ProductVersion.version.desc())
        ).first()
        assert version is not None
        app = Application(
            company_id=officer.company_id,
            office_id=officer.office_id,
            owner_id=officer.id,
            number=NUMBER,
            customer_id=customer.id,  # type: ignore[union-attr]
            product_version_id=version.id,
            status="contracted",
            currency="CNY",
            amount_minor=1_200_000,
            term_count=12,
            annual_rate=Decimal("12"),
            method="equal_installment",
            purpose="装修",
            approved_amount_minor=1_200_000,
            approved_term_count=12,
            approved_annual_rate=Decimal("12"),
            created_at=now,
            updated_at=now,
        )
        uow.session.add(app)
        uow.session.flush()
        app_id = app.id
        uow.commit()
    engine.dispose()  # type: ignore[attr-defined]
    return app_id


def move_business_date_to_first_due(url: str, loan_number: str) -> tuple[str, date]:
    """Moves the company's business date to the loan's first due date; returns it and the date
    it replaced (the other browser tests share this server: the test puts it back)."""
    uow, engine = _uow(url)
    with uow:
        loan = uow.session.scalars(select(Loan).where(Loan.number == loan_number)).one()
        day = loan.first_due_date
        company = uow.session.get_one(Company, loan.company_id)
        before = company.business_date
        company.business_date = day
        uow.commit()
    engine.dispose()  # type: ignore[attr-defined]
    return day.isoformat(), before


def restore_business_date(url: str, loan_number: str, day: date) -> None:
    uow, engine = _uow(url)
    with uow:
        loan = uow.session.scalars(select(Loan).where(Loan.number == loan_number)).one()
        uow.session.execute(
            update(Company).where(Company.id == loan.company_id).values(business_date=day)
        )
        uow.commit()
    engine.dispose()  # type: ignore[attr-defined]


def test_finance_disburses_repays_part_and_opens_the_voucher(
    page: Page, live_database: str, contracted_application: int
) -> None:
    sign_in(page, "finance")
    page.locator("nav.sidenav").get_by_role("link", name="Loans").click()
    page.get_by_role("link", name="Disbursements").click()
    row = page.locator(f'tr[data-application="{NUMBER}"]')
    expect(row).to_contain_text("12,000.00")
    form = page.locator(f'tr[data-application="{NUMBER}"] + tr.form-row form')
    seller = form.locator("input[name=payee_name]")
    expect(seller).to_be_hidden()  # paid to the borrower: the seller's fields are not shown
    form.locator("select[name=payee]").select_option("seller")
    expect(seller).to_be_visible()
    expect(form.locator("select[name=payee_account_id]")).to_be_hidden()
    form.locator("select[name=payee]").select_option("borrower")
    form.get_by_role("button", name="Disburse").click()
    expect(page.locator(".notice-success")).to_contain_text("is disbursed")
    loan_number = re.search(r"DK\d{10}", page.locator(".notice-success").inner_text())
    assert loan_number is not None
    loan_url = page.url

    due, before = move_business_date_to_first_due(live_database, loan_number.group(0))
    try:
        check_repayment(page, loan_url, loan_number.group(0), due)
    finally:
        restore_business_date(live_database, loan_number.group(0), before)


def check_repayment(page: Page, loan_url: str, loan_number: str, due: str) -> None:
    page.goto(loan_url)
    form = page.locator("#repay form")
    expect(form.locator("input[name=value_date]")).to_have_value(due)
    form.locator("input[name=amount]").fill("500.00")
    preview = page.locator("#repayment-preview")
    expect(preview).to_contain_text("120.00")  # the interest of installment 1 first
    expect(preview).to_contain_text("380.00")  # then principal
    screenshot(page, "loan-repayment-preview-en")
    form.locator("input[name=external_reference]").fill("BANK-500")
    form.get_by_role("button", name="Record").click()
    expect(page.locator(".notice-success")).to_have_text("The repayment is recorded.")

    transactions = page.locator("tr", has_text="BANK-500")
    expect(transactions.first).to_contain_text("#1 interest 120.00")
    expect(transactions.first).to_contain_text("#1 principal 380.00")
    screenshot(page, "loan-after-repayment-en")
    with page.context.expect_page() as opened:  # the receipt opens beside the loan page
        transactions.first.get_by_role("link", name="Receipt").click()
    receipt = opened.value
    expect(receipt.locator("#receipt-amount")).to_have_text("CNY 500.00")
    expect(receipt.locator("#receipt-capitals")).to_have_text("人民币伍佰元整")
    expect(receipt.locator("#receipt-applied")).to_contain_text("380.00")
    screenshot(receipt, "loan-repayment-receipt")
    receipt.close()
    transactions.first.locator("a[href^='/accounting/vouchers/']").first.click()
    expect(page.locator("body")).to_contain_text(loan_number)
    # Dr 1002 / Cr 6011 120.00 (cash-basis interest), Dr 1002 / Cr 130301 380.00
    expect(page.locator("tr", has_text="6011")).to_contain_text("120.00")
    expect(page.locator("tr", has_text="130301")).to_contain_text("380.00")
    screenshot(page, "loan-repayment-voucher-en")

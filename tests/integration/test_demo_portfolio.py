"""``microlend demo --loans N`` builds a portfolio through the real services: customers of both
kinds with related parties, applications in every state, loans with a year of repayments, books
that balance and a sub-ledger equal to the general ledger; running it again adds nothing.

SQLite only (the demo is a sequence of ordinary commands, tested on both databases elsewhere)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from microlend.accounting import service as ledger
from microlend.accounting.checks import check_ledger
from microlend.accounting.tables import LedgerPeriodBalance
from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.demo import ADMIN, DEMO_PASSWORD
from microlend.customers.model import parse_resident_id, parse_uscc
from microlend.customers.tables import Customer, CustomerBankAccount, CustomerLink
from microlend.eod.tables import EodRun
from microlend.loans import autodebit
from microlend.loans import service as loans
from microlend.loans.tables import Loan, LoanEvent
from microlend.loans.tables_close import LoanAccrual, LoanRisk
from microlend.orgs import service as orgs
from microlend.origination import service as origination
from microlend.origination.tables import Application
from tests.conftest import NOW, MakeUow

LOANS = 4
EOD_DAYS = 30  # the default is the whole year; a month keeps the test short


@pytest.fixture
def db_backend() -> str:
    return "sqlite"


def run_demo(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["demo", "--loans", str(LOANS), *args], env={"MICROLEND_DATABASE_URL": db_url}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_builds_a_portfolio_once(db_url: str, make_uow: MakeUow) -> None:
    output = run_demo(db_url, "--eod-days", str(EOD_DAYS), "--seed", "7")
    assert "Building the demo portfolio: 4 loans" in output

    with make_uow(read_only=True) as uow:
        company = orgs.company_by_code(uow, code="DEMO")
        admin = auth.authenticate(
            uow, username=ADMIN, password=DEMO_PASSWORD, address="test", now=NOW
        )
        people = uow.session.execute(select(Customer.kind, Customer.id_number)).all()
        links = Counter(uow.session.scalars(select(CustomerLink.relation)))
        statuses = Counter(uow.session.scalars(select(Application.status)))
        loan_rows = uow.session.execute(select(Loan.status, Loan.disbursement_date)).all()
        usage = Counter(uow.session.scalars(select(Loan.fund_usage_status)))
        paid_into = uow.session.execute(
            select(Loan.payee_account, CustomerBankAccount.account_no).outerjoin(
                CustomerBankAccount, CustomerBankAccount.customer_id == Loan.customer_id
            )
        ).all()
        payments = uow.session.scalar(
            select(func.count(LoanEvent.id)).where(LoanEvent.kind.in_(("repayment", "prepayment")))
        )
        inboxes = {
            username: origination.inbox(
                uow,
                auth.authenticate(
                    uow, username=username, password=DEMO_PASSWORD, address="test", now=NOW
                ),
                now=NOW,
            )
            for username in ("approver", "risk")
        }
        problems = check_ledger(uow, admin)
        accounts = Counter(uow.session.scalars(select(CustomerBankAccount.customer_id)))
        finance = auth.authenticate(
            uow, username="finance", password=DEMO_PASSWORD, address="test", now=NOW
        )
        debits = autodebit.deduction_run(uow, finance, on=company.business_date)
        runs = uow.session.execute(select(EodRun.business_date, EodRun.status)).all()
        accrual_days = set(uow.session.scalars(select(LoanAccrual.business_date).distinct()))
        open_loans = uow.session.scalar(
            select(func.count(Loan.id)).where(Loan.status.in_(("active", "overdue")))
        )
        classified = uow.session.scalar(
            select(func.count(LoanRisk.loan_id))
            .join(Loan, Loan.id == LoanRisk.loan_id)
            .where(Loan.status.in_(("active", "overdue")))
        )
        seen = {  # the staff who work the loans of one branch (the demo's loans are B01's)
            username: len(loans.list_loans(uow, auth.authenticate(
                uow, username=username, password=DEMO_PASSWORD, address="test", now=NOW
            )))
            for username in ("officer", "approver", "collector")
        }  # fmt: skip
        periods = {p.period: p.status for p in ledger.list_periods(uow, admin)}
        kept_months = set(uow.session.scalars(select(LedgerPeriodBalance.period).distinct()))
        gl_loans = ledger.account_balance(uow, admin, code="1303", as_of=company.business_date)
        sub_ledger = loans.principal_outstanding(uow, company.id)
        impairment = {
            code: ledger.account_balance(uow, admin, code=code, as_of=company.business_date)
            for code in ("1304", "6701", "6702")
        }
    # Customers of both kinds with valid identity numbers and related parties.
    kinds = Counter(kind for kind, _number in people)
    assert kinds["individual"] >= LOANS and kinds["enterprise"] >= 1
    for kind, number in people:
        if kind == "individual":
            assert parse_resident_id(number).number == number
        else:
            assert parse_uscc(number) == number
    assert links["actual_controller"] >= 1 and links["legal_representative"] >= 1
    # Each customer has one bank account in its name, so the auto-debit file has every loan
    # owing on the business date and none is left without an account.
    assert len(accounts) == len(people) and set(accounts.values()) == {1}
    assert debits.lines and not debits.without_account
    # ... and every loan was paid into it
    assert paid_into and all(loan == account for loan, account in paid_into)
    # Every loan went through origination; the pipeline holds every other state.
    assert statuses["disbursed"] == len(loan_rows)
    for state in ("draft", "submitted", "investigating", "under_review", "approved", "contracted"):
        assert statuses[state] >= 1, (state, statuses)
    assert statuses["rejected"] >= 1  # the applicants over 65: the AGE_RANGE knock-out
    # One waits for the branch manager, one (approved there) for the risk officer.
    assert inboxes["approver"] and inboxes["risk"]
    # Loans over the past year, repaid: at least one instalment each (the last ones are made
    # 20 days before the end, so most have one due date behind them).
    assert 1 <= len(loan_rows) <= LOANS
    start = company.business_date - timedelta(days=365)
    assert all(start <= disbursed <= company.business_date for _s, disbursed in loan_rows)
    assert payments and payments >= len(loan_rows)
    # The officer checked the use of the funds of the loans (资金用途核查) as the summary says:
    # each outcome is its loans' status, and a loan not checked (yet) is unverified.
    line = next(text for text in output.splitlines() if text.strip().startswith("fund usage:"))
    reported = {
        outcome: int(count)
        for outcome, count in (part.split() for part in line.split(":", 1)[1].split(","))
    }
    named = {"verified": "fully_verified", "partial": "partially_verified", "misused": "misused"}
    expected = Counter({named.get(outcome, "unverified"): n for outcome, n in reported.items()})
    expected["unverified"] += len(loan_rows) - sum(reported.values())
    assert reported and usage == +expected, (reported, usage)
    # Whoever signs in to the demo to work loans has the loans to work on.
    assert seen == {username: len(loan_rows) for username in seen}
    # The books balance and the loans' principal equals 1303 贷款.
    assert problems == []
    assert gl_loans == sub_ledger and sub_ledger > 0
    # The last EOD_DAYS days were closed by close of business, one run a day, every one done
    # (so reconciled: vouchers balanced, sub-ledger = GL); the older days were set.
    closed = [company.business_date - timedelta(days=n) for n in range(EOD_DAYS, 0, -1)]
    assert sorted(runs) == [(day, "done") for day in closed]
    assert accrual_days == set(closed)  # every open loan accrued on every closed day
    assert f"{EOD_DAYS} days closed by close of business" in output
    # Finance closed every month up to the last one close of business finished (月结), which
    # kept its balances; the books above were read from them.
    finished = [day for day in closed if (day + timedelta(days=1)).day == 1]
    months = sorted(periods)
    shut = [month for month in months if finished and month <= f"{finished[-1]:%Y-%m}"]
    assert [periods[month] for month in months] == ["closed"] * len(shut) + ["open"] * (
        len(months) - len(shut)
    )
    assert f", {len(shut)} months by finance" in output
    assert kept_months <= set(shut) and (not shut or shut[-1] in kept_months)
    # Every loan still open has been classified (五级分类) by close of business.
    assert open_loans and classified == open_loans
    # Their allowance was provided as credit impairment (6702, the new company's default rule);
    # nothing was written off, so 6702 mirrors 1304 and 6701 资产减值损失 is untouched.
    assert impairment["6702"] == -impairment["1304"] > 0 and impairment["6701"] == 0

    again = run_demo(db_url)
    assert "portfolio is already there" in again
    with make_uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count(Customer.id))) == len(people)
        assert uow.session.scalar(select(func.count(Application.id))) == sum(statuses.values())
        assert uow.session.scalar(select(func.count(Loan.id))) == len(loan_rows)

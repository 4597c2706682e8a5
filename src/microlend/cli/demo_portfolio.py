"""The demo portfolio: a year of lending at the demo company, built through the real services.

``build_portfolio`` starts on the company's business date (``microlend demo`` sets it a year back
on a new demo company), then walks forward day by day: on the days loans are made it registers
the customers, runs each application through origination (investigation, decision, approval,
contract) and disburses it; on the days borrowers pay it repays what the loan owes, as drawn from
a seeded behaviour model (``demo_behaviour``). Between those days the business date moves
forward by close of business (``eod.runner``, every step of every context, day by day), so that
accruals, penalty interest, overdue amounts, classification moves, provisions and their vouchers
are all true figures; ``eod_days`` (default: the whole history) limits it to the last days, the
older ones then set directly (``set_business_date``: no close-of-business step runs; the loans'
steps catch up missed days of accrual on their first run). If a close of business fails, the
demo says so and sets the date from there on. On the last day it leaves applications in every
state of origination for the inboxes and lists.

Re-running is harmless: a company that already has customers gets nothing.
"""

from __future__ import annotations

import heapq
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from microlend.accounting import service as ledger
from microlend.accounting.model import period_of
from microlend.cli.demo_behaviour import Behaviour, Payment, draw_behaviour, payments_of
from microlend.cli.demo_fund_usage import UsageCheck, draw_check, record_check
from microlend.cli.demo_origination import (
    Clock,
    Request,
    Staff,
    approve,
    contract,
    create,
    investigate,
    status,
    submit,
)
from microlend.cli.demo_people import People
from microlend.cli.demo_requests import draw_request, pick_product
from microlend.customers import credit_file
from microlend.customers.bank_accounts import registered_accounts
from microlend.customers.tables import Customer
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod.runner import run_close_of_business
from microlend.loans import service as loans
from microlend.loans.tables import Loan
from microlend.loans.views import EventOutcome, LoanView
from microlend.orgs.tables import Company
from microlend.origination.tables import Application
from microlend.products.tables import Product, ProductVersion

STAFF = ("officer", "approver", "risk", "finance", "admin")
DAYS_OF_HISTORY = 365
D = Decimal


@dataclass
class PortfolioSummary:
    customers: Counter[str] = field(default_factory=Counter)
    applications: Counter[str] = field(default_factory=Counter)
    loans: Counter[str] = field(default_factory=Counter)
    behaviours: Counter[str] = field(default_factory=Counter)
    usage_checks: Counter[str] = field(default_factory=Counter)
    payments: int = 0
    certificates: int = 0
    eod_days: int = 0
    eod_failed: bool = False
    months_closed: int = 0
    business_date: date | None = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        def show(counts: Counter[str]) -> str:
            return ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))

        return [
            f"  customers:    {show(self.customers)}",
            f"  applications: {show(self.applications)}",
            f"  loans:        {show(self.loans)}",
            f"  behaviour:    {show(self.behaviours)}; {self.payments} payments,"
            f" {self.certificates} payoff certificates",
            f"  fund usage:   {show(self.usage_checks)}",
            f"  business date {self.business_date}; {self.eod_days} days closed by close of"
            f" business{' (then it failed)' if self.eod_failed else ''},"
            f" {self.months_closed} months by finance; built in {self.seconds:.1f} s",
        ]


def set_business_date(uow: UnitOfWork, company_id: int, day: date) -> None:
    """Move the company's business date to ``day`` without running close of business.

    Used by the demo only: once on a brand-new demo company (to start its history a year back,
    before anything is dated), and with ``dates="set"`` to jump between the days something
    happens. The caller commits."""
    uow.session.execute(update(Company).where(Company.id == company_id).values(business_date=day))


def has_portfolio(uow: UnitOfWork, company_id: int) -> bool:
    found = uow.session.scalar(
        select(func.count(Customer.id)).where(Customer.company_id == company_id)
    )
    return bool(found)


@dataclass
class _Run:
    session_factory: SessionFactory
    company_id: int
    staff: Staff
    people: People
    clock: Clock
    rng: random.Random
    versions: dict[str, int]
    eod_from: date | None  # from this business date on, close of business moves the date
    next_month: date  # the first day of the first month finance has not closed
    wall_clock: Callable[[], datetime]
    say: Callable[[str], None]
    summary: PortfolioSummary
    today: date = date(2000, 1, 1)
    agenda: list[tuple[date, int, int, Payment | UsageCheck]] = field(default_factory=list)
    sequence: int = 0
    checks: random.Random = field(default_factory=random.Random)  # the fund-usage checks' draws

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def advance(self, day: date) -> None:
        """The business date becomes ``day``: close of business for each day before it inside
        the last ``eod_days``, set directly before them (or after a close of business failed)."""
        if day <= self.today:
            return
        if self.eod_from is not None and day > self.eod_from:
            if self.today < self.eod_from:
                self._set(self.eod_from)
            if self.today < day:
                self._close_until(day)
        if self.today < day:
            self._set(day)
        self.clock.on(day)

    def _set(self, day: date) -> None:
        with self.uow() as uow:
            set_business_date(uow, self.company_id, day)
            uow.commit()
        self.today = day

    def _close_until(self, day: date) -> None:
        result = run_close_of_business(
            self.session_factory,
            company_id=self.company_id,
            target_date=day - timedelta(days=1),
            now=self.wall_clock,
        )
        failed = result.failed_day
        if failed is not None:
            self.say(
                f"  close of business failed on {failed.business_date} ({failed.error});"
                " the demo sets the business date from here on"
            )
            self.eod_from = None
            self.summary.eod_failed = True
            return
        self.summary.eod_days += len(result.days)
        for closed in result.days:  # a line a month, so that a year's build shows it moves
            if (closed.business_date + timedelta(days=1)).day == 1:
                self.say(f"  {closed.business_date:%Y-%m} closed by close of business")
                self._close_months(closed.business_date)
        with UnitOfWork(self.session_factory, read_only=True) as uow:
            self.today = loans.business_date(uow, self.company_id)

    def _close_months(self, last_day: date) -> None:
        """Finance closes the months (月结) up to the one whose last day close of business has
        just closed. Earlier months' days may have been set directly, but the close of
        business that followed caught every loan up on its own day: nothing is posted into
        them any more."""
        while self.next_month <= last_day:
            period, finance = period_of(self.next_month), self.staff["finance"]
            with self.uow() as uow:
                ledger.close_period(uow, finance, period=period, now=self.wall_clock())
                uow.commit()
            self.summary.months_closed += 1
            self.next_month = (self.next_month + timedelta(days=31)).replace(day=1)


def _versions(uow: UnitOfWork, company_id: int) -> dict[str, int]:
    rows = uow.session.execute(
        select(Product.code, func.max(ProductVersion.id))
        .join(ProductVersion, ProductVersion.product_id == Product.id)
        .where(Product.company_id == company_id)
        .group_by(Product.code)
    )
    return {code: version for code, version in rows}


def _lend(run: _Run, day: date) -> None:
    """One loan made on ``day``: customer, application through origination, disbursement."""
    with run.uow() as uow:
        request = draw_request(uow, run.people, run.versions, day, pick_product(run.rng))
        app_id = create(uow, run.staff, request, run.clock)
        submit(uow, run.staff, app_id, run.clock)
        investigate(uow, run.staff, app_id, request, day, run.clock)
        uow.commit()
    with run.uow() as uow:
        outcome = approve(uow, run.staff, app_id, run.clock)
        uow.commit()
    if outcome != "approved":
        return  # declined by the decision, or an approval the demo's staff cannot give
    with run.uow() as uow:
        contract(uow, run.staff, app_id, day, run.clock)
        # paid into the borrower's registered account (the newest, as the queue's form offers)
        accounts = registered_accounts(uow.session, [request.customer_id])
        paid_into = [row.id for row in accounts.get(request.customer_id, [])][-1:]
        view = loans.disburse(
            uow,
            run.staff["finance"],
            application_id=app_id,
            payee_account_id=paid_into[0] if paid_into else None,
            now=run.clock(),
        )
        assert isinstance(view, LoanView)
        schedule = loans.installments(uow, run.staff["finance"], loan_id=view.id)
        uow.commit()
    behaviour: Behaviour = draw_behaviour(run.rng)
    run.summary.behaviours[behaviour.kind] += 1
    items: list[Payment | UsageCheck] = [
        *payments_of(behaviour, [i.due_date for i in schedule], run.rng)
    ]
    items.append(draw_check(run.checks, day))
    for item in items:
        run.sequence += 1
        heapq.heappush(run.agenda, (item.day, run.sequence, view.id, item))


def _check(run: _Run, loan_id: int, check: UsageCheck) -> None:
    with run.uow() as uow:
        record_check(uow, run.staff["officer"], loan_id, check, run.checks, run.clock())
        uow.commit()
    run.summary.usage_checks[check.outcome] += 1


def _pay(run: _Run, loan_id: int, payment: Payment) -> None:
    finance = run.staff["finance"]
    with run.uow() as uow:
        if payment.payoff:
            quote = loans.quote_payoff(uow, finance, loan_id=loan_id)
            if quote.amount_to_pay > 0:
                paid = loans.prepay(
                    uow, finance, loan_id=loan_id, amount=quote.amount_to_pay, now=run.clock()
                )
                run.summary.payments += 1
                if isinstance(paid, EventOutcome) and paid.loan.status == "closed":
                    # the borrower who paid early asks for the letter saying so (结清证明)
                    loans.issue_certificate(uow, finance, loan_id=loan_id, now=run.clock())
                    run.summary.certificates += 1
        else:
            owed = loans.loan_position(uow, finance, loan_id=loan_id).due_amount
            if owed > 0:
                loans.repay(uow, finance, loan_id=loan_id, amount=owed, now=run.clock())
                run.summary.payments += 1
        uow.commit()


def _watch(uow: UnitOfWork, staff: Staff, customer_id: int, clock: Clock) -> None:
    row = uow.session.get_one(Customer, customer_id)
    credit_file.add_to_list(
        uow,
        staff["risk"],
        list_kind="watch",
        id_kind=row.id_kind,
        id_number=row.id_number,
        name=row.name,
        reason="涉诉信息：民间借贷纠纷被告（已结案）",
        source="中国裁判文书网",
        now=clock(),
    )


def _pipeline(run: _Run, count: int) -> None:
    """Applications left on the last day in every state: draft, submitted, investigating,
    under review (in the branch manager's inbox, or approved there and in the risk officer's),
    approved, rejected by a knock-out rule, contracted (not yet disbursed)."""
    day, staff, clock = run.today, run.staff, run.clock
    stages = ("draft", "submitted", "investigating", "under_review", "approved", "contracted",
              "at_risk_review", "submitted")  # fmt: skip
    for n in range(count):
        stage = stages[n % len(stages)]
        with run.uow() as uow:
            request = draw_request(uow, run.people, run.versions, day, pick_product(run.rng))
            app_id = create(uow, staff, request, clock)
            if stage == "at_risk_review":  # on the watch list: the decision refers it
                _watch(uow, staff, request.customer_id, clock)
            if stage != "draft":
                submit(uow, staff, app_id, clock)
            if stage not in ("draft", "submitted"):
                complete = stage != "investigating"
                investigate(uow, staff, app_id, request, day, clock, complete=complete)
            uow.commit()
        if stage == "at_risk_review":  # the branch manager approved: the risk officer's turn
            with run.uow() as uow:
                approve(uow, staff, app_id, clock, steps=1)
                uow.commit()
        if stage in ("approved", "contracted"):
            with run.uow() as uow:
                if approve(uow, staff, app_id, clock) == "approved" and stage == "contracted":
                    contract(uow, staff, app_id, day, clock)
                uow.commit()
    for _ in range(max(1, count // 6)):  # applicants over the age limit: AGE_RANGE declines
        with run.uow() as uow:
            old = run.people.person(uow, on=day, age=(67, 72))
            request = Request(
                old.customer_id, run.versions["IND-CON"], "individual", D(10000), 12, D(16),
                "equal_installment", "旅游消费",
            )  # fmt: skip
            app_id = create(uow, staff, request, clock)
            submit(uow, staff, app_id, clock)
            investigate(uow, staff, app_id, request, day, clock)
            assert status(uow, staff, app_id) == "rejected"
            uow.commit()


def _count(run: _Run) -> None:
    with UnitOfWork(run.session_factory, read_only=True) as uow:
        s = run.summary
        for kind, n in uow.session.execute(
            select(Customer.kind, func.count())
            .where(Customer.company_id == run.company_id)
            .group_by(Customer.kind)
        ):
            s.customers[kind] = n
        for state, n in uow.session.execute(
            select(Application.status, func.count())
            .where(Application.company_id == run.company_id)
            .group_by(Application.status)
        ):
            s.applications[state] = n
        for state, n in uow.session.execute(
            select(Loan.status, func.count())
            .where(Loan.company_id == run.company_id)
            .group_by(Loan.status)
        ):
            s.loans[state] = n
        s.business_date = loans.business_date(uow, run.company_id)


def build_portfolio(
    session_factory: SessionFactory,
    *,
    company_id: int,
    loans_wanted: int,
    seed: int,
    end: date,
    wall_clock: Callable[[], datetime],
    eod_days: int = DAYS_OF_HISTORY,
    say: Callable[[str], None] = print,
) -> PortfolioSummary:
    """Lend ``loans_wanted`` loans between the company's business date and ``end`` (the business
    date at the end), with their repayments; the last ``eod_days`` days (all, by default) are
    closed by close of business (see the module)."""
    started = time.monotonic()
    rng = random.Random(seed)
    clock = Clock()
    with UnitOfWork(session_factory, read_only=True) as uow:
        start = loans.business_date(uow, company_id)
        staff = Staff.load(uow, company_id, STAFF)
        versions = _versions(uow, company_id)
    clock.on(start)
    eod_from = max(start, end - timedelta(days=eod_days)) if eod_days > 0 else None
    run = _Run(
        session_factory, company_id, staff, People(rng, staff["officer"], clock()), clock, rng,
        versions, eod_from, start.replace(day=1), wall_clock, say, PortfolioSummary(), today=start,
        checks=random.Random(f"{seed}:fund usage"),
    )  # fmt: skip
    last_lending = max(start, end - timedelta(days=20))
    span = max(1, (last_lending - start).days)
    lending_days = sorted(
        start + timedelta(days=rng.randrange(0, span + 1)) for _ in range(loans_wanted)
    )
    pending = list(lending_days)
    day = start
    while day <= end:
        run.advance(day)
        run.people.now = clock()
        while pending and pending[0] == day:
            pending.pop(0)
            _lend(run, day)
        while run.agenda and run.agenda[0][0] == day:
            _when, _seq, loan_id, item = heapq.heappop(run.agenda)
            if isinstance(item, UsageCheck):
                _check(run, loan_id, item)
            else:
                _pay(run, loan_id, item)
        following = [d for d in (pending[:1] + [a[0] for a in run.agenda[:1]]) if d <= end]
        day = min(following) if following else end if day < end else end + timedelta(days=1)
    run.advance(end)
    run.people.now = clock()
    _pipeline(run, max(8, loans_wanted // 5))
    _count(run)
    run.summary.seconds = time.monotonic() - started
    return run.summary

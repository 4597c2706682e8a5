"""``microlend demo``: a demo company to explore the web UI, with one user per default role.

On a database without a company it runs ``microlend init`` for the demo company (administrator
``admin``; init opens the default books), moves the business date a year back (when it builds a
portfolio), opens a few offices, adds a user for every other default role, posts the
shareholders' paid-in capital (实收资本) to the bank account, seeds the default products and then
builds a year of lending through the real services (``demo_portfolio``; ``--loans 0`` skips
it). On a database that already has a company it changes nothing. The demo passwords are
public: never run this against a production database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy.pool import QueuePool

from microlend.accounting import service as ledger
from microlend.auth import service as auth
from microlend.cli import app
from microlend.cli.demo_portfolio import (
    DAYS_OF_HISTORY,
    build_portfolio,
    has_portfolio,
    set_business_date,
)
from microlend.cli.edge import operator, reported, unit_of_work, wall_clock
from microlend.cli.migrate import init
from microlend.db.engine import create_engine_for, database_url
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeView
from microlend.products import service as products

DEMO_PASSWORD = "microlend2025"
COMPANY_CODE = "DEMO"
COMPANY_NAME = "示范小额贷款有限公司"
HEAD_OFFICE = "总部"
ADMIN = "admin"
PAID_IN_CAPITAL = "50000000.00"  # registered capital of the demo company, paid in by the owners
DEFAULT_LOANS = 30  # make run: see docs/close-of-business.md "The demo" for the time it takes


@dataclass(frozen=True)
class DemoOffice:
    code: str
    name: str
    parent: str  # code of the parent office


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    office: str  # office code
    scope: str


OFFICES = (
    DemoOffice("B01", "城东支行", "HQ"),
    DemoOffice("B02", "城西支行", "HQ"),
    DemoOffice("B0101", "城东支行新区营业部", "B01"),
)
USERS = (
    DemoUser("admin2", "李复核", "admin", "HQ", "company"),
    DemoUser("officer", "王信贷", "loan_officer", "B01", "own"),
    DemoUser("risk", "赵风控", "risk_officer", "HQ", "company"),
    DemoUser("approver", "钱审批", "approver", "B01", "office_subtree"),
    DemoUser("finance", "孙财务", "finance", "HQ", "company"),
    DemoUser("collector", "周催收", "collector", "B01", "office"),  # the branch of the loans
    DemoUser("manager", "吴经理", "manager", "HQ", "company"),
    DemoUser("auditor", "郑审计", "auditor", "HQ", "company"),
)


def add_demo_staff(
    uow: UnitOfWork, actor: Principal, *, head_office_id: int, now: datetime
) -> None:
    """The demo office tree under the head office, and its users (the caller commits)."""
    office_ids = {"HQ": head_office_id}
    for office in OFFICES:
        created = orgs.create_office(
            uow,
            actor,
            parent_id=office_ids[office.parent],
            code=office.code,
            name=office.name,
            now=now,
        )
        assert isinstance(created, OfficeView), "the demo runs before any maker-checker rule"
        office_ids[office.code] = created.id
    for user in USERS:
        auth.create_user(
            uow,
            actor,
            username=user.username,
            password=DEMO_PASSWORD,
            display_name=user.display_name,
            office_id=office_ids[user.office],
            roles=[user.role],
            scope=user.scope,
            now=now,
        )


def open_demo_books(
    uow: UnitOfWork, actor: Principal, *, head_office_id: int, business_date: date, now: datetime
) -> None:
    """The capital paid in, on the books ``init`` opened (the caller commits)."""
    ledger.post_manual_voucher(
        uow,
        actor,
        office_id=head_office_id,
        business_date=business_date,
        summary="股东投入实收资本",
        lines=[
            {"account_code": "1002", "side": "D", "amount": PAID_IN_CAPITAL},
            {"account_code": "4001", "side": "C", "amount": PAID_IN_CAPITAL},
        ],
        now=now,
        idempotency_key="demo:paid-in-capital",
    )


def print_sign_ins() -> None:
    typer.echo(f"Demo sign-ins, all with the password {DEMO_PASSWORD}:")
    typer.echo(f"  {ADMIN:<10} {'admin':<13} (from microlend init)")
    for user in USERS:
        typer.echo(f"  {user.username:<10} {user.role:<13} {user.display_name} ({user.office})")


@app.command()
def demo(
    loans: Annotated[
        int, typer.Option(help="Loans in the demo portfolio (0: staff and books only).")
    ] = DEFAULT_LOANS,
    seed: Annotated[int, typer.Option(help="Seed of the portfolio's random generator.")] = 2025,
    eod_days: Annotated[
        int,
        typer.Option(
            min=0,
            help="The last days of the history run by close of business (default: all of it;"
            " older days: the business date is set).",
        ),
    ] = DAYS_OF_HISTORY,
) -> None:
    """Seed a demo company with offices, one user per default role and a year of lending (only
    when the database has no company yet) and print how to sign in."""
    with unit_of_work(read_only=True) as uow:
        existing = orgs.first_company(uow)
        built = existing is not None and has_portfolio(uow, existing.id)
    if existing is not None:
        if existing.code != COMPANY_CODE:
            typer.echo("The database already has a company: no demo data was added.")
            return
        typer.echo(f"The demo company {COMPANY_NAME} is already there.")
        if built:
            typer.echo("Its demo portfolio is already there: nothing was added.")
        print_sign_ins()
        return
    init(
        company=COMPANY_NAME,
        admin=ADMIN,
        password=DEMO_PASSWORD,
        code=COMPANY_CODE,
        head_office=HEAD_OFFICE,
    )
    with unit_of_work() as uow:
        company = orgs.company_by_code(uow, code=COMPANY_CODE)
        assert company.head_office_id is not None
        actor, now = operator(uow, COMPANY_CODE), wall_clock()
        today = company.business_date
        start = today - timedelta(days=DAYS_OF_HISTORY) if loans > 0 else today
        set_business_date(uow, company.id, start)  # nothing is dated yet: the history starts
        add_demo_staff(uow, actor, head_office_id=company.head_office_id, now=now)
        open_demo_books(
            uow, actor, head_office_id=company.head_office_id, business_date=start, now=now
        )
        products.seed_default_products(uow, actor, company_id=company.id, now=now)
        uow.commit()
    if loans > 0:
        typer.echo(f"Building the demo portfolio: {loans} loans from {start} to {today} ...")
        # One connection for the whole build (the house engine opens one per unit of work,
        # and the demo runs thousands of them, a close of business a day among them).
        engine = create_engine_for(database_url(), poolclass=QueuePool, pool_size=1)
        try:
            with reported():  # a refused command ends the demo with its message (exit 2)
                summary = build_portfolio(
                    make_session_factory(engine),
                    company_id=company.id,
                    loans_wanted=loans,
                    seed=seed,
                    end=today,
                    wall_clock=wall_clock,
                    eod_days=eod_days,
                    say=typer.echo,
                )
        finally:
            engine.dispose()
        for line in summary.lines():
            typer.echo(line)
    print_sign_ins()

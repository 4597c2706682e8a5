"""A portfolio of N active loans on PostgreSQL for the close-of-business benchmark (issue 8).

    build_portfolio(url, loans=1_000_000, templates=96, seed=8) -> Portfolio

Template loans are made through the real services: two products (B1: 30/360, half up, penalty on
overdue principal; B2: ACT/365F daily interest, half even, penalty on the overdue installment
after 3 days of grace), each template with its own amount (3,000-100,000), term (3-24 months),
rate, method (等额本息 or 等额本金) and disbursement date spread over the year before ``DAY``,
and a behaviour drawn from a seeded model: most pay on time, some pay every installment days
late, some stop paying after a few installments, a few never pay (so there is overdue work at
every DPD from 1 to about 330). Disbursements and repayments run in date order at their business
dates (``loans.service``: the engine computes the schedules, penalty and allocation). One close
of business (the real runner) closes ``DAY - 1`` for the templates, so that they carry the state
a nightly run leaves (close state, risk rows, booked interest, overdue transfers, penalty).

The templates are then cloned set-based (``INSERT ... SELECT ... generate_series``) to ``loans``
loans: applications, loans, installments, close state, risk rows and the accrual rows of
``DAY - 1`` (a close of business finds yesterday's rows, not an empty table), interleaved so that
every id range holds a mix. The clones' balances are posted to the ledger as one voucher per kind
(disbursed principal, principal repaid, the overdue transfer, booked interest and penalty,
interest kept off balance (7001), the allowance), from the clones' own rows, so the sub-ledger
equals the GL and reconciliation passes (tests/integration/test_benchmark_portfolio.py). The
company books accruals in summary (汇总凭证). Clones carry no events: they are for
close of business, not for commands.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text, update

from microlend.accounting import service as ledger
from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.auth.roles import sync_default_roles
from microlend.cli.demo_people import resident_id
from microlend.customers import service as customers
from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from microlend.eod.runner import run_close_of_business
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.kernel.principal import Principal
from microlend.loans import service as loans
from microlend.loans.calculator.model import InterestBasis, RepaymentMethod
from microlend.loans.calculator.servicing_terms import PenaltyBase, PenaltyTerms
from microlend.loans.tables import LoanInstallment
from microlend.orgs import service as orgs
from microlend.orgs.tables import Company
from microlend.origination.tables import Application
from microlend.products import service as products
from microlend.products.model import ProductTerms

DAY = date(2025, 4, 10)  # the business date the benchmark closes
START = DAY - timedelta(days=365)
D = Decimal
AMOUNTS = (3_000, 5_000, 8_000, 12_000, 20_000, 30_000, 50_000, 100_000)
TERMS = (3, 6, 9, 12, 18, 24)
RATES = (D("9.6"), D("12"), D("15"), D("18"), D("21.6"), D("24"))
BEHAVIOURS = (("on_time", 70), ("late", 12), ("stopped", 13), ("never", 5))
CLONED = (
    "applications",
    "loans",
    "loan_installments",
    "loan_close_state",
    "loan_risk",
    "loan_accruals",
)


@dataclass(frozen=True)
class Template:
    number: int
    product: str
    amount: int  # yuan
    term: int
    rate: Decimal
    method: RepaymentMethod
    disbursed: date
    behaviour: str
    lag: int  # days late (late), or installments paid (stopped)


@dataclass
class Portfolio:
    url: str
    company_id: int
    loans: int
    templates: int
    behaviours: dict[str, int]
    seconds: float


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def draw_templates(count: int, seed: int) -> list[Template]:
    rng = random.Random(seed)
    kinds, weights = zip(*BEHAVIOURS, strict=True)
    found = []
    for number in range(count):
        disbursed = START + timedelta(days=5 + (number * 350) // count + rng.randrange(0, 3))
        behaviour = rng.choices(kinds, weights)[0]
        elapsed = months_between(disbursed, DAY)
        terms = TERMS if behaviour in ("stopped", "never") else [t for t in TERMS if t > elapsed]
        term = rng.choice(terms or [24])
        lag = rng.randrange(3, 26) if behaviour == "late" else rng.randrange(0, max(1, elapsed))
        found.append(
            Template(
                number=number,
                product="B1" if number % 2 == 0 else "B2",
                amount=rng.choice(AMOUNTS),
                term=term,
                rate=rng.choice(RATES),
                method=(RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL)[
                    (number // 2) % 2
                ],
                disbursed=disbursed,
                behaviour=behaviour,
                lag=lag,
            )
        )
    return found


def _terms(product: str) -> ProductTerms:
    common: dict[str, Any] = {
        "customer_kinds": ("individual",),
        "currency": "CNY",
        "min_amount": D("1000"),
        "max_amount": D("200000"),
        "min_term": 3,
        "max_term": 24,
        "methods": (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL),
        "min_rate": D("6"),
        "max_rate": D("24"),
    }
    if product == "B1":
        return ProductTerms(**common)
    return ProductTerms(
        **common,
        interest_basis=InterestBasis.DAILY,
        day_count=DayCount.ACT_365F,
        rounding=Rounding.HALF_EVEN,
        penalty=PenaltyTerms(base=PenaltyBase.OVERDUE_INSTALLMENT, grace_days=3),
    )


@dataclass
class _Setup:
    factory: SessionFactory
    actor: Principal
    company_id: int
    office_id: int
    officer_id: int
    versions: dict[str, int]


def _setup(url: str) -> _Setup:
    engine = create_engine_for(url)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    now = noon(START)
    with UnitOfWork(factory) as uow:
        sync_default_roles(uow)
        company = orgs.found_company(
            uow, company_code="BENCH", company_name="Bench", business_date=START, now=now
        )
        actor = auth.system_principal(
            uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
        )
        versions = {}
        for code in ("B1", "B2"):
            view = products.create_product(
                uow,
                actor,
                company_id=company.id,
                code=code,
                name=f"Bench {code}",
                customer_kind="individual",
                currency="CNY",
                terms=_terms(code),
                now=now,
            )
            versions[code] = view.current.id  # type: ignore[union-attr]
        office = company.head_office_id
        assert office is not None
        officer = auth.create_user(
            uow,
            actor,
            username="officer",
            password="Correct-horse-42",
            display_name="Officer",
            office_id=office,
            roles=["loan_officer"],
            scope="office",
            now=now,
        )
        uow.session.execute(
            text(
                "INSERT INTO ledger_settings (company_id, accrual_vouchers) VALUES (:c, 'summary')"
            ),
            {"c": company.id},
        )
        uow.commit()
    return _Setup(factory, actor, company.id, office, officer.id, versions)  # type: ignore[union-attr]


def _set_date(uow: UnitOfWork, company_id: int, day: date) -> None:
    uow.session.execute(update(Company).where(Company.id == company_id).values(business_date=day))


def _disburse(uow: UnitOfWork, setup: _Setup, template: Template, rng: random.Random) -> int:
    now = noon(template.disbursed)
    born = date(1960 + rng.randrange(0, 40), 1 + rng.randrange(0, 12), 1 + rng.randrange(0, 28))
    customer = customers.register_customer(
        uow,
        setup.actor,
        kind="individual",
        id_number=resident_id(rng, "110105", born, male=rng.random() < 0.5),
        name=f"客户{template.number}",
        now=now,
    )
    minor = template.amount * 100
    app = Application(
        company_id=setup.company_id,
        office_id=setup.office_id,
        owner_id=setup.officer_id,
        number=f"SQT{template.number:05d}",
        customer_id=customer.id,  # type: ignore[union-attr]
        product_version_id=setup.versions[template.product],
        status="contracted",
        currency="CNY",
        amount_minor=minor,
        term_count=template.term,
        annual_rate=template.rate,
        method=template.method.value,
        purpose="bench",
        approved_amount_minor=minor,
        approved_term_count=template.term,
        approved_annual_rate=template.rate,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(app)
    uow.session.flush()
    view = loans.disburse(uow, setup.actor, application_id=app.id, now=now)
    return int(view.id)  # type: ignore[union-attr]


def _payment_days(uow: UnitOfWork, template: Template, loan_id: int) -> list[date]:
    """The days the borrower pays (before ``DAY - 1``), from the loan's schedule."""
    dues = list(
        uow.session.scalars(
            LoanInstallment.__table__.select()
            .with_only_columns(LoanInstallment.due_date)
            .where(LoanInstallment.loan_id == loan_id)
            .order_by(LoanInstallment.n)
        )
    )
    last = DAY - timedelta(days=2)
    if template.behaviour == "never":
        return []
    if template.behaviour == "stopped":
        dues = dues[: template.lag]
    lag = template.lag if template.behaviour == "late" else 0
    return [due + timedelta(days=lag) for due in dues if due + timedelta(days=lag) <= last]


def _pay(uow: UnitOfWork, setup: _Setup, loan_id: int, day: date) -> bool:
    position = loans.loan_position(uow, setup.actor, loan_id=loan_id, as_of=day)
    owed = position.due_amount
    if owed <= 0:
        return False
    loans.repay(uow, setup.actor, loan_id=loan_id, amount=owed, now=noon(day))
    return True


def make_templates(setup: _Setup, templates: list[Template], seed: int) -> None:
    """Disburse and repay the templates in date order, each command at its business date."""
    rng = random.Random(seed + 1)
    actions: list[tuple[date, int, str, int]] = [
        (t.disbursed, 0, "disburse", t.number) for t in templates
    ]
    heapq.heapify(actions)
    loan_ids: dict[int, int] = {}
    current: date | None = None
    while actions:
        day, _order, kind, number = heapq.heappop(actions)
        template = templates[number]
        with UnitOfWork(setup.factory) as uow:
            if day != current:
                _set_date(uow, setup.company_id, day)
                current = day
            if kind == "disburse":
                loan_ids[number] = _disburse(uow, setup, template, rng)
                for paid_on in _payment_days(uow, template, loan_ids[number]):
                    heapq.heappush(actions, (paid_on, 1, "pay", number))
            else:
                _pay(uow, setup, loan_ids[number], day)
            uow.commit()
    with UnitOfWork(setup.factory) as uow:
        _set_date(uow, setup.company_id, DAY - timedelta(days=1))
        uow.commit()


def clock() -> datetime:
    return datetime.now(UTC)


def _columns(connection: Connection, table: str) -> list[str]:
    """The columns a clone writes: all but the id and the generated ones."""
    rows = connection.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
            " AND is_generated = 'NEVER' ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [r[0] for r in rows if r[0] != "id"]


def _pick(columns: list[str], alias: str, swap: dict[str, str]) -> str:
    return ", ".join(swap.get(column, f"{alias}.{column}") for column in columns)


def clone(connection: Connection, company_id: int, count: int) -> dict[str, int]:
    """``count`` clones of the company's loans, interleaved (clone 1 of every template, then 2,
    ...); the clones' sums (``post_clone_balances``)."""
    c = connection
    cols = {table: _columns(c, table) for table in CLONED}
    templates = c.execute(
        text("SELECT count(*) FROM loans WHERE company_id = :c"), {"c": company_id}
    ).scalar_one()
    c.execute(
        text(
            "CREATE TEMP TABLE clone_plan AS SELECT row_number() OVER (ORDER BY g, t.id) AS seq,"
            " t.id AS template, t.application_id FROM loans t, generate_series(1, :per) g"
            " WHERE t.company_id = :c ORDER BY g, t.id LIMIT :k"
        ),
        {"per": -(-count // templates), "c": company_id, "k": count},
    )
    number = {"number": "'SQX' || p.seq"}
    c.execute(
        text(
            f"INSERT INTO applications ({', '.join(cols['applications'])}) "
            f"SELECT {_pick(cols['applications'], 'a', number)} "
            "FROM clone_plan p JOIN applications a ON a.id = p.application_id ORDER BY p.seq"
        )
    )
    swap = {
        "number": "'DKX' || p.seq",
        "contract_number": "'HTX' || p.seq",
        "application_id": "na.id",
    }
    c.execute(
        text(
            f"INSERT INTO loans ({', '.join(cols['loans'])}) "
            f"SELECT {_pick(cols['loans'], 'l', swap)} FROM clone_plan p "
            "JOIN loans l ON l.id = p.template "
            "JOIN applications na ON na.company_id = l.company_id AND na.number = 'SQX' || p.seq "
            "ORDER BY p.seq"
        )
    )
    c.execute(
        text(
            "CREATE TEMP TABLE clone_map AS SELECT nl.id AS loan_id, p.template "
            "FROM clone_plan p JOIN loans nl ON nl.company_id = :c AND nl.number = 'DKX' || p.seq"
        ),
        {"c": company_id},
    )
    c.execute(text(_clone_rows("loan_installments", cols["loan_installments"], "m.loan_id, x.n")))
    c.execute(text(_clone_rows("loan_close_state", cols["loan_close_state"], "m.loan_id")))
    c.execute(text(_clone_rows("loan_risk", cols["loan_risk"], "m.loan_id")))
    c.execute(text(_clone_rows("loan_accruals", cols["loan_accruals"], "m.loan_id")))
    sums = c.execute(
        text(
            "SELECT sum(l.principal_minor), sum(l.principal_minor - l.outstanding_principal_minor),"
            " sum(l.booked_overdue_principal_minor), sum(l.booked_interest_minor),"
            " sum(l.booked_penalty_minor), sum(l.off_balance_interest_minor),"
            " sum(r.allowance_minor)"
            " FROM clone_map m JOIN loans l ON l.id = m.loan_id"
            " LEFT JOIN loan_risk r ON r.loan_id = m.loan_id"
        )
    ).one()
    names = ("principal", "repaid", "overdue", "interest", "penalty", "off_balance", "allowance")
    return {name: int(value or 0) for name, value in zip(names, sums, strict=True)}


def _clone_rows(table: str, columns: list[str], order: str) -> str:
    names = columns if "loan_id" in columns else ["loan_id", *columns]
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {_pick(names, 'x', {'loan_id': 'm.loan_id'})} "
        f"FROM clone_map m JOIN {table} x ON x.loan_id = m.template ORDER BY {order}"
    )


def post_clone_balances(setup: _Setup, sums: dict[str, int]) -> None:
    """The clones' balances, to the ledger, summed from their rows: what their history would
    have posted (net), so that every mapped account's GL equals the sub-ledger."""
    events = [
        ("disbursement", "principal", sums["principal"]),
        ("repayment", "principal", sums["repaid"]),
        ("overdue_transfer", "principal", sums["overdue"]),
        ("interest_accrual", "interest", sums["interest"]),
        ("penalty_accrual", "penalty", sums["penalty"]),
        ("interest_accrual", "interest_off_balance", sums["off_balance"]),
        ("provision", "provision", sums["allowance"]),
    ]
    day = DAY - timedelta(days=1)
    with UnitOfWork(setup.factory) as uow:
        for kind, role, minor in events:
            if minor <= 0:
                continue
            ledger.post(
                uow,
                setup.actor,
                event=ledger.LedgerEvent(
                    type=kind,
                    company_id=setup.company_id,
                    office_id=setup.office_id,
                    business_date=day,
                    amounts={role: D(minor) / 100},
                    idempotency_key=f"bench:clones:{kind}:{role}",
                    summary=f"bench clones {kind} {role}",
                ),
                now=noon(day),
            )
        uow.commit()


def build_portfolio(url: str, *, loans: int, templates: int = 96, seed: int = 8) -> Portfolio:
    """Templates through the services, closed through ``DAY - 1``, cloned to ``loans``."""
    started = time.monotonic()
    drawn = draw_templates(min(templates, loans), seed)
    setup = _setup(url)
    make_templates(setup, drawn, seed)
    summary = run_close_of_business(
        setup.factory, company_id=setup.company_id, target_date=DAY - timedelta(days=1), now=clock
    )
    if summary.status != "done":
        raise RuntimeError(f"the templates' close of business failed: {summary}")
    engine = setup.factory.kw["bind"]
    if loans > len(drawn):  # PostgreSQL only (generate_series)
        with engine.begin() as connection:
            sums = clone(connection, setup.company_id, loans - len(drawn))
        post_clone_balances(setup, sums)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
    engine.dispose()
    behaviours: dict[str, int] = {}
    for template in drawn:
        behaviours[template.behaviour] = behaviours.get(template.behaviour, 0) + 1
    return Portfolio(
        url, setup.company_id, loans, len(drawn), behaviours, time.monotonic() - started
    )

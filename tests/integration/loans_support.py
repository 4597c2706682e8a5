"""A contracted application without going through origination, and a disbursed loan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from microlend.auth import service as auth
from microlend.customers.tables import CustomerBankAccount
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome, FundUsageView, LoanView
from microlend.orgs.tables import Company
from microlend.origination.tables import Application
from tests.integration.applications_support import make_product, register
from tests.seed import World

D = Decimal


def contracted(
    world: World,
    *,
    amount: str = "12000.00",
    term: int = 12,
    rate: str = "12",
    method: str = "equal_principal",
    code: str = "LN",
    id_number: str = "110105198001010016",
    office: str = "a",
    officer: str = "officer_a",
    customer: str = "李四",
    **product: Any,
) -> int:
    """A contracted application of ``officer`` (at ``office``) for a new customer."""
    product.setdefault("fees", ())
    version_id = make_product(world, code=code, **product)
    customer_id = register(world, officer, id_number, customer)
    with world.make_uow() as uow:
        app = Application(
            company_id=world.company_id,
            office_id=world.offices[office],
            owner_id=world.user_ids[officer],
            number=f"SQ{code}",
            customer_id=customer_id,
            product_version_id=version_id,
            status="contracted",
            currency="CNY",
            amount_minor=int(D(amount) * 100),
            term_count=term,
            annual_rate=D(rate),
            method=method,
            purpose="进货",
            approved_amount_minor=int(D(amount) * 100),
            approved_term_count=term,
            approved_annual_rate=D(rate),
            created_at=world.now,
            updated_at=world.now,
        )
        uow.session.add(app)
        uow.session.flush()
        app_id = app.id
        uow.commit()
    return app_id


def set_business_date(world: World, day: date) -> None:
    with world.make_uow() as uow:
        uow.session.execute(
            update(Company).where(Company.id == world.company_id).values(business_date=day)
        )
        uow.commit()


def disbursed(
    world: World, *, on: date = date(2025, 1, 15), paid_out: str | None = None, **kw: Any
) -> LoanView:
    """A loan disbursed ``on`` the day: the whole amount, or a first tranche of ``paid_out``."""
    app_id = contracted(world, **kw)
    set_business_date(world, on)
    with world.make_uow() as uow:
        view = loans.disburse(
            uow, world.principal("finance"), application_id=app_id, amount=paid_out, now=world.now
        )
        uow.commit()
    assert isinstance(view, LoanView)
    return view


def repayments_checked(world: World) -> None:
    """Maker-checker on for ``loans.repay``: every repayment waits for a second person."""
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name="loans.repay", enabled=True, now=world.now
        )
        uow.commit()


def add_bank_account(
    world: World,
    customer_id: int,
    account_no: str = "6222020200001234567",
    *,
    holder: str = "李四",
    bank: str = "工商银行",
) -> int:
    """A registered bank account of the customer (written straight, as the customer page's
    command leaves it); its id."""
    with world.make_uow() as uow:
        row = CustomerBankAccount(
            company_id=world.company_id,
            customer_id=customer_id,
            bank_name=bank,
            account_no=account_no,
            account_name=holder,
            created_at=world.now,
        )
        uow.session.add(row)
        uow.session.flush()
        made = row.id
        uow.commit()
    return made


def record_usage(
    world: World,
    loan_id: int,
    amount: str,
    *,
    category: str = "inventory",
    counterparty: str = "批发市场",
    evidence: bytes | None = None,
) -> FundUsageView:
    """A use of the funds on 2025-01-15 recorded by officer_a, with ``evidence`` (a file named
    fp.pdf) or none. The document store must be set (``MICROLEND_DOCUMENT_DIR``)."""
    with world.make_uow() as uow:
        view = loans.record_usage(
            uow,
            world.principal("officer_a"),
            loan_id=loan_id,
            amount=amount,
            used_on=date(2025, 1, 15),
            counterparty=counterparty,
            category=category,
            evidence=evidence,
            evidence_name="fp.pdf" if evidence else None,
            now=world.now,
        )
        uow.commit()
    return view


def repaid(
    world: World,
    loan_id: int,
    amount: str,
    day: date | None = None,
    *,
    command: Callable[..., Any] = loans.repay,
    **kw: Any,
) -> EventOutcome:
    """A repayment (or ``command``: ``loans.prepay``) by finance, valued ``day`` (default the
    business date)."""
    with world.make_uow() as uow:
        done = command(
            uow,
            world.principal("finance"),
            loan_id=loan_id,
            amount=amount,
            value_date=day,
            now=world.now,
            **kw,
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    return done


def reversed_event(world: World, loan_id: int, event_id: int, reason: str = "退票") -> EventOutcome:
    """Finance reverses the loan's event ``event_id``."""
    with world.make_uow() as uow:
        done = loans.reverse(
            uow,
            world.principal("finance"),
            loan_id=loan_id,
            event_id=event_id,
            reason=reason,
            now=world.now,
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    return done

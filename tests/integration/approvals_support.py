"""Applications under review, for the approval tests: made through the customers, products and
applications services; only the move to ``under_review`` (investigation and the automated
decision are other tests' business) is written directly before ``start_approval`` runs."""

from __future__ import annotations

import itertools
from decimal import Decimal

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.origination import applications, approvals, investigation
from microlend.origination.tables import Application
from microlend.origination.views import ApplicationView
from microlend.products import service as products
from tests.seed import PASSWORD, World

_serial = itertools.count(1)
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id(serial: int) -> str:
    """A valid 18-digit resident ID (ISO 7064 MOD 11-2 check digit), born 1980-01-01."""
    body = f"11010519800101{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def uscc(serial: int) -> str:
    """A valid unified social credit code (GB 32100-2015 check character)."""
    body = f"91350100MA{serial:07d}"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def add_user(world: World, username: str, *, roles: list[str], office: str, scope: str,
             by: str = "admin") -> int:  # fmt: skip
    """A further user (e.g. committee members, a group-level approver)."""
    with world.make_uow() as uow:
        creator = world.principal(by)
        if scope == "group":  # no seeded user may grant the group scope: the operator does
            creator = auth.system_principal(
                uow, company_id=creator.company_id, permissions=frozenset(PERMISSIONS)
            )
        user = auth.create_user(
            uow, creator, username=username, password=PASSWORD,
            display_name=username.title(), office_id=world.offices[office], roles=roles,
            scope=scope, now=world.now,
        )  # fmt: skip
        uow.commit()
    assert isinstance(user, auth.UserView)
    world.user_ids[username] = user.id
    return user.id


def under_review(
    world: World, *, amount: str, officer: str = "officer_a", referred: bool = False,
    company_id: int | None = None, investigator: str | None = None,
) -> int:  # fmt: skip
    """An application of ``amount`` (individual up to 200,000, else an enterprise), taken by
    ``officer`` and put under review on its approval chain; its id."""
    company = company_id or world.company_id
    enterprise = Decimal(amount) > Decimal(200_000)
    serial = next(_serial)
    with world.make_uow() as uow:
        products.seed_default_products(uow, None, company_id=company, now=world.now)
        actor = world.principal(officer)
        customer = customers.register_customer(
            uow, actor, kind="enterprise" if enterprise else "individual",
            id_number=uscc(serial) if enterprise else resident_id(serial),
            name=f"客户{serial}", now=world.now,
        )  # fmt: skip
        assert isinstance(customer, CustomerView)
        product = products.find_product(
            uow, actor, company_id=company, code="SME-WC" if enterprise else "IND-BIZ"
        )
        assert product.current is not None
        created = applications.create_application(
            uow, actor, customer_id=customer.id, product_version_id=product.current.id,
            amount=amount, term_count=12, annual_rate="12", method="equal_principal",
            purpose="经营周转", now=world.now,
        )  # fmt: skip
        assert isinstance(created, ApplicationView)
        row = uow.session.get_one(Application, created.id)
        if investigator is not None:
            row.status = "submitted"
            investigation.start_investigation(
                uow, world.principal(investigator), application_id=created.id, now=world.now
            )
        row.status = "under_review"
        approvals.start_approval(
            uow, actor, application_id=created.id, referred=referred, now=world.now
        )
        uow.commit()
    return created.id


def status_of(world: World, application_id: int) -> Application:
    with world.make_uow(read_only=True) as uow:
        row = uow.session.get_one(Application, application_id)
        uow.session.expunge(row)
    return row

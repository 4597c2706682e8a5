"""放款队列: the contracted applications waiting to be disbursed, with what the queue's form needs
to pay each out (the borrower's registered accounts, masked as the viewer sees them; whether
the product charges an upfront fee, deducted from the payout or collected apart)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from microlend.customers.bank_accounts import account_view, registered_accounts
from microlend.customers.records import may_view_pii
from microlend.customers.tables import Customer
from microlend.customers.views import BankAccountView
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require
from microlend.loans.records import money
from microlend.loans.tranches import DISBURSE
from microlend.origination.tables import Application
from microlend.products.schemas import terms_from_document
from microlend.products.tables import ProductVersion


@dataclass(frozen=True)
class AwaitingDisbursement:
    """A contracted application not yet disbursed (the disbursement queue)."""

    application_id: int
    number: str
    customer_name: str
    currency: str
    approved_amount: Decimal
    term_count: int
    annual_rate: Decimal
    accounts: tuple[BankAccountView, ...] = ()  # the borrower's registered accounts, oldest first
    upfront_fee: bool = False  # the product charges one: deducted from the payout or collected


def awaiting_disbursement(uow: UnitOfWork, actor: Principal) -> list[AwaitingDisbursement]:
    """Contracted applications in the actor's scope (needs ``loans.disburse``)."""
    require(actor, DISBURSE)
    stmt = (
        apply_scope(select(Application), actor, Application)
        .add_columns(Customer.name, ProductVersion.terms)
        .join(Customer, Customer.id == Application.customer_id)
        .join(ProductVersion, ProductVersion.id == Application.product_version_id)
        .where(Application.status == "contracted")
        .order_by(Application.id)
    )
    found = uow.session.execute(stmt).all()
    accounts = registered_accounts(uow.session, (app.customer_id for app, _, _ in found))
    may_view = may_view_pii(actor)
    return [
        AwaitingDisbursement(
            application_id=app.id,
            number=app.number,
            customer_name=name,
            currency=app.currency,
            approved_amount=money(app.approved_amount_minor or app.amount_minor, app.currency),
            term_count=app.approved_term_count or app.term_count,
            annual_rate=app.approved_annual_rate
            if app.approved_annual_rate is not None
            else app.annual_rate,
            accounts=tuple(
                account_view(row, may_view=may_view) for row in accounts.get(app.customer_id, [])
            ),
            upfront_fee=bool(terms_from_document(terms).upfront_fees),
        )
        for app, name, terms in found
    ]

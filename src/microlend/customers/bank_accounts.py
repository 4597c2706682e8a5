"""A customer's bank accounts: where loans are paid out to and debited from (the auto-debit file
of ``loans.autodebit`` picks the debit account among them).

An individual's account is in the borrower's own name (同名账户): an account held by anyone else
is refused. Account numbers are masked for users without ``pii.view``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from microlend.customers import model
from microlend.customers.records import may_view_pii
from microlend.customers.tables import Customer, CustomerBankAccount
from microlend.customers.views import BankAccountView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from microlend.kernel.pii import PiiKind, mask, shown
from microlend.kernel.principal import Principal, require

ACCOUNT_DIGITS = (8, 30)  # debit cards have 16 to 19 digits, corporate accounts more


def account_view(row: CustomerBankAccount, *, may_view: bool) -> BankAccountView:
    number = shown(row.account_no, PiiKind.BANK_ACCOUNT, may_view=may_view) or ""
    return BankAccountView(row.id, row.bank_name, number, row.account_name)


def registered_accounts(
    session: Session, customer_ids: Iterable[int]
) -> dict[int, list[CustomerBankAccount]]:
    """The registered bank accounts of the customers, oldest first, by customer."""
    found: dict[int, list[CustomerBankAccount]] = {}
    wanted = sorted(set(customer_ids))
    if not wanted:
        return found
    rows = session.scalars(
        select(CustomerBankAccount)
        .where(CustomerBankAccount.customer_id.in_(wanted))
        .order_by(CustomerBankAccount.id)
    )
    for row in rows:
        found.setdefault(row.customer_id, []).append(row)
    return found


def checked_account_no(raw: object, *, field: str = "account_no") -> str:
    """The account number as digits only (spaces removed), 8 to 30 of them."""
    number = str(raw or "").replace(" ", "").replace("\u3000", "")
    low, high = ACCOUNT_DIGITS
    if not (number.isascii() and number.isdigit() and low <= len(number) <= high):
        raise ValidationFailed(
            "an account number has %(low)s to %(high)s digits",
            field=field,
            params={"low": low, "high": high},
        )
    return number


def _bank_name(raw: object) -> str:
    name = str(raw or "").strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed("a bank name has 1 to 100 characters", field="bank_name")
    return name


def _account_name(raw: object, customer: Customer) -> str:
    """The holder's name (the customer's when empty); an individual's must be the customer's."""
    name = str(raw or "").strip() or customer.name
    if len(name) > 200:
        raise ValidationFailed("at most %(max_length)s characters", field="account_name",
                               params={"max_length": 200})  # fmt: skip
    if customer.kind == "individual" and model.name_key(name) != customer.name_key:
        raise RuleViolation(
            "the account must be in the borrower's own name (%(name)s)",
            code="account_name_mismatch",
            field="account_name",
            params={"name": customer.name},
        )
    return name


@command("customers.bank_account.add", permission="customers.update", entity_type="customer",
         summary=lambda p: f"bank account of customer {p['id']}")  # fmt: skip
def _add(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    customer = get_scoped(uow.session, actor, Customer, payload["id"])
    bank_name = _bank_name(payload.get("bank_name"))
    account_no = checked_account_no(payload.get("account_no"))
    account_name = _account_name(payload.get("account_name"), customer)
    taken = select(CustomerBankAccount.id).where(
        CustomerBankAccount.customer_id == customer.id,
        CustomerBankAccount.account_no == account_no,
    )
    if uow.session.scalars(taken).first() is not None:
        raise Conflict("the customer has this account already", code="duplicate_bank_account",
                       field="account_no")  # fmt: skip
    row = CustomerBankAccount(company_id=customer.company_id, customer_id=customer.id,
                              bank_name=bank_name, account_no=account_no,
                              account_name=account_name, created_at=now)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    change = {"account_id": row.id, "bank_name": bank_name,
              "account_no": mask(account_no, PiiKind.BANK_ACCOUNT)}  # fmt: skip
    return Done(entity_id=customer.id, value=account_view(row, may_view=may_view_pii(actor)),
                change=change)  # fmt: skip


def add_bank_account(
    uow: UnitOfWork, actor: Principal, *, customer_id: int, bank_name: str, account_no: str,
    account_name: str = "", now: datetime,
) -> BankAccountView | Pending:  # fmt: skip
    """Register a bank account of the customer (``account_name`` defaults to the customer's)."""
    payload = {"id": customer_id, "bank_name": bank_name, "account_no": account_no,
               "account_name": account_name}  # fmt: skip
    outcome = run_command(uow, actor, "customers.bank_account.add", payload, now=now)
    return value_or_pending(outcome, BankAccountView)


@command("customers.bank_account.remove", permission="customers.update", entity_type="customer",
         summary=lambda p: f"remove bank account {p['account_id']} of {p['id']}")  # fmt: skip
def _remove(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    customer = get_scoped(uow.session, actor, Customer, payload["id"])
    row = uow.session.get(CustomerBankAccount, payload["account_id"])
    if row is None or row.customer_id != customer.id:
        raise NotFound(
            "bank account %(account_id)s not found",
            code="bank_account_not_found",
            field="account_id",
            params={"account_id": payload["account_id"]},
        )
    change = {"account_id": row.id, "bank_name": row.bank_name,
              "account_no": mask(row.account_no, PiiKind.BANK_ACCOUNT)}  # fmt: skip
    uow.session.delete(row)
    uow.session.flush()
    return Done(entity_id=customer.id, value=None, change=change)


def remove_bank_account(uow: UnitOfWork, actor: Principal, *, customer_id: int, account_id: int,
                        now: datetime) -> Done | Pending:  # fmt: skip
    """Remove one of the customer's bank accounts."""
    payload = {"id": customer_id, "account_id": account_id}
    return run_command(uow, actor, "customers.bank_account.remove", payload, now=now)


def list_bank_accounts(uow: UnitOfWork, actor: Principal, *,
                       customer_id: int) -> list[BankAccountView]:  # fmt: skip
    """The customer's accounts, oldest first, numbers masked without ``pii.view``."""
    require(actor, "customers.view")
    customer = get_scoped(uow.session, actor, Customer, customer_id)
    rows = uow.session.scalars(
        select(CustomerBankAccount)
        .where(CustomerBankAccount.customer_id == customer.id)
        .order_by(CustomerBankAccount.id)
    )
    may_view = may_view_pii(actor)
    return [account_view(row, may_view=may_view) for row in rows]

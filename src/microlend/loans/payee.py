"""Where a disbursement is paid (放款账户): the borrower only into one of its registered accounts
(``customers.bank_accounts``: an individual's are in their own name, 同名账户), chosen by its id
or typed as its number; under entrusted payment (受托支付) the seller of what the loan buys,
named, into the seller's account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from microlend.customers.bank_accounts import checked_account_no, registered_accounts
from microlend.db.commands import Payload
from microlend.kernel.errors import RuleViolation, ValidationFailed

PAYEES = ("borrower", "seller")
NAME_LENGTH = 200  # loans.payee_name


@dataclass(frozen=True)
class Payee:
    kind: str  # borrower | seller
    name: str  # the account holder's (the seller's under entrusted payment)
    account: str  # digits; empty: no account named (cash, or paid outside the system)


def payee_of(session: Session, customer_id: int, payload: Payload) -> Payee:
    """The payee a disbursement's ``payee``, ``payee_name``, ``payee_account`` and
    ``payee_account_id`` name, checked against the borrower's registered accounts."""
    kind = str(payload.get("payee") or "borrower")
    if kind not in PAYEES:
        raise ValidationFailed("borrower or seller (受托支付)", field="payee")
    chosen = payload.get("payee_account_id")
    typed = str(payload.get("payee_account") or "").strip()
    name = str(payload.get("payee_name") or "").strip()
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(
            "at most %(max_length)s characters",
            field="payee_name",
            params={"max_length": NAME_LENGTH},
        )
    if chosen not in (None, "") and typed:
        raise ValidationFailed(
            "choose a registered account or type one, not both", field="payee_account"
        )
    if kind == "seller":
        if not name:
            raise ValidationFailed(
                "name the seller paid under entrusted payment", field="payee_name"
            )
        if chosen not in (None, ""):
            raise ValidationFailed(
                "the seller's account is typed, not chosen among the borrower's",
                field="payee_account_id",
            )
        account = checked_account_no(typed, field="payee_account") if typed else ""
        return Payee(kind, name, account)
    registered = registered_accounts(session, [customer_id]).get(customer_id, [])
    if chosen not in (None, ""):
        found = next((row for row in registered if str(row.id) == str(chosen).strip()), None)
        if found is None:
            raise ValidationFailed(
                "is not a registered account of the borrower", field="payee_account_id"
            )
        return Payee(kind, found.account_name, found.account_no)
    if typed:
        number = checked_account_no(typed, field="payee_account")
        found = next((row for row in registered if row.account_no == number), None)
        if found is None:
            raise RuleViolation(
                "the borrower is paid only into one of its registered accounts",
                code="payee_account_not_registered",
                field="payee_account",
            )
        return Payee(kind, found.account_name, found.account_no)
    return Payee(kind, name, "")

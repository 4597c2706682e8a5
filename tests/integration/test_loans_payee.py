"""放款账户: a loan is paid to one of the borrower's registered accounts (chosen by id or typed),
or under entrusted payment (受托支付) to a named seller's account; anything else is refused and
nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from microlend.kernel.errors import DomainError, RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans.tables import Loan
from microlend.loans.views import LoanView
from microlend.origination.tables import Application
from tests.integration.applications_support import register
from tests.integration.loans_support import add_bank_account, contracted, set_business_date
from tests.seed import World

OWN = "6222020200001234567"
OTHER = "6217000010002223334"


def application(world: World) -> tuple[int, int]:
    """A contracted application of 李四, and his registered account's id."""
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow(read_only=True) as uow:
        customer_id = uow.session.get_one(Application, app_id).customer_id
    return app_id, add_bank_account(world, customer_id, OWN)


def disburse(world: World, app_id: int, **payee: Any) -> Loan:
    with world.make_uow() as uow:
        view = loans.disburse(
            uow, world.principal("finance"), application_id=app_id, now=world.now, **payee
        )
        uow.commit()
    assert isinstance(view, LoanView)
    with world.make_uow(read_only=True) as uow:
        return uow.session.get_one(Loan, view.id)


def refused(world: World, app_id: int, **payee: Any) -> DomainError:
    with world.make_uow() as uow, pytest.raises(DomainError) as caught:
        loans.disburse(
            uow, world.principal("finance"), application_id=app_id, now=world.now, **payee
        )
    with world.make_uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Loan)) == 0
    return caught.value


def test_a_registered_account_chosen_by_its_id(world: World) -> None:
    app_id, own = application(world)
    loan = disburse(world, app_id, payee_account_id=own)
    assert (loan.payee, loan.payee_name, loan.payee_account) == ("borrower", "李四", OWN)


def test_a_registered_account_typed_with_spaces(world: World) -> None:
    app_id, _ = application(world)
    loan = disburse(world, app_id, payee_account="6222 0202 0000 1234 567")
    assert (loan.payee_name, loan.payee_account) == ("李四", OWN)


def test_no_account_named_is_still_possible(world: World) -> None:
    app_id, _ = application(world)
    loan = disburse(world, app_id)
    assert (loan.payee, loan.payee_account) == ("borrower", "")


def test_an_account_the_borrower_has_not_registered_is_refused(world: World) -> None:
    app_id, _ = application(world)
    error = refused(world, app_id, payee_account=OTHER)
    assert isinstance(error, RuleViolation)
    assert (error.code, error.field) == ("payee_account_not_registered", "payee_account")


def test_another_customers_account_cannot_be_chosen(world: World) -> None:
    app_id, _ = application(world)
    stranger = register(world, "officer_a", "110105198001010032", "王五")
    theirs = add_bank_account(world, stranger, OTHER, holder="王五")
    error = refused(world, app_id, payee_account_id=theirs)
    assert isinstance(error, ValidationFailed)
    assert error.field == "payee_account_id"
    assert refused(world, app_id, payee_account_id="abc").field == "payee_account_id"


def test_chosen_and_typed_at_once_is_refused(world: World) -> None:
    app_id, own = application(world)
    error = refused(world, app_id, payee_account_id=own, payee_account=OWN)
    assert error.field == "payee_account"


def test_entrusted_payment_goes_to_the_named_seller(world: World) -> None:
    app_id, _ = application(world)
    loan = disburse(
        world,
        app_id,
        payee="seller",
        payee_name="某某农机公司",
        payee_account="3100 1234 5678 9012",
    )
    assert (loan.payee, loan.payee_name, loan.payee_account) == (
        "seller",
        "某某农机公司",
        "3100123456789012",
    )


@pytest.mark.parametrize(
    ("payee", "field"),
    [
        ({"payee": "seller", "payee_account": "31001234567890"}, "payee_name"),
        (
            {"payee": "seller", "payee_name": "某某农机公司", "payee_account": "31-00"},
            "payee_account",
        ),
        (
            {"payee": "seller", "payee_name": "某某农机公司", "payee_account_id": 1},
            "payee_account_id",
        ),
        ({"payee": "seller", "payee_name": "某" * 201}, "payee_name"),
        ({"payee": "bank"}, "payee"),
        ({"payee_account": "12345"}, "payee_account"),
    ],
)
def test_bad_payees_are_refused_naming_the_field(
    world: World, payee: dict[str, Any], field: str
) -> None:
    app_id, _ = application(world)
    assert refused(world, app_id, **payee).field == field

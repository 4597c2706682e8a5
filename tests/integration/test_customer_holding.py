"""A borrower is held by the office where a loan of theirs is on the book: whatever the pool's
protection period, no officer of another office or company claims them, their officer does not
release them to the pool, and a transfer goes to an officer of that office, who takes the loan
over (管户). Once the loan is paid off the borrower is an ordinary customer again."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from microlend.auth.permissions import PERMISSIONS
from microlend.customers import pool, pool_lists, transfers
from microlend.customers.tables import Customer
from microlend.customers.views import CustomerView
from microlend.kernel.errors import Conflict, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import service as loans
from microlend.loans import tables
from tests.integration.loans_support import disbursed
from tests.integration.test_customers_pool import claim, share_group
from tests.seed import World

LAPSED = date(2024, 6, 1)  # the last activity: 90 days of protection lapsed long before 2025


def _lapsed(world: World, customer_id: int) -> None:
    with world.make_uow() as uow:
        row = uow.session.get(Customer, customer_id)
        assert row is not None
        row.last_activity_on = LAPSED
        uow.commit()


def _shared(world: World, actor: Principal) -> list[int]:
    with world.make_uow(read_only=True) as uow:
        page = pool_lists.pool_customers(uow, actor, view="shared")
    return [entry.customer.id for entry in page.items]


def _owner(world: World, loan_id: int) -> int | None:
    with world.make_uow(read_only=True) as uow:
        loan = uow.session.get(tables.Loan, loan_id)
        assert loan is not None
        return loan.owner_id


def _transfer(world: World, customer_id: int, to: str) -> object:
    """officer_a asks to hand the customer to ``to``; the manager approves."""
    with world.make_uow() as uow:
        asked = transfers.request_transfer(uow, world.principal("officer_a"),
                                           customer_id=customer_id, to_user_id=world.user_ids[to],
                                           reason="调岗", now=world.now)  # fmt: skip
        uow.commit()
    with world.make_uow() as uow:
        decided = transfers.decide_transfer(uow, world.principal("manager"), request_id=asked.id,
                                            approve=True, now=world.now)  # fmt: skip
        uow.commit()
    return decided


def test_a_borrower_stays_with_the_office_of_their_loan(world: World) -> None:
    loan = disbursed(world)  # officer_a's customer 李四, booked at branch A
    share_group(world, True)
    _lapsed(world, loan.customer_id)
    other_company = dataclasses.replace(
        world.principal("mld_admin"), permissions=frozenset(PERMISSIONS)
    )
    for outsider in (world.principal("officer_b"), other_company):
        assert loan.customer_id not in _shared(world, outsider)
        with pytest.raises(Conflict) as refused:
            claim(world, outsider, loan.customer_id)
        assert refused.value.code == "customer_held"  # not why: whether one borrows is private
        assert refused.value.detail == "held by Branch A"
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        pool.release_customer(uow, world.principal("officer_a"), customer_id=loan.customer_id,
                              now=world.now)  # fmt: skip
    assert refused.value.code == "customer_owing"
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as named:
        transfers.request_transfer(uow, world.principal("officer_a"),
                                   customer_id=loan.customer_id,
                                   to_user_id=world.user_ids["officer_a1"], reason="调岗",
                                   now=world.now)  # fmt: skip
    assert named.value.field == "to_user_id"  # sub-branch A1 is another office
    assert _owner(world, loan.id) == world.user_ids["officer_a"]
    _transfer(world, loan.customer_id, "manager_a")  # branch A, as the loan
    assert _owner(world, loan.id) == world.user_ids["manager_a"]
    with world.make_uow(read_only=True) as uow:
        mine = loans.list_loans(uow, world.principal("manager_a"), owner_id=world.user_ids[
            "manager_a"])  # fmt: skip
    assert [view.id for view in mine] == [loan.id]


def test_a_borrower_who_paid_off_goes_back_to_the_pool(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow:
        finance = world.principal("finance")
        quote = loans.quote_payoff(uow, finance, loan_id=loan.id)
        loans.prepay(uow, finance, loan_id=loan.id, amount=quote.amount_to_pay, now=world.now)
        uow.commit()
    share_group(world, True)
    _lapsed(world, loan.customer_id)
    officer_b = world.principal("officer_b")
    assert loan.customer_id in _shared(world, officer_b)
    claimed = claim(world, officer_b, loan.customer_id)
    assert isinstance(claimed, CustomerView) and claimed.owner_id == world.user_ids["officer_b"]
    assert _owner(world, loan.id) == world.user_ids["officer_a"]  # a closed loan stays put

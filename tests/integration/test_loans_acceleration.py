"""Calling a loan due (宣布提前到期) through the service, its checker and close of business, on the
loan of tests/unit/loans/test_engine_acceleration.py (12,000.00, equal principal, 12 %,
disbursed 2025-01-15, due on the 15th, nothing paid; penalty 0.05 % a day on the principal past
due), called due on 2025-03-01 by the branch manager and approved by the manager. Principal moves to
130302 on the close of its first day past due (installment 1's on 16 February)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from random import Random

import pytest

from microlend.db.uow import SessionFactory
from microlend.kernel.errors import ValidationFailed
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.integration.checker_support import approved
from tests.integration.loan_walk import Walk
from tests.integration.loans_support import disbursed, repaid, reversed_event, set_business_date
from tests.integration.test_loan_close import close
from tests.integration.test_loans import _balances
from tests.seed import World

CALLED = date(2025, 3, 1)


def _call(world: World, loan_id: int, reason: str = "挪用贷款资金炒股") -> object:
    with world.make_uow() as uow:
        asked = loans.accelerate(
            uow, world.principal("manager_a"), loan_id=loan_id, reason=reason, now=world.now
        )
        uow.commit()
    return asked


def test_a_called_loan_falls_due_and_its_principal_goes_past_due_that_night(
    world: World, session_factory: SessionFactory
) -> None:
    loan = disbursed(world)
    close(session_factory, world, date(2025, 2, 28))
    set_business_date(world, CALLED)
    done = approved(world, _call(world, loan.id))  # it waits for a checker by default
    assert isinstance(done, EventOutcome)
    assert done.event.kind == "acceleration" and done.event.detail == {"reason": "挪用贷款资金炒股"}
    assert done.loan.status == "overdue" and done.loan.next_due_date is None
    assert not done.loan.restructured
    with world.make_uow(read_only=True) as uow:
        manager = world.principal("manager")
        rows = loans.installments(uow, manager, loan_id=loan.id)
        quote = loans.quote_payoff(uow, manager, loan_id=loan.id)
    assert [(row.n, row.due_date, row.principal_due, row.interest_due) for row in rows] == [
        (1, date(2025, 2, 15), D("1000.00"), D("120.00")),
        (2, CALLED, D("11000.00"), D("58.67")),  # 110.00 x 16 / 30 accrued to the call
    ]
    # to pay on the day: 12,000.00 + 178.67 of interest + 14 nights of penalty on 1,000.00
    assert quote.amount_to_pay == D("12185.67")
    assert _balances(world, loan.id)["130302"] == 100000  # installment 1's, since 16 February
    close(session_factory, world, CALLED)
    assert _balances(world, loan.id)["130302"] == 100000  # due on the day, not yet past due
    close(session_factory, world, date(2025, 3, 2))
    # the first day past due, the called principal goes to 130302 too: all of it is there
    balances = _balances(world, loan.id)
    assert balances["130302"] == 1200000 and "130301" not in balances


def test_a_call_says_why_and_needs_principal_still_to_fall_due(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, CALLED)
    with pytest.raises(ValidationFailed) as refused:
        _call(world, loan.id, reason="  ")
    assert refused.value.field == "reason"
    set_business_date(world, date(2026, 1, 20))  # after the last due date: nothing left
    with pytest.raises(ValidationFailed) as late:
        approved(world, _call(world, loan.id))
    assert late.value.field == "value_date"


def test_a_call_replays_with_the_payments_dated_before_it_and_the_books_hold(
    world: World, session_factory: SessionFactory
) -> None:
    """Back-dated around a call: the live 对账 and the loan's snapshot (against the engine's
    replay) hold after every step (the walk of random lives' checks), and the call keeps its
    figures when a payment dated before it only touches installment 1."""
    walk = Walk(world, session_factory, Random(0))
    loan = disbursed(world)
    close(session_factory, world, date(2025, 3, 9))
    set_business_date(world, date(2025, 3, 10))

    def holds(after: str) -> None:
        walk.live(after)
        walk.snapshot_holds(loan.id, date(2025, 3, 10), after)

    with world.make_uow() as uow:
        asked = loans.accelerate(uow, world.principal("manager_a"), loan_id=loan.id,
                                 reason="挪用", value_date=CALLED, now=world.now)  # fmt: skip
        uow.commit()
    approved(world, asked)
    holds("the call back-dated to 1 March")
    paid = repaid(world, loan.id, "1120.00", date(2025, 2, 20))  # before the call
    holds("a payment dated before the call")
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal("finance"), loan_id=loan.id)
    assert [(row.due_date, row.principal_due, row.interest_due) for row in rows][1] == (
        CALLED,
        D("11000.00"),
        D("58.67"),
    )
    reversed_event(world, loan.id, paid.event.id)
    holds("the payment reversed")
    close(session_factory, world, date(2025, 3, 10))
    set_business_date(world, date(2025, 3, 11))
    with world.make_uow() as uow:
        finance = world.principal("finance")
        quote = loans.quote_payoff(uow, finance, loan_id=loan.id)
        done = loans.prepay(
            uow, finance, loan_id=loan.id, amount=quote.amount_to_pay, now=world.now
        )
        uow.commit()
    assert isinstance(done, EventOutcome) and done.loan.status == "closed"
    walk.live("the payoff")
    balances = _balances(world, loan.id)
    assert "130301" not in balances and "130302" not in balances

"""Two threads repaying one loan at once on PostgreSQL: the loan row lock serialises them, so
the second replays on the first's event and nothing is allocated twice."""

from __future__ import annotations

from datetime import date

import pytest

from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import D, disbursed, set_business_date
from tests.integration.test_loans import _balances
from tests.integration.test_races import in_two_threads
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def test_two_repayments_at_once_never_double_allocate(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    finance = world.principal("finance")

    def pay(index: int) -> object:
        with world.make_uow() as uow:
            done = loans.repay(
                uow,
                finance,
                loan_id=loan.id,
                amount="1120.00",
                external_reference=f"T{index}",
                now=world.now,
            )
            uow.commit()
        return done

    results = in_two_threads(pay)
    assert all(isinstance(r, EventOutcome) for r in results), results
    with world.make_uow(read_only=True) as uow:
        after = loans.get_loan(uow, finance, loan_id=loan.id)
        sequences = [e.sequence for e in loans.events(uow, finance, loan_id=loan.id)]
    assert sequences == [1, 2, 3]
    # one payment settles installment 1 (1,000 + 120); the other waits as credit
    assert after.outstanding_principal == D("11000.00")
    assert after.credit_balance == D("1120.00")
    assert _balances(world, loan.id) == {
        "130301": 1100000,
        "1002": -1200000 + 224000,
        "6011": -12000,
        "224101": -112000,
    }


def test_the_same_reference_twice_at_once_records_one_repayment(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    finance = world.principal("finance")

    def pay(index: int) -> object:
        with world.make_uow() as uow:
            done = loans.repay(
                uow,
                finance,
                loan_id=loan.id,
                amount="1120.00",
                external_reference="SAME",
                now=world.now,
            )
            uow.commit()
        assert isinstance(done, EventOutcome)
        return done.event.id

    first, second = in_two_threads(pay)
    assert first == second

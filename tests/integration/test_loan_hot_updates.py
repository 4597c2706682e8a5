"""A command that changes a loan's amounts without taking them across zero updates its row in
place on PostgreSQL (a heap-only tuple: no new entries in the loans' indexes), because the
partial indexes name generated flags rather than the amounts (migration 0027); the flags follow
the amounts on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from microlend.loans import service as loans
from microlend.loans.tables import Loan
from tests.integration.loans_support import disbursed
from tests.seed import World


def repay(world: World, loan_id: int, amount: str) -> None:
    with world.make_uow() as uow:
        loans.repay(uow, world.principal("finance"), loan_id=loan_id, amount=amount, now=world.now)
        uow.commit()


def flags(world: World, loan_id: int) -> tuple[int, bool, int, bool]:
    with world.make_uow(read_only=True) as uow:
        row = uow.session.execute(
            select(
                Loan.credit_balance_minor,
                Loan.holds_credit,
                Loan.booked_overdue_principal_minor,
                Loan.carries_overdue_principal,
            ).where(Loan.id == loan_id)
        ).one()
        return row[0], bool(row[1]), row[2], bool(row[3])


def test_the_flags_follow_the_amounts(world: World) -> None:
    loan = disbursed(world)
    assert flags(world, loan.id) == (0, False, 0, False)
    repay(world, loan.id, "25.00")  # nothing is due yet: the money is held as credit
    assert flags(world, loan.id) == (2500, True, 0, False)


# this backend's counts of updates of loans not yet reported to the statistics (they gather
# over transactions until reported, so a command's own are the difference across it)
UPDATES = text(
    "SELECT pg_stat_get_xact_tuples_updated('loans'::regclass), "
    "pg_stat_get_xact_tuples_hot_updated('loans'::regclass)"
)


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_a_repayment_into_a_credit_balance_updates_the_loan_in_place(world: World) -> None:
    loan = disbursed(world)
    repay(world, loan.id, "25.00")
    with world.make_uow() as uow:
        updated_before, in_place_before = uow.session.execute(UPDATES).one()
        loans.repay(uow, world.principal("finance"), loan_id=loan.id, amount="10.00", now=world.now)
        updated, in_place = uow.session.execute(UPDATES).one()
        uow.commit()
    assert updated - updated_before == 1
    assert in_place - in_place_before == 1
    assert flags(world, loan.id)[:2] == (3500, True)

"""``loans.views.loan_view`` reads a loan row's values from the instance when they are loaded
there and through the ORM when they are not (an expired row, a deferred column): the view is
the same either way, and it is what the database holds."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from microlend.loans.tables import Loan
from microlend.loans.views import loan_view
from tests.integration.loans_support import disbursed
from tests.seed import World


def test_a_loaded_and_an_expired_row_give_the_same_view(world: World) -> None:
    made = disbursed(world, amount="12000.00")
    with world.make_uow(read_only=True) as uow:
        row = uow.session.scalars(select(Loan).where(Loan.id == made.id)).one()
        loaded = loan_view(row)
        uow.session.expire(row)  # every column to be read again
        assert "status" not in row.__dict__
        expired = loan_view(row)
        uow.session.expire(row, ["outstanding_principal_minor"])  # one column missing
        partly = loan_view(row)
    assert loaded == expired == partly == made
    assert loaded.principal == loaded.outstanding_principal == Decimal("12000.00")
    assert loaded.status == "active"

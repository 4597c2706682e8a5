"""Close of business on a loan whose arrears a reschedule capitalised: the capitalised
installments owe nothing, so when the loan falls overdue again only the new installment bears
penalty and goes to 130302.

The loan (tests/integration/loans_support): 12,000.00 CNY, 等额本金, 12 months at 12 % a year,
30/360, from 2025-01-15; penalty 1.5 x the rate, 0.05 % a day. Installment 1 (1,000.00 +
120.00, due 15 Feb) is not paid. On 1 Mar a restructuring capitalises the arrears: 1,000.00 +
120.00 + penalty 14 nights x 0.50 = 7.00, and the interest of the current period accrued to
1 Mar, 11,000.00 x 1 % x 16/30 = 58.67: 1,185.67, so the new principal is 12,185.67 over 12
monthly installments from 1 Mar, the first due 1 Apr with 12,185.67 / 12 = 1,015.47 of
principal and 12,185.67 x 1 % = 121.86 of interest. Nothing is paid: on 2 Apr that installment
is overdue; by the close of 3 Apr two nights of penalty at 1,015.47 x 0.05 % = 0.51 are booked
(1.02), and 130302 holds 1,015.47. (Before
session 16 close of business took the capitalised installment 1 for unpaid as well: 2,015.47 in
130302 and 0.50 a night more penalty.)
"""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import Engine, select

from microlend.db.migrate import alembic_config
from microlend.db.uow import SessionFactory
from microlend.loans import service as loans
from microlend.loans.tables import LoanInstallment
from microlend.loans.tables_close import LoanCloseState
from microlend.loans.views import EventOutcome
from tests.integration.checker_support import approved
from tests.integration.loans_support import D, disbursed, set_business_date
from tests.integration.test_loan_close import close, gl, loan_row
from tests.integration.test_loans_changes import _reschedule
from tests.seed import World


def test_capitalised_installments_bear_no_penalty_and_stay_out_of_overdue(
    world: World, session_factory: SessionFactory
) -> None:
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 2, 28))
    done = approved(world, _reschedule(world, loan, term=12, capitalise_arrears=True))
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_principal == D("12185.67")
    assert gl(world, "130302", date(2025, 3, 1)) == 0
    close(session_factory, world, date(2025, 4, 3))
    row = loan_row(world, loan)
    assert (row.status, row.days_past_due) == ("overdue", 2)
    assert row.booked_overdue_principal_minor == 101547
    assert gl(world, "130302", date(2025, 4, 3)) == D("1015.47")
    assert row.booked_penalty_minor == row.outstanding_penalty_minor == 102
    assert row.overdue_minor == 101547 + 12186 + 102


def _settled(world: World, loan_id: int) -> dict[int, tuple[int, int, int, int]]:
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.scalars(
            select(LoanInstallment).where(
                LoanInstallment.loan_id == loan_id, LoanInstallment.waived_minor > 0
            )
        ).all()
        return {
            row.n: (
                row.principal_settled_minor,
                row.interest_settled_minor,
                row.fee_settled_minor,
                row.penalty_settled_minor,
            )
            for row in rows
        }


def test_the_migration_splits_what_installments_settled_whole(
    world: World, engine: Engine, db_url: str
) -> None:
    """Revision 0023 gives installments settled whole their settled amounts by component: the
    restructuring above capitalised installment 1 (1,000.00, 120.00, penalty 7.00) and the
    settlement installment of 1 Mar (58.67 of interest); and each installment the start of its
    interest period, the due date before it (here what the engine wrote too)."""
    loan = disbursed(world).id
    set_business_date(world, date(2025, 3, 1))
    approved(world, _reschedule(world, loan, term=12, capitalise_arrears=True))
    written = {1: (100000, 12000, 0, 700), 2: (0, 5867, 0, 0)}
    assert _settled(world, loan) == written
    starts = _accrual_starts(world, loan)  # each the due date before (the first: 15 Jan)
    assert starts[:4] == [date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 1), date(2025, 4, 1)]
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0022")
    command.upgrade(alembic_config(db_url), "head")
    assert _settled(world, loan) == written
    assert _accrual_starts(world, loan) == starts


def _accrual_starts(world: World, loan_id: int) -> list[date]:
    with world.make_uow(read_only=True) as uow:
        return list(
            uow.session.scalars(
                select(LoanInstallment.accrual_start)
                .where(LoanInstallment.loan_id == loan_id)
                .order_by(LoanInstallment.n)
            )
        )


def test_a_schedule_rebuilt_after_maturity_accrues_from_the_reschedule(
    world: World, session_factory: SessionFactory
) -> None:
    """3 months, 等额本金: 4,000.00 + 120.00, 80.00 and 40.00 of interest, due 15 Feb, 15 Mar
    and 15 Apr; nothing paid. On 1 May the restructuring capitalises 12,000.00, the 240.00 of
    interest and the penalty, 2.00 a night on each installment's 4,000.00: 75 nights (16 Feb to
    1 May) + 47 + 16 = 276.00; 12,516.00 over 3 months from 1 May, the first due 1 Jun with
    12,516.00 x 1 % = 125.16 of interest. Its period runs from 1 May: the close of 1 May books
    no interest, that of 2 May one day of thirty, 125.16 / 30 = 4.17. (Close of business took
    the period from the last due date, 15 Apr: 125.16 x 16/46 = 43.53 on 1 May.)"""
    loan = disbursed(world, term=3).id
    close(session_factory, world, date(2025, 4, 30))
    done = approved(world, _reschedule(world, loan, term=3, capitalise_arrears=True))
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_principal == D("12516.00")
    close(session_factory, world, date(2025, 5, 1))
    row = loan_row(world, loan)
    assert (row.booked_interest_minor, row.outstanding_interest_minor) == (0, 0)
    close(session_factory, world, date(2025, 5, 2))
    row = loan_row(world, loan)
    assert (row.booked_interest_minor, row.outstanding_interest_minor) == (417, 417)
    assert gl(world, "1132", date(2025, 5, 2)) == D("4.17")


def test_arrears_left_by_a_restructuring_at_a_new_rate_bear_penalty_at_that_rate(
    world: World, session_factory: SessionFactory
) -> None:
    """Installment 1 (1,000.00 + 120.00, due 15 Feb) is not paid; on 1 Mar a restructuring
    (arrears not capitalised) puts the loan at 24 % a year. The penalty is 1.5 x the rate in
    force: 14 nights (16 Feb to 1 Mar) at 12 %, 0.50 a night on 1,000.00 = 7.00; from 2 Mar
    at 24 %, 24 % x 1.5 / 360 = 0.1 % a day, 1.00 a night: 9.00 by the close of 3 Mar, as the
    engine prices it, 2.00 of it booked by the two closes. (Close of business priced the nights
    after a restructuring at the contract's rate: 0.50 a night, 8.00.)"""
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 2, 28))
    done = approved(world, _reschedule(world, loan, term=6, annual_rate="24"))
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_penalty == D("7.00")
    before = loan_row(world, loan)
    assert before.rate_in_force == D("24")
    close(session_factory, world, date(2025, 3, 3))
    row = loan_row(world, loan)
    assert row.outstanding_penalty_minor == 900
    assert row.booked_penalty_minor - before.booked_penalty_minor == 200
    with world.make_uow(read_only=True) as uow:
        here = loans.loan_position(
            uow, world.principal("finance"), loan_id=loan, as_of=date(2025, 3, 3)
        )
    assert here.overdue.penalty == D("9.00")


def test_the_migration_finds_the_rate_in_force_in_the_stored_book(
    world: World, session_factory: SessionFactory, engine: Engine, db_url: str
) -> None:
    """Revision 0024 gives a loan rescheduled to 24 % (above) that rate from its stored engine
    book and clears its close state's penalty rate: the next close prices it again, at 24 %,
    1.00 a night."""
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 2, 28))
    approved(world, _reschedule(world, loan, term=6, annual_rate="24"))
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0023")
    command.upgrade(alembic_config(db_url), "head")
    assert loan_row(world, loan).rate_in_force == D("24")
    with world.make_uow(read_only=True) as uow:
        state = uow.session.get(LoanCloseState, loan)
        assert state is not None and state.penalty_rate_den is None
    close(session_factory, world, date(2025, 3, 3))
    assert loan_row(world, loan).outstanding_penalty_minor == 900

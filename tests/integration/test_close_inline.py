"""Inline close of business (loans/close_inline.py): a command on a loan whose days the company
closed without it first closes them, in the command's transaction; the nightly run afterwards
posts nothing twice and reconciles. Figures worked out by hand:

Loans of 12,000.00 CNY, 等额本金, 12 months at 12 % a year (30/360, 1 % a month), dated
2025-01-15 (booked back-dated); installment 1 due 2025-02-15: principal 1,000.00 + interest
120.00; installment 2 due 2025-03-15 with interest 11,000 x 1 % = 110.00. Penalty 12 % x 1.5 /
360 = 0.05 % a day: 0.50 a night on 1,000.00.

* Loan K is closed every day from 10 Feb (the first close of business catches it up).
* Loan A is closed from 10 to 13 Feb, then left out of the closes of 14 to 20 Feb (its status is
  set aside while they run: a close of business that missed it). On 21 Feb a repayment of
  1,123.00 (1,000.00 + 120.00 + 6 nights of penalty 3.00, as the engine prices it) first closes
  14 to 20 Feb inline: interest 116.00 on 14 Feb (29/30 of 120.00), 120.00 on 15 Feb, then
  110.00 x 5/30 = 18.33 by 20 Feb: 138.33 booked; 1,000.00 moved to overdue from 16 Feb; penalty
  5 nights = 2.50. The repayment then collects them: penalty 2.50 booked + 0.50 income, interest
  120.00 booked, principal 1,000.00 from overdue.
* Loan L is booked on 21 Feb dated 15 Jan, into days the company closed: its repayment of
  1,123.00 the same day first closes 10 to 20 Feb for it (accrual 100.00 on 10 Feb = 25/30 of
  120.00, then as loan A: 138.33; overdue 1,000.00). Its penalty was priced by the engine when it
  was booked (to 21 Feb), so close of business charges none: the 3.00 is income.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, event, func, select, update

from microlend.accounting.tables import Voucher
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.loans import service as loans
from microlend.loans.account import locked_loan
from microlend.loans.close_inline import missed_dates
from microlend.loans.close_vouchers import post_day
from microlend.loans.tables import Loan, LoanPosting
from microlend.loans.tables_close import LoanAccrual
from microlend.loans.views import LoanView
from tests.integration.loans_support import contracted, set_business_date
from tests.integration.test_loan_close import clock, close, gl, loan_row, repay
from tests.seed import World

D = Decimal
DATED = date(2025, 1, 15)
FEB = [date(2025, 2, day) for day in range(1, 29)]


def booked_back(world: World, code: str, id_number: str, on: date) -> int:
    """A loan booked on ``on``, dated 15 Jan."""
    app_id = contracted(world, code=code, id_number=id_number)
    set_business_date(world, on)
    with world.make_uow() as uow:
        view = loans.disburse(
            uow, world.principal("finance"), application_id=app_id, disbursement_date=DATED,
            now=world.now,
        )  # fmt: skip
        uow.commit()
    assert isinstance(view, LoanView)
    return view.id


def set_status(world: World, loan_id: int, status: str) -> None:
    with world.make_uow() as uow:
        uow.session.execute(update(Loan).where(Loan.id == loan_id).values(status=status))
        uow.commit()


def accrual_rows(world: World, loan_id: int) -> list[tuple[date, int, int, int, str | None]]:
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(
                LoanAccrual.business_date,
                LoanAccrual.interest_minor,
                LoanAccrual.penalty_minor,
                LoanAccrual.overdue_principal_minor,
                LoanAccrual.voucher_key,
            )
            .where(LoanAccrual.loan_id == loan_id)
            .order_by(LoanAccrual.business_date)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def repayment_roles(world: World, loan_id: int) -> dict[str, str]:
    with world.make_uow(read_only=True) as uow:
        posting = uow.session.scalars(
            select(LoanPosting).where(
                LoanPosting.loan_id == loan_id, LoanPosting.kind == "repayment"
            )
        ).one()
        (roles,) = posting.vouchers.values()
    return dict(roles)


def set_up(world: World, session_factory: SessionFactory) -> tuple[int, int]:
    """Loans K and A closed to 13 Feb, K alone 14 to 20 Feb; the business date 21 Feb."""
    k = booked_back(world, "LK", "110105198001010032", FEB[9])
    a = booked_back(world, "LA", "110105198001010016", FEB[9])
    close(session_factory, world, FEB[12])
    set_status(world, a, "closed")  # left out of the next closes
    close(session_factory, world, FEB[19])
    set_status(world, a, "active")
    return k, a


def test_a_repayment_first_closes_the_days_its_loan_missed(
    world: World, session_factory: SessionFactory
) -> None:
    k, a = set_up(world, session_factory)
    assert loan_row(world, a).booked_interest_minor == 11200  # 28/30 of 120.00, to 13 Feb
    l_loan = booked_back(world, "LL", "110105198501010012", FEB[20])

    repay(world, a, "1123.00")  # business date 21 Feb
    rows = accrual_rows(world, a)
    missed = [row for row in rows if row[0] >= FEB[13]]
    assert [row[0] for row in missed] == FEB[13:20]  # 14 to 20 Feb, closed inline
    assert [row[4] for row in missed] == [f"close:loan:{a}:{d.isoformat()}" for d in FEB[13:20]]
    assert sum(row[1] for row in missed) == 13833 - 11200  # to 138.33
    assert sum(row[2] for row in missed) == 250  # 5 nights x 0.50
    assert sum(row[3] for row in missed) == 100000  # to overdue on 16 Feb
    assert repayment_roles(world, a) == {
        "penalty": "2.50",
        "penalty_income": "0.50",
        "interest": "120.00",
        "principal_overdue": "1000.00",
    }
    after = loan_row(world, a)
    assert after.booked_interest_minor == 1833  # installment 2: 110.00 x 5/30
    assert (after.booked_penalty_minor, after.booked_overdue_principal_minor) == (0, 0)

    repay(world, l_loan, "1123.00")
    rows = accrual_rows(world, l_loan)
    assert [row[0] for row in rows] == FEB[9:20]  # 10 to 20 Feb: the days the company closed
    assert rows[0][1] == 10000  # 25/30 of 120.00 on 10 Feb
    assert sum(row[1] for row in rows) == 13833
    assert sum(row[2] for row in rows) == 0  # the engine priced its penalty when booked
    assert sum(row[3] for row in rows) == 100000
    assert repayment_roles(world, l_loan) == {
        "penalty_income": "3.00",
        "interest": "120.00",
        "principal_overdue": "1000.00",
    }

    close(session_factory, world, FEB[20])  # the nightly run: reconciles (else it fails)
    with world.make_uow() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Voucher))
        for day in FEB[13:20]:  # the company's vouchers of those days again: replayed, not new
            post_day(uow, world.company_id, day, now=clock())
        uow.flush()
        assert uow.session.scalar(select(func.count()).select_from(Voucher)) == before
        per_day = uow.session.execute(
            select(LoanAccrual.loan_id, LoanAccrual.business_date, func.count())
            .group_by(LoanAccrual.loan_id, LoanAccrual.business_date)
            .having(func.count() > 1)
        ).all()
    assert per_day == []
    booked = [loan_row(world, loan_id) for loan_id in (k, a, l_loan)]
    for code, column in (
        ("1132", "booked_interest_minor"),
        ("122102", "booked_penalty_minor"),
        ("130302", "booked_overdue_principal_minor"),
    ):
        assert gl(world, code, FEB[20]) == D(sum(getattr(x, column) for x in booked)) / 100, code


def test_the_inline_close_brings_the_loan_to_yesterday(
    world: World, session_factory: SessionFactory
) -> None:
    _k, a = set_up(world, session_factory)
    with UnitOfWork(session_factory) as uow:
        loan = locked_loan(uow, world.principal("finance"), a, now=world.now)
        assert (loan.days_past_due, loan.status) == (5, "overdue")  # 20 Feb - 15 Feb
        assert loan.booked_interest_minor == 13833
        assert loan.booked_penalty_minor == 250
        assert loan.booked_overdue_principal_minor == 100000
        assert missed_dates(uow, loan) == []  # nothing left
        uow.rollback()
    assert loan_row(world, a).booked_interest_minor == 11200  # all of it in the transaction


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements run on ``engine`` inside the block."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_days_nobody_closed_are_not_missed_and_the_check_is_cheap(
    world: World, session_factory: SessionFactory, engine: Engine
) -> None:
    a = booked_back(world, "LA", "110105198001010016", FEB[9])  # no close of business yet
    with UnitOfWork(session_factory) as uow:
        loan = locked_loan(uow, world.principal("finance"), a, now=world.now)
        with counted(engine) as statements:
            assert missed_dates(uow, loan) == []
        assert len(statements) == 2  # and whether the company closed any day since 15 Jan
    repay(world, a, "100.00")
    assert accrual_rows(world, a) == []  # the business date was set, not closed

    close(session_factory, world, FEB[9])
    with UnitOfWork(session_factory) as uow:
        loan = locked_loan(uow, world.principal("finance"), a, now=world.now)
        with counted(engine) as statements:
            assert missed_dates(uow, loan) == []  # closed through yesterday
        assert len(statements) == 1


def test_a_back_dated_repayment_takes_back_the_penalty_no_longer_owed(
    world: World, session_factory: SessionFactory
) -> None:
    """Loan A closed to 20 Feb carries 5 nights of penalty (2.50) on installment 1, due 15 Feb.
    On 21 Feb the bank reports 1,120.00 paid on 15 Feb: paid on its due date, installment 1 owes
    no penalty, so the 2.50 booked to 122102 is owed by nobody and must go back out of income."""
    a = booked_back(world, "LA", "110105198001010016", FEB[9])
    close(session_factory, world, FEB[19])
    assert loan_row(world, a).booked_penalty_minor == 250
    with world.make_uow() as uow:
        loans.repay(
            uow, world.principal("finance"), loan_id=a, amount="1120.00", value_date=FEB[14],
            now=world.now,
        )  # fmt: skip
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        position = loans.loan_position(uow, world.principal("finance"), loan_id=a)
    assert position.penalty_charged == 0
    assert loan_row(world, a).booked_penalty_minor == 0
    assert gl(world, "122102", FEB[20]) == 0

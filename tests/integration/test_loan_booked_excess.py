"""Receivables booked by close of business that a back-dated event made no longer owed go back
out of income (account_store.take_back_booked). Figures by hand (the loans of
test_close_inline: 12,000.00, 等额本金, 12 months, 1 % a month, dated 15 Jan 2025):

Closed to 20 Feb, the loan has booked interest 120.00 (installment 1, due 15 Feb) + 110.00 x
5/30 = 18.33 of installment 2's period: 138.33. On 21 Feb the bank reports a prepayment of
6,120.00 made on 15 Feb: installment 1 (1,000.00 + 120.00) and 5,000.00 of principal, leaving
6,000.00. The period 15 Feb - 15 Mar now earns 6,000.00 x 1 % = 60.00, accrued by 21 Feb 60.00
x 6/30 = 12.00: of the 18.33 still booked, 6.33 is owed by nobody and goes back out of 6011.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from microlend.accounting.tables import Voucher
from microlend.db.uow import SessionFactory
from microlend.loans import service as loans
from tests.integration.test_close_inline import FEB, booked_back
from tests.integration.test_loan_close import close, gl, loan_row
from tests.seed import World


def prepay_on_15_feb(world: World, loan_id: int) -> None:
    """The bank's report of 21 Feb: 6,120.00 paid on 15 Feb as a prepayment."""
    with world.make_uow() as uow:
        loans.prepay(
            uow, world.principal("finance"), loan_id=loan_id, amount="6120.00",
            value_date=FEB[14], fee="0", now=world.now,
        )  # fmt: skip
        uow.commit()


def test_a_back_dated_prepayment_takes_back_interest_no_longer_accrued(
    world: World, session_factory: SessionFactory
) -> None:
    a = booked_back(world, "LP", "110105198001010016", FEB[9])
    close(session_factory, world, FEB[19])
    before = loan_row(world, a)
    assert before.booked_interest_minor == 13833
    prepay_on_15_feb(world, a)
    after = loan_row(world, a)
    assert after.outstanding_principal_minor == 600000
    assert after.outstanding_interest_minor == 1200
    assert after.booked_interest_minor == 1200
    assert after.booked_penalty_minor == 0
    assert gl(world, "1132", FEB[20]) == Decimal("12.00")
    assert gl(world, "122102", FEB[20]) == 0
    with world.make_uow(read_only=True) as uow:
        summaries = uow.session.scalars(
            select(Voucher.summary).where(Voucher.summary.like(f"{after.number} 冲回%"))
        ).all()
    assert len(summaries) == 1


def test_accrual_follows_the_lowered_schedule_after_a_back_dated_prepayment(
    world: World, session_factory: SessionFactory
) -> None:
    """After the prepayment above, the close state's running total of interest earned still
    holds the old 138.33. The close of 21 Feb earns 120.00 + 12.00 = 132.00, a day's delta of
    -6.33 that books nothing (the give-back already took 6.33 out); from then on each day books
    the lowered period's 2.00 (60.00 / 30): 14.00 by 22 Feb, 58.00 by 14 Mar (29 days of the
    30/360 period), and on 15 Mar installment 2 falls due with exactly its 60.00."""
    a = booked_back(world, "LQ", "110105198001010024", FEB[9])
    close(session_factory, world, FEB[19])
    prepay_on_15_feb(world, a)
    expected = [
        (FEB[20], 1200),
        (FEB[21], 1400),
        (date(2025, 3, 14), 5800),
        (date(2025, 3, 15), 6000),
    ]
    for day, booked in expected:
        close(session_factory, world, day)
        row = loan_row(world, a)
        assert (day, row.booked_interest_minor) == (day, booked)
        assert (day, gl(world, "1132", day)) == (day, Decimal(booked) / 100)
    assert loan_row(world, a).outstanding_interest_minor == 6000

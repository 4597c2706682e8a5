"""Interest kept off balance (表外应收利息, memo 7001/7002): a loan past 90 days takes its booked
interest out of income into the memorandum, which collecting, waiving or recovering it empties
again; the loans' rows reconcile with 7001.

The loan (tests/integration/loans_support: 12,000.00 CNY, 等额本金, 12 months at 12 % a year,
30/360, disbursed 2025-01-15) is never paid. Installment 1 falls due on 15 Feb, so the loan is
90 days past due on 16 May and past 90 (非应计) from 17 May. Installments 1-4 (interest 120.00,
110.00, 100.00, 90.00: 420.00) were accrued to income by their due dates, and installment 5's
period (15 May - 15 Jun, 8,000.00 x 1 % = 80.00) 80.00 x 1/30 = 2.67 on 16 May: 1132 = 422.67
after the close of 16 May. The close of 17 May takes those 422.67 back out of income (Dr 6011 /
Cr 1132) into the memorandum (Dr 7001 / Cr 7002), and from then on the period's interest accrues
off balance: the other 77.33 by 15 Jun. After the close of 15 Jun: 1132 = 0, 7001 = 500.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import Engine, select

from microlend.accounting.tables import LedgerAccount, Voucher, VoucherLine
from microlend.db.migrate import alembic_config
from microlend.db.uow import SessionFactory
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.integration.checker_support import approved, written_off
from tests.integration.loans_support import D, disbursed, reversed_event
from tests.integration.test_loan_close import close, gl, loan_row
from tests.seed import World

FIN = "finance"
JUNE_15 = date(2025, 6, 15)
JUNE_16 = date(2025, 6, 16)


@pytest.fixture
def unpaid(world: World, session_factory: SessionFactory) -> int:
    """The loan, closed through 15 Jun without a payment."""
    loan = disbursed(world).id
    may_16 = date(2025, 5, 16)
    close(session_factory, world, may_16)
    assert (gl(world, "1132", may_16), gl(world, "7001", may_16)) == (D("422.67"), 0)
    close(session_factory, world, JUNE_15)
    row = loan_row(world, loan)
    assert (row.booked_interest_minor, row.off_balance_interest_minor) == (0, 50000)
    assert (gl(world, "1132", JUNE_15), gl(world, "7001", JUNE_15)) == (0, D("500.00"))
    return loan


def _voucher_roles(world: World, key_prefix: str) -> dict[str, Decimal]:
    """Debit-positive amounts per account code of the vouchers whose key starts so."""
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(LedgerAccount.code, VoucherLine.side, VoucherLine.amount_minor)
            .select_from(VoucherLine)
            .join(Voucher, VoucherLine.voucher_id == Voucher.id)
            .join(LedgerAccount, LedgerAccount.id == VoucherLine.account_id)
            .where(Voucher.idempotency_key.startswith(key_prefix))
        ).all()
    out: dict[str, Decimal] = {}
    for code, side, amount in rows:
        out[code] = out.get(code, D(0)) + D(amount if side == "D" else -amount) / 100
    return out


def test_collecting_the_interest_takes_it_off_memo_and_a_reversal_puts_it_back(
    world: World, session_factory: SessionFactory, unpaid: int
) -> None:
    """20,000.00 on 16 Jun pays everything owed, the interest of installments 1-5 (500.00) among
    it: none of it is booked, so all of it is income (Cr 6011 500.00) and its memorandum comes
    out (Dr 7002 500.00 / Cr 7001 500.00)."""
    with world.make_uow() as uow:
        done = loans.repay(
            uow, world.principal(FIN), loan_id=unpaid, amount="20000.00", now=world.now
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    voucher = _voucher_roles(world, f"loan:{unpaid}:e")
    assert ("1132" in voucher, voucher["6011"]) == (False, D("-500.00"))
    assert (voucher["7001"], voucher["7002"]) == (D("-500.00"), D("500.00"))
    assert loan_row(world, unpaid).off_balance_interest_minor == 0
    assert gl(world, "7001", JUNE_16) == 0

    reversed_event(world, unpaid, done.event.id)
    assert loan_row(world, unpaid).off_balance_interest_minor == 50000
    assert gl(world, "7001", JUNE_16) == D("500.00")
    close(session_factory, world, JUNE_16)  # reconciliation (1132, 7001...) holds


def test_waiving_interest_kept_off_balance_takes_it_off_memo(
    world: World, session_factory: SessionFactory, unpaid: int
) -> None:
    """Waiving 450.00 of the 500.00 interest due on 16 Jun: none of it is booked (nothing to take
    out of income), so only its memorandum comes out (Dr 7002 / Cr 7001 450.00); 50.00 stays
    off balance."""
    with world.make_uow() as uow:
        request = loans.waive(
            uow,
            world.principal(FIN),
            loan_id=unpaid,
            component="interest",
            amount="450.00",
            reason="困难减免",
            now=world.now,
        )
        uow.commit()
    approved(world, request)
    voucher = _voucher_roles(world, f"loan:{unpaid}:e")
    assert voucher == {"7002": D("450.00"), "7001": D("-450.00")}
    assert loan_row(world, unpaid).off_balance_interest_minor == 5000
    assert gl(world, "7001", JUNE_16) == D("50.00")
    close(session_factory, world, JUNE_16)


def test_write_off_moves_the_booked_interest_off_balance_and_recoveries_take_it_out(
    world: World, session_factory: SessionFactory, unpaid: int
) -> None:
    """Written off on 16 Jun: no interest is booked any more (it went off balance on 17 May), so
    the memorandum keeps its 500.00. Recovered 12,100.00: principal 12,000.00 and interest 100.00
    (7001 = 400.00); then 1,000.00, all interest, of which 400.00 empties the memorandum."""
    provided = gl(world, "1304", JUNE_15)
    assert provided < 0  # close of business had provided for the loan
    written_off(world, unpaid)
    # the allowance is used up and the rest of the 12,000.00 provided at once: 1304 is empty
    assert gl(world, "1304", JUNE_16) == 0
    assert gl(world, "6702", JUNE_16) == D("12000.00")
    assert loan_row(world, unpaid).off_balance_interest_minor == 50000
    assert gl(world, "7001", JUNE_16) == D("500.00")

    recoveries = []
    for amount, memo_left in (("12100.00", "400.00"), ("1000.00", "0.00")):
        with world.make_uow() as uow:
            done = loans.recover(
                uow, world.principal(FIN), loan_id=unpaid, amount=amount, now=world.now
            )
            uow.commit()
        assert isinstance(done, EventOutcome)
        recoveries.append(done)
        assert loan_row(world, unpaid).off_balance_interest_minor == int(D(memo_left) * 100)
        assert gl(world, "7001", JUNE_16) == D(memo_left)
        assert gl(world, "7002", JUNE_16) == -D(memo_left)
    # the principal recovered came back to 1304 and was released from it (Dr 1304 / Cr 6702)
    assert (gl(world, "1304", JUNE_16), gl(world, "6702", JUNE_16)) == (0, 0)
    # 6011: accrued 422.67, taken back on 17 May, then the recovered interest
    assert gl(world, "6011", JUNE_16) == D("-422.67") + D("422.67") - D("1100.00")
    # the 1,000.00 came back from the bank: reversed, its interest is owed off balance again
    reversed_event(world, unpaid, recoveries[1].event.id)
    assert loan_row(world, unpaid).off_balance_interest_minor == 40000
    assert (gl(world, "7001", JUNE_16), gl(world, "6011", JUNE_16)) == (D("400.00"), D("-100.00"))
    close(session_factory, world, JUNE_16)
    # the company's only loan is gone from its exposures: close of business releases the
    # allowance it still held (the write-off and the recovery of all its principal net out)
    assert (gl(world, "1304", JUNE_16), gl(world, "6702", JUNE_16)) == (0, 0)


def test_the_migration_gives_existing_loans_what_the_memorandum_carries(
    world: World, session_factory: SessionFactory, engine: Engine, db_url: str
) -> None:
    """Revision 0021 adds up, per loan, the interest close of business kept off balance and the
    booked interest a write-off moved there. Loan A stays unpaid through 15 Jun (500.00 off
    balance from the close of business, as above). Loan B, the same, is written off on 17 May,
    before that day's close: its booked 422.67 goes off balance with the write-off."""
    a = disbursed(world).id
    b = disbursed(world, code="LB", id_number="110105198001010032").id
    close(session_factory, world, date(2025, 5, 16))
    written_off(world, b)
    close(session_factory, world, JUNE_15)
    memo = {loan: loan_row(world, loan).off_balance_interest_minor for loan in (a, b)}
    assert memo == {a: 50000, b: 42267}
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0020")
    command.upgrade(alembic_config(db_url), "head")
    assert {loan: loan_row(world, loan).off_balance_interest_minor for loan in (a, b)} == memo

"""Interest kept off balance (表外应收利息, memo 7001/7002) comes out of the memorandum when it is
collected, waived or recovered, and the loans' rows reconcile with 7001.

The loan (tests/integration/loans_support: 12,000.00 CNY, 等额本金, 12 months at 12 % a year,
30/360, disbursed 2025-01-15) is never paid. Installment 1 falls due on 15 Feb, so the loan is
90 days past due on 16 May and past 90 (非应计) from 17 May. Installments 1-4 (interest 120.00,
110.00, 100.00, 90.00: 420.00) were accrued to income by their due dates. Installment 5's period
(15 May - 15 Jun, 8,000.00 x 1 % = 80.00) accrues 80.00 x 1/30 = 2.67 to income on 16 May and the
rest, 77.33, off balance from 17 May to 15 Jun. So after the close of 15 Jun the books carry
interest receivable 1132 = 422.67 and off balance 7001 = 77.33.
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
from tests.integration.checker_support import approved
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
    close(session_factory, world, JUNE_15)
    assert loan_row(world, loan).off_balance_interest_minor == 7733
    assert (gl(world, "1132", JUNE_15), gl(world, "7001", JUNE_15)) == (D("422.67"), D("77.33"))
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
    """20,000.00 on 16 Jun pays everything owed (interest 420.00 + 80.00 of installments 1-5 among
    it): 422.67 of the interest collects the receivable and 77.33 is income whose memorandum
    comes out (Dr 7002 77.33 / Cr 7001 77.33)."""
    with world.make_uow() as uow:
        done = loans.repay(
            uow, world.principal(FIN), loan_id=unpaid, amount="20000.00", now=world.now
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    voucher = _voucher_roles(world, f"loan:{unpaid}:e")
    assert (voucher["1132"], voucher["6011"]) == (D("-422.67"), D("-77.33"))
    assert (voucher["7001"], voucher["7002"]) == (D("-77.33"), D("77.33"))
    assert loan_row(world, unpaid).off_balance_interest_minor == 0
    assert gl(world, "7001", JUNE_16) == 0

    reversed_event(world, unpaid, done.event.id)
    assert loan_row(world, unpaid).off_balance_interest_minor == 7733
    assert gl(world, "7001", JUNE_16) == D("77.33")
    close(session_factory, world, JUNE_16)  # reconciliation (1132, 7001...) holds


def test_waiving_interest_kept_off_balance_takes_it_off_memo(
    world: World, session_factory: SessionFactory, unpaid: int
) -> None:
    """Waiving 450.00 of the 500.00 interest due on 16 Jun (installments 1-5, oldest first): the
    booked 422.67 comes out of income (Dr 6011 / Cr 1132) and the other 27.33 was never income,
    so only its memorandum comes out (Dr 7002 / Cr 7001); 50.00 stays off balance."""
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
    assert (voucher["6011"], voucher["1132"]) == (D("422.67"), D("-422.67"))
    assert (voucher["7002"], voucher["7001"]) == (D("27.33"), D("-27.33"))
    assert loan_row(world, unpaid).off_balance_interest_minor == 5000
    assert gl(world, "7001", JUNE_16) == D("50.00")
    close(session_factory, world, JUNE_16)


def test_write_off_moves_the_booked_interest_off_balance_and_recoveries_take_it_out(
    world: World, session_factory: SessionFactory, unpaid: int
) -> None:
    """Written off on 16 Jun: the booked 422.67 joins the 77.33 off balance (7001 = 500.00).
    Recovered 12,100.00: principal 12,000.00 and interest 100.00 (7001 = 400.00); then 1,000.00,
    all interest, of which 400.00 empties the memorandum (7001 = 0)."""
    assert gl(world, "1304", JUNE_15) < 0  # close of business had provided for the loan
    with world.make_uow() as uow:
        request = loans.write_off(
            uow, world.principal("manager_a"), loan_id=unpaid, reason="失联", now=world.now
        )
        uow.commit()
    approved(world, request)
    assert loan_row(world, unpaid).off_balance_interest_minor == 50000
    assert gl(world, "7001", JUNE_16) == D("500.00")

    for amount, memo_left in (("12100.00", "400.00"), ("1000.00", "0.00")):
        with world.make_uow() as uow:
            loans.recover(uow, world.principal(FIN), loan_id=unpaid, amount=amount, now=world.now)
            uow.commit()
        assert loan_row(world, unpaid).off_balance_interest_minor == int(D(memo_left) * 100)
        assert gl(world, "7001", JUNE_16) == D(memo_left)
        assert gl(world, "7002", JUNE_16) == -D(memo_left)
    assert gl(world, "6011", JUNE_16) == D("-422.67") + D("422.67") - D("1100.00")
    close(session_factory, world, JUNE_16)
    # the company's only loan is gone from its exposures: close of business releases the
    # allowance it still held (the write-off and the recovery of all its principal net out)
    assert (gl(world, "1304", JUNE_16), gl(world, "6702", JUNE_16)) == (0, 0)


def test_the_migration_gives_existing_loans_what_the_memorandum_carries(
    world: World, unpaid: int, engine: Engine, db_url: str
) -> None:
    """Revision 0021 adds up, per loan, the interest close of business kept off balance
    (77.33) and the booked interest its write-off moved there (422.67)."""
    with world.make_uow() as uow:
        request = loans.write_off(
            uow, world.principal("manager_a"), loan_id=unpaid, reason="失联", now=world.now
        )
        uow.commit()
    approved(world, request)
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0020")
    command.upgrade(alembic_config(db_url), "head")
    assert loan_row(world, unpaid).off_balance_interest_minor == 50000

"""Partial prepayments both ways and a restructuring with capitalised arrears (the loan of
tests/integration/test_loans.py: 12,000.00, equal principal, 12 x 1 % a month, from 2025-01-15).
"""

from __future__ import annotations

from datetime import date

from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import D, disbursed, set_business_date
from tests.integration.test_loans import _balances, _gl_loans
from tests.seed import World


def _prepay(world: World, loan_id: int, amount: str, mode: str) -> EventOutcome:
    with world.make_uow() as uow:
        done = loans.prepay(
            uow,
            world.principal("finance"),
            loan_id=loan_id,
            amount=amount,
            mode=mode,
            now=world.now,
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    return done


def test_partial_prepayment_shortens_the_term_or_lowers_the_installment(world: World) -> None:
    short = disbursed(world, code="S1")
    lower = disbursed(world, code="S2", id_number="110105198501010012")
    set_business_date(world, date(2025, 2, 15))
    # on the first due date: 120 interest of the period, then 6,120 - 120 = 6,000 principal
    # (the installment's own 1,000 first, then 5,000 prepaid)
    a = _prepay(world, short.id, "6120.00", "shorten_term")
    b = _prepay(world, lower.id, "6120.00", "lower_installment")
    assert a.loan.outstanding_principal == b.loan.outstanding_principal == D("6000.00")
    with world.make_uow(read_only=True) as uow:
        rows_a = loans.installments(uow, world.principal("finance"), loan_id=short.id)
        rows_b = loans.installments(uow, world.principal("finance"), loan_id=lower.id)
    open_a = [r for r in rows_a if r.status == "future"]
    open_b = [r for r in rows_b if r.status == "future"]
    assert len(open_a) < len(open_b)  # fewer installments when the term is shortened
    assert open_b[0].principal_due < D("1000.00")  # smaller ones when it is not
    assert _balances(world, short.id)["130301"] == 600000
    assert _gl_loans(world, date(2025, 2, 15)) == D("12000.00")


def test_restructuring_capitalises_arrears_and_flags_the_loan(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))  # installment 1 (1,120) 14 days overdue
    with world.make_uow() as uow:
        done = loans.reschedule(
            uow,
            world.principal("manager"),
            loan_id=loan.id,
            term=18,
            capitalise_arrears=True,
            reason="经营困难",
            now=world.now,
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    assert done.loan.restructured and done.loan.status == "rescheduled"
    assert done.loan.days_past_due == 0
    # the new principal holds the old 12,000 plus the capitalised interest and penalty
    assert done.loan.outstanding_principal > D("12120.00")
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal("finance"), loan_id=loan.id)
    assert len([r for r in rows if r.status == "future"]) == 18
    # the ledger's loans account carries the capitalised amounts too (sub-ledger = GL)
    assert _gl_loans(world, date(2025, 3, 1)) == done.loan.outstanding_principal


def test_upfront_fee_deducted_at_disbursement(world: World) -> None:
    from microlend.products.model import ProductFee

    # 1 % service fee on 12,000.00 = 120.00: the borrower receives 11,880.00
    loan = disbursed(world, fees=(ProductFee("服务费", "upfront", percent=D("1")),))
    assert loan.upfront_fee == D("120.00")
    # Dr 130301 12,000 / Cr 1002 12,000; Dr 1002 120 / Cr 6021 120
    assert _balances(world, loan.id) == {"130301": 1200000, "1002": -1188000, "6021": -12000}


def test_a_waiver_waits_for_a_checker_when_the_company_asks(world: World) -> None:
    from microlend.db.commands import Pending
    from microlend.db.makerchecker import approve_pending, configure_maker_checker

    loan = disbursed(world)
    with world.make_uow() as uow:
        configure_maker_checker(
            uow, world.principal("admin"), command_name="loans.waive", enabled=True, now=world.now
        )
        uow.commit()
    set_business_date(world, date(2025, 3, 1))
    with world.make_uow() as uow:
        pending = loans.waive(
            uow,
            world.principal("finance"),
            loan_id=loan.id,
            component="interest",
            amount="20.00",
            reason="困难",
            now=world.now,
        )
        uow.commit()
    assert isinstance(pending, Pending)
    with world.make_uow(read_only=True) as uow:
        assert len(loans.events(uow, world.principal("finance"), loan_id=loan.id)) == 1
    with world.make_uow() as uow:
        approve_pending(
            uow, world.principal("manager"), pending_id=pending.pending_id, now=world.now
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        kinds = [e.kind for e in loans.events(uow, world.principal("finance"), loan_id=loan.id)]
        after = loans.get_loan(uow, world.principal("finance"), loan_id=loan.id)
    assert kinds == ["disbursement", "waiver"]
    # interest owed on installment 1 was 120.00; 20.00 waived leaves 100.00 (+ accrued since)
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal("finance"), loan_id=loan.id)
    assert rows[0].waived == D("20.00") and after.outstanding_interest >= D("100.00")

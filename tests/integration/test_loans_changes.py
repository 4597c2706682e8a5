"""Partial prepayments both ways, a restructuring with capitalised arrears, and the approval a
waiver, a reschedule and a write-off wait for by default (the loan of
tests/integration/test_loans.py: 12,000.00, equal principal, 12 x 1 % a month, from 2025-01-15).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from microlend.accounting.tables import Voucher, VoucherLine
from microlend.db.commands import Pending
from microlend.db.makerchecker import approve_pending, configure_maker_checker
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden, RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans import tables
from microlend.loans.adjustments import pending_requests
from microlend.loans.views import EventOutcome
from tests.integration.checker_support import approved, rejected
from tests.integration.loans_support import D, disbursed, repaid, set_business_date
from tests.integration.test_loans import _balances, _gl_loans
from tests.seed import World

CHECKED = ("loans.waive", "loans.reschedule", "loans.writeoff")


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
    request = _reschedule(world, loan.id, term=18, capitalise_arrears=True)
    assert isinstance(request, Pending)  # a reschedule waits for a checker by default
    assert _kinds(world, loan.id) == ["disbursement"]
    done = approved(world, request)
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


def _reschedule(world: World, loan_id: int, **terms: Any) -> EventOutcome | Pending:
    """A restructuring asked for by the branch manager (it waits for a checker by default)."""
    with world.make_uow() as uow:
        request = loans.reschedule(
            uow, world.principal("manager_a"), loan_id=loan_id, reason="经营困难", now=world.now,
            **terms,
        )  # fmt: skip
        uow.commit()
    return request


def _kinds(world: World, loan_id: int) -> list[str]:
    with world.make_uow(read_only=True) as uow:
        return [e.kind for e in loans.events(uow, world.principal("finance"), loan_id=loan_id)]


def _waive(
    world: World, loan_id: int, maker: str = "finance", component: str = "interest"
) -> EventOutcome | Pending:
    with world.make_uow() as uow:
        outcome = loans.waive(
            uow,
            world.principal(maker),
            loan_id=loan_id,
            component=component,
            amount="20.00",
            reason="困难",
            now=world.now,
        )
        uow.commit()
    return outcome


def _switch(world: World, command: str, *, enabled: bool) -> None:
    with world.make_uow() as uow:
        configure_maker_checker(
            uow, world.principal("admin"), command_name=command, enabled=enabled, now=world.now
        )
        uow.commit()


def test_a_waiver_waits_for_a_checker_by_default(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    pending = _waive(world, loan.id)
    assert isinstance(pending, Pending)
    assert pending.summary == f"waive 20.00 interest on loan {loan.id}"
    assert _kinds(world, loan.id) == ["disbursement"]
    with world.make_uow(read_only=True) as uow:
        [listed] = pending_requests(uow, world.principal("collector"), loan_id=loan.id)
    assert (listed.id, listed.maker_username, listed.can_decide) == (
        pending.pending_id,
        "finance",
        False,  # the collector may see the loan, not approve
    )
    # the maker never approves their own request; the approver role lacks loans.waive
    for checker, code in (("finance", "own_command"), ("approver", "permission_denied")):
        with world.make_uow() as uow, pytest.raises(Forbidden) as refused:
            approve_pending(
                uow, world.principal(checker), pending_id=pending.pending_id, now=world.now
            )
        assert refused.value.code == code
    assert _kinds(world, loan.id) == ["disbursement"]
    approved(world, pending, "manager")
    assert _kinds(world, loan.id) == ["disbursement", "waiver"]
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal("finance"), loan_id=loan.id)
        after = loans.get_loan(uow, world.principal("finance"), loan_id=loan.id)
        left = pending_requests(uow, world.principal("manager"), loan_id=loan.id)
    # interest owed on installment 1 was 120.00; 20.00 waived leaves 100.00 (+ accrued since)
    assert rows[0].waived == D("20.00") and after.outstanding_interest >= D("100.00")
    assert left == []


def test_a_rejected_waiver_never_posts(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    rejected(world, _waive(world, loan.id), "证据不足")
    assert _kinds(world, loan.id) == ["disbursement"]
    with world.make_uow(read_only=True) as uow:
        assert pending_requests(uow, world.principal("finance"), loan_id=loan.id) == []


def test_once_an_administrator_switches_it_off_a_waiver_posts_at_once(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    _switch(world, "loans.waive", enabled=False)
    done = _waive(world, loan.id)
    assert isinstance(done, EventOutcome) and done.event.kind == "waiver"
    _switch(world, "loans.waive", enabled=True)
    assert isinstance(_waive(world, loan.id), Pending)


def test_a_write_off_waits_for_a_second_manager_and_a_recovery_does_not(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 6, 1))
    with world.make_uow() as uow:
        request = loans.write_off(
            uow, world.principal("manager_a"), loan_id=loan.id, reason="失联", now=world.now
        )
        uow.commit()
    assert isinstance(request, Pending)
    with world.make_uow() as uow, pytest.raises(Forbidden):
        approve_pending(
            uow, world.principal("manager_a"), pending_id=request.pending_id, now=world.now
        )
    with world.make_uow(read_only=True) as uow:
        still = loans.get_loan(uow, world.principal("finance"), loan_id=loan.id)
    assert still.status != "written_off" and still.written_off == 0
    off = approved(world, request, "manager")
    assert isinstance(off, EventOutcome) and off.loan.status == "written_off"
    assert off.loan.written_off == D("12000.00")
    # a recovery books cash that has arrived: it posts at once (money in, like a repayment)
    with world.make_uow() as uow:
        back = loans.recover(
            uow, world.principal("finance"), loan_id=loan.id, amount="300.00", now=world.now
        )
        uow.commit()
    assert isinstance(back, EventOutcome) and back.loan.recovered == D("300.00")


def test_a_loan_holding_a_credit_balance_is_not_written_off_until_it_is_refunded(
    world: World,
) -> None:
    """1,500.00 on 15 Feb pays installment 1 (1,000.00 + 120.00) and leaves 380.00 of credit
    (溢缴款, the borrower's money in 224101): a write-off then would leave it there with no way
    to refund it, so the request is refused at once; refunded, the loan may be written off."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    assert repaid(world, loan.id, "1500.00").loan.credit_balance == D("380.00")

    def write_off() -> object:
        with world.make_uow() as uow:
            request = loans.write_off(
                uow, world.principal("manager_a"), loan_id=loan.id, reason="失联", now=world.now
            )
            uow.commit()
        return request

    with pytest.raises(RuleViolation) as held:
        write_off()
    assert held.value.code == "credit_balance_held" and "380.00" in str(held.value)
    with world.make_uow(read_only=True) as uow:
        assert pending_requests(uow, world.principal("manager"), loan_id=loan.id) == []
    with world.make_uow() as uow:
        loans.refund(
            uow, world.principal("finance"), loan_id=loan.id, amount="380.00", now=world.now
        )
        uow.commit()
    off = approved(world, write_off(), "manager")
    assert isinstance(off, EventOutcome) and off.loan.written_off == D("11000.00")


def test_a_bad_request_is_refused_at_once_not_when_a_checker_approves(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    with pytest.raises(ValidationFailed) as caught:
        _waive(world, loan.id, component="principal")
    assert caught.value.field == "component"
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        loans.reschedule(
            uow,
            world.principal("manager_a"),
            loan_id=loan.id,
            term=6,
            grace_principal_periods=6,
            now=world.now,
        )
    assert caught.value.field == "grace_principal_periods"
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        loans.reschedule(  # a restructuring says why
            uow, world.principal("manager_a"), loan_id=loan.id, term=6, reason=" ", now=world.now
        )
    assert caught.value.field == "reason"
    with pytest.raises(RuleViolation) as priced:  # the product lends at 6 % to 24 %
        _reschedule(world, loan.id, term=12, annual_rate="24.01")
    assert (priced.value.code, priced.value.field) == ("rate_above_product", "annual_rate")
    with pytest.raises(ValidationFailed) as later:  # dated after the business date
        _reschedule(world, loan.id, term=12, value_date=date(2025, 3, 2))
    assert later.value.field == "value_date"
    with world.make_uow(read_only=True) as uow:
        assert pending_requests(uow, world.principal("manager"), loan_id=loan.id) == []
        refusals = uow.session.scalars(
            select(AuditRecord.outcome).where(AuditRecord.command.in_(CHECKED))
        ).all()
    assert refusals == ["failed"] * 5


def test_a_restructuring_may_lower_the_rate_below_the_products_lowest(world: World) -> None:
    loan = disbursed(world)  # 12 % under a product of 6 % to 24 %
    set_business_date(world, date(2025, 3, 1))
    done = approved(world, _reschedule(world, loan.id, term=12, annual_rate="3"))
    assert isinstance(done, EventOutcome) and done.loan.restructured
    with world.make_uow(read_only=True) as uow:
        stored = uow.session.get(tables.Loan, loan.id)
        assert stored is not None and stored.rate_in_force == D("3")


def test_a_payment_dated_before_a_restructuring_replays_it(world: World) -> None:
    # tests/cases/loan_backdated_payment_before_reschedule.json through the service and the
    # ledger: the figures are that file's, worked by hand
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    request = _reschedule(
        world,
        loan.id,
        term=12,
        annual_rate="10",
        first_due_date=date(2025, 4, 1),
        capitalise_arrears=True,
    )
    done = approved(world, request)
    assert done.loan.outstanding_principal == D("12185.67")
    assert _gl_loans(world, date(2025, 3, 1)) == D("12185.67")
    # Dr loans 1,185.67 / Cr interest income 120.00 + 58.67, penalty income 7.00, principal
    # 1,000.00 (on top of the disbursement's Dr loans 12,000.00 / Cr bank)
    capitalised = {"130301": 1218567, "1002": -1200000, "6011": -17867, "6051": -700}
    assert _balances(world, loan.id) == capitalised
    paid = repaid(world, loan.id, "1122.50", date(2025, 2, 20))
    assert paid.loan.outstanding_principal == D("11058.67")
    assert _gl_loans(world, date(2025, 3, 1)) == D("11058.67")
    # the payment took installment 1 (penalty 2.50): the restructuring's voucher is reversed
    # and posted again capitalising only period 2's 58.67
    assert _balances(world, loan.id) == {
        "130301": 1105867,
        "1002": -1200000 + 112250,
        "6011": -17867,
        "6051": -250,
    }
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal("finance"), loan_id=loan.id)
        reversals = uow.session.scalars(
            select(Voucher.id)
            .join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
            .where(VoucherLine.loan_id == loan.id, Voucher.reverses_id.is_not(None))
            .distinct()
        ).all()
    assert len(reversals) == 1  # the restructuring's first voucher
    first = next(r for r in rows if r.status == "future")
    assert (first.due_date, first.principal_due, first.interest_due) == (
        date(2025, 4, 1),
        D("921.56"),
        D("92.16"),
    )

"""Loan servicing on SQLite and PostgreSQL: disbursement, repayments, back-dated repayments and
reversals with their vouchers reposted, idempotency, waivers, write-off, fund usage.

The test loan: 12,000.00 CNY, equal principal (等额本金), 12 months at 12 % a year (1 % a month,
30/360 per period), disbursed 2025-01-15, no fees. Installment 1 is due 2025-02-15: principal
12,000 / 12 = 1,000.00, interest 12,000 x 1 % = 120.00; installment 2 (03-15): 1,000.00 and
11,000 x 1 % = 110.00.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.accounting.tables import LedgerAccount, Voucher, VoucherLine
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome, LoanView
from microlend.origination.tables import Application
from microlend.products.model import ProductFee
from tests.integration.checker_support import approved, written_off
from tests.integration.loans_support import (
    D,
    contracted,
    disbursed,
    record_usage,
    repaid,
    reversed_event,
    set_business_date,
)
from tests.seed import World

FIN = "finance"


def _balances(world: World, loan_id: int) -> dict[str, int]:
    """Debit-positive balance in minor units per account code of one loan's voucher lines."""
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(LedgerAccount.code, VoucherLine.side, VoucherLine.amount_minor)
            .join(LedgerAccount, LedgerAccount.id == VoucherLine.account_id)
            .where(VoucherLine.loan_id == loan_id)
        ).all()
    out: dict[str, int] = defaultdict(int)
    for code, side, amount in rows:
        out[code] += amount if side == "D" else -amount
    return {code: value for code, value in out.items() if value}


def _gl_loans(world: World, day: date) -> Decimal:
    with world.make_uow(read_only=True) as uow:
        return ledger.account_balance(uow, world.principal("admin"), code="1303", as_of=day)


def test_disbursement_builds_the_schedule_and_posts_the_voucher(world: World) -> None:
    loan = disbursed(world)
    assert loan.number == "DK2025000001"
    assert loan.status == "active" and loan.principal == D("12000.00")
    assert loan.first_due_date == date(2025, 2, 15) and loan.maturity_date == date(2026, 1, 15)
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal(FIN), loan_id=loan.id)
        app = uow.session.get_one(Application, loan.application_id)
        assert app.status == "disbursed"
    assert len(rows) == 12
    assert (rows[0].principal_due, rows[0].interest_due) == (D("1000.00"), D("120.00"))
    assert (rows[1].principal_due, rows[1].interest_due) == (D("1000.00"), D("110.00"))
    assert _balances(world, loan.id) == {"130301": 1200000, "1002": -1200000}
    with world.make_uow() as uow, pytest.raises(Conflict):
        loans.disburse(uow, world.principal(FIN), application_id=loan.application_id, now=world.now)


def test_repayment_on_the_due_date_pays_the_installment(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    done = repaid(world, loan.id, "1120.00", external_reference="BANK-1")
    assert done.posting is not None
    split = {(line.component, line.amount) for line in done.posting.lines}
    assert split == {("principal", D("1000.00")), ("interest", D("120.00"))}
    assert done.loan.outstanding_principal == D("11000.00")
    assert done.loan.next_due_date == date(2025, 3, 15)
    # cash basis: Dr 1002 1,120 / Cr 130301 1,000, Cr 6011 120
    assert _balances(world, loan.id) == {"130301": 1100000, "1002": -1088000, "6011": -12000}
    assert _gl_loans(world, date(2025, 2, 15)) == D("11000.00")


def test_overpayment_is_credit_then_applied_on_the_next_due_date(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    done = repaid(world, loan.id, "1200.00")
    assert done.loan.credit_balance == D("80.00")
    # Dr 1002 1,200 / Cr 130301 1,000, 6011 120, 224101 80
    assert _balances(world, loan.id)["224101"] == -8000
    set_business_date(world, date(2025, 3, 15))
    done = repaid(world, loan.id, "1030.00")  # 1,110 due - 80 credit applied that morning
    assert done.loan.credit_balance == D("0.00")
    assert done.loan.outstanding_principal == D("10000.00")
    balances = _balances(world, loan.id)
    assert balances.get("224101", 0) == 0 and balances["130301"] == 1000000
    assert balances["6011"] == -23000


def test_idempotent_by_key_and_by_external_reference(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    first = repaid(world, loan.id, "500.00", external_reference="R-1", request_key="k1")
    again = repaid(world, loan.id, "500.00", external_reference="R-1", request_key="k1")
    assert again.replayed and again.event.id == first.event.id
    same_ref = repaid(world, loan.id, "500.00", external_reference="R-1")
    assert same_ref.replayed and same_ref.event.id == first.event.id
    with world.make_uow() as uow, pytest.raises(Conflict):
        loans.repay(
            uow,
            world.principal(FIN),
            loan_id=loan.id,
            amount="600.00",
            external_reference="R-1",
            now=world.now,
        )
    with world.make_uow() as uow, pytest.raises(Conflict):
        loans.repay(
            uow,
            world.principal(FIN),
            loan_id=loan.id,
            amount="600.00",
            request_key="k1",
            now=world.now,
        )
    with world.make_uow(read_only=True) as uow:
        assert len(loans.events(uow, world.principal(FIN), loan_id=loan.id)) == 2


def test_backdated_repayment_reposts_the_later_voucher_and_equals_posting_in_order(
    world: World,
) -> None:
    in_order = disbursed(world, code="A1")
    late = disbursed(world, on=date(2025, 1, 15), code="A2", id_number="110105198501010012")
    set_business_date(world, date(2025, 3, 20))
    # in order: 2025-02-20 then 2025-03-15
    repaid(world, in_order.id, "600.00", date(2025, 2, 20))
    repaid(world, in_order.id, "1500.00", date(2025, 3, 15))
    # out of order: the later one first, then the earlier one back-dated before it
    repaid(world, late.id, "1500.00", date(2025, 3, 15))
    done = repaid(world, late.id, "600.00", date(2025, 2, 20))
    with world.make_uow(read_only=True) as uow:
        reversals = uow.session.scalars(select(Voucher).where(Voucher.kind == "reversal")).all()
        a = loans.get_loan(uow, world.principal(FIN), loan_id=in_order.id)
        posted = loans.postings(uow, world.principal(FIN), loan_id=late.id)
    assert len(reversals) >= 1  # the 03-15 repayment's voucher was reversed and reposted
    assert any(p.version == 2 for p in posted)
    assert done.loan.outstanding_principal == a.outstanding_principal
    assert done.loan.outstanding_penalty == a.outstanding_penalty
    assert _balances(world, late.id) == _balances(world, in_order.id)
    assert _gl_loans(world, date(2025, 3, 20)) == (
        a.outstanding_principal + done.loan.outstanding_principal
    )


def _reverse(uow: UnitOfWork, world: World, loan_id: int, event_id: int, reason: str) -> Any:
    """Finance reverses the loan's event ``event_id`` for ``reason`` (not committed)."""
    return loans.reverse(
        uow,
        world.principal(FIN),
        loan_id=loan_id,
        event_id=event_id,
        reason=reason,
        now=world.now,
    )


def test_reversal_takes_the_repayment_out_and_reverses_its_voucher(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    paid = repaid(world, loan.id, "1120.00")
    with world.make_uow() as uow:
        done = _reverse(uow, world, loan.id, paid.event.id, "退票")
        uow.commit()
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_principal == D("12000.00")
    assert _balances(world, loan.id) == {"130301": 1200000, "1002": -1200000}
    with world.make_uow() as uow, pytest.raises(Conflict):
        _reverse(uow, world, loan.id, paid.event.id, "退票")


def test_a_reversal_says_why_or_is_refused_before_anything_is_written(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    paid = repaid(world, loan.id, "1120.00")  # 120.00 of interest, 1,000.00 of principal
    before = _balances(world, loan.id)
    assert before["130301"] == 1100000
    for reason in ("", "   "):
        with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
            _reverse(uow, world, loan.id, paid.event.id, reason)
        assert caught.value.field == "reason"
    assert _balances(world, loan.id) == before  # the repayment stands, its voucher too
    with world.make_uow(read_only=True) as uow:
        view = loans.get_loan(uow, world.principal(FIN), loan_id=loan.id)
    assert view.outstanding_principal == D("11000.00")


def test_crash_after_the_event_insert_leaves_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    from microlend.loans import account

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash after the event and the voucher, before the installments")

    monkeypatch.setattr(account, "refresh", boom)
    with world.make_uow() as uow, pytest.raises(RuntimeError):
        loans.repay(uow, world.principal(FIN), loan_id=loan.id, amount="1120.00", now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        assert len(loans.events(uow, world.principal(FIN), loan_id=loan.id)) == 1
        assert (
            loans.get_loan(uow, world.principal(FIN), loan_id=loan.id).row_version
            == loan.row_version
        )
    assert _balances(world, loan.id) == {"130301": 1200000, "1002": -1200000}


def test_refusals(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        loans.repay(uow, world.principal(FIN), loan_id=loan.id, amount="10.001", now=world.now)
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        loans.repay(
            uow,
            world.principal(FIN),
            loan_id=loan.id,
            amount="10.00",
            value_date=date(2025, 2, 1),
            now=world.now,
        )
    with world.make_uow() as uow, pytest.raises(Forbidden):
        loans.repay(uow, world.principal("auditor"), loan_id=loan.id, amount="10.00", now=world.now)


def test_waiver_write_off_and_recovery(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 4, 15))  # installment 1 two months late: penalty
    with world.make_uow(read_only=True) as uow:
        here = loans.loan_position(uow, world.principal(FIN), loan_id=loan.id)
    assert here.days_past_due == 59 and here.overdue.penalty > 0
    with world.make_uow() as uow:
        request = loans.waive(
            uow,
            world.principal(FIN),
            loan_id=loan.id,
            component="penalty",
            amount=here.overdue.penalty,
            reason="疫情",
            now=world.now,
        )
        uow.commit()
    waived = approved(world, request)  # waivers and write-offs wait for a checker by default
    assert isinstance(waived, EventOutcome) and waived.loan.outstanding_penalty == 0
    with world.make_uow() as uow:
        request = loans.write_off(
            uow, world.principal("manager_a"), loan_id=loan.id, reason="失联", now=world.now
        )
        uow.commit()
    off = approved(world, request)
    assert isinstance(off, EventOutcome) and off.loan.status == "written_off"
    # Dr 1304 12,000 / Cr 130301 12,000; no close of business classified the loan, so it has no
    # allowance: all of it is provided now (Dr 6702 12,000 / Cr 1304), 1304 nets to nothing
    assert _balances(world, loan.id) == {"6702": 1200000, "1002": -1200000}
    with world.make_uow() as uow:
        loans.recover(uow, world.principal(FIN), loan_id=loan.id, amount="500.00", now=world.now)
        uow.commit()
    # Dr 1002 500 / Cr 1304 500, released at once: Dr 1304 500 / Cr 6702 500
    assert _balances(world, loan.id) == {"6702": 1150000, "1002": -1150000}
    with world.make_uow() as uow, pytest.raises(RuleViolation):
        loans.repay(uow, world.principal(FIN), loan_id=loan.id, amount="10.00", now=world.now)
    with world.make_uow(read_only=True) as uow:
        assert loans.principal_outstanding(uow, world.company_id) == 0


def test_a_recovery_sent_again_with_its_bank_reference_is_recognised(world: World) -> None:
    """The bank file or the clerk sends the same recovery twice: the second is answered with the
    first (nothing more recovered); the reference used for another amount is refused, and so is
    a channel that is not one."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 6, 1))
    written_off(world, loan.id)

    def recovered(amount: str, channel: str = "bank") -> EventOutcome:
        with world.make_uow() as uow:
            done = loans.recover(
                uow,
                world.principal(FIN),
                loan_id=loan.id,
                amount=amount,
                channel=channel,
                external_reference="HS20250601-7",
                now=world.now,
            )
            uow.commit()
        assert isinstance(done, EventOutcome)
        return done

    first, again = recovered("100.00"), recovered("100.00")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.event.id == first.event.id and again.loan.recovered == D("100.00")
    assert _balances(world, loan.id) == {"6702": 1190000, "1002": -1190000}
    with pytest.raises(Conflict) as reused:
        recovered("200.00")
    assert reused.value.code == "request_reused"
    with pytest.raises(ValidationFailed) as bad:
        recovered("100.00", channel="pigeon")
    assert bad.value.field == "channel"


def test_a_recovery_is_reversed_with_its_voucher(world: World) -> None:
    """12,100.00 recovered (principal 12,000.00 back to 1304 and released from it to 6702,
    interest 100.00 to 6011), then the transfer comes back: reversed, the books are as the
    write-off left them and nothing is recovered; reversing it twice is refused."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 6, 1))
    written_off(world, loan.id)
    with world.make_uow() as uow:
        back = loans.recover(
            uow, world.principal(FIN), loan_id=loan.id, amount="12100.00", now=world.now
        )
        uow.commit()
    assert isinstance(back, EventOutcome) and back.loan.recovered == D("12000.00")
    assert _balances(world, loan.id) == {"1002": 10000, "6011": -10000}
    undone = reversed_event(world, loan.id, back.event.id)
    assert undone.event.kind == "reversal" and undone.loan.recovered == 0
    assert _balances(world, loan.id) == {"6702": 1200000, "1002": -1200000}
    with world.make_uow(read_only=True) as uow:
        listed = loans.events(uow, world.principal(FIN), loan_id=loan.id)
    assert [e.reversed for e in listed if e.id == back.event.id] == [True]
    with pytest.raises(Conflict):
        reversed_event(world, loan.id, back.event.id)


def test_payoff_quote_and_full_payoff_close_the_loan(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    with world.make_uow(read_only=True) as uow:
        quote = loans.quote_payoff(uow, world.principal(FIN), loan_id=loan.id)
    # on the first due date: principal 12,000 and the first period's interest 120
    assert (quote.principal, quote.interest, quote.amount_to_pay) == (
        D("12000.00"),
        D("120.00"),
        D("12120.00"),
    )
    with world.make_uow() as uow:
        done = loans.prepay(
            uow, world.principal(FIN), loan_id=loan.id, amount=quote.amount_to_pay, now=world.now
        )
        uow.commit()
    assert isinstance(done, EventOutcome) and done.loan.status == "closed"
    assert _balances(world, loan.id).get("130301", 0) == 0


def test_prepayment_without_a_fee_charges_the_products_fee(world: World) -> None:
    """The product charges 提前还款违约金 of 1 % of the principal prepaid. On 2025-02-15 4,150.00
    first pays installment 1 (1,000.00 + 120.00; nothing has accrued yet of installment 2's
    period), so 3,030.00 is left for the fee and the principal: P + 1 % of P = 3,030.00 gives
    P = 3,000.00 and a fee of 30.00. Outstanding: 12,000 - 1,000 - 3,000 = 8,000.00.
    The payoff quote that day: principal 12,000.00, interest 120.00 and the fee on the 11,000.00
    not yet due, 110.00: 12,230.00, which closes the loan."""
    fee = ProductFee("提前还款违约金", "prepayment", percent=D("1"))
    loan = disbursed(world, fees=(fee,))
    other = disbursed(world, code="L2", id_number="110105198501010012", fees=(fee,))
    set_business_date(world, date(2025, 2, 15))
    with world.make_uow() as uow:
        done = loans.prepay(
            uow, world.principal(FIN), loan_id=loan.id, amount="4150.00", now=world.now
        )
        uow.commit()
    assert isinstance(done, EventOutcome) and done.posting is not None
    assert done.event.detail["fee"] == "30.00"
    assert done.loan.outstanding_principal == D("8000.00")
    assert ("fee", D("30.00")) in {(ln.component, ln.amount) for ln in done.posting.lines}
    # Dr 1002 4,150 / Cr 130301 4,000, Cr 6011 120 interest, Cr 6021 30 fee
    assert _balances(world, loan.id) == {
        "130301": 800000,
        "1002": -1200000 + 415000,
        "6011": -12000,
        "6021": -3000,
    }
    with world.make_uow(read_only=True) as uow:
        quote = loans.quote_payoff(uow, world.principal(FIN), loan_id=other.id)
    assert (quote.principal, quote.interest, quote.prepayment_fee, quote.amount_to_pay) == (
        D("12000.00"),
        D("120.00"),
        D("110.00"),
        D("12230.00"),
    )
    with world.make_uow() as uow:
        paid = loans.prepay(
            uow, world.principal(FIN), loan_id=other.id, amount=quote.amount_to_pay, now=world.now
        )
        uow.commit()
    assert isinstance(paid, EventOutcome) and paid.loan.status == "closed"
    assert paid.event.detail["fee"] == "110.00"


def test_fund_usage_status(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    loan = disbursed(world)
    record_usage(world, loan.id, "5000.00", evidence=b"invoice-1")
    with world.make_uow(read_only=True) as uow:
        assert (
            loans.get_loan(uow, world.principal(FIN), loan_id=loan.id).fund_usage_status
            == "partially_verified"
        )
    record_usage(world, loan.id, "1000.00", category="securities", counterparty="券商")
    with world.make_uow(read_only=True) as uow:
        assert (
            loans.get_loan(uow, world.principal(FIN), loan_id=loan.id).fund_usage_status
            == "misused"
        )


def test_fund_usage_is_verified_against_what_the_borrower_received(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """12,000.00 with a 1 % upfront fee (120.00): deducted from the payout the borrower got
    11,880.00, which evidence of 11,880.00 verifies fully; collected apart the borrower got the
    whole 12,000.00, of which 11,880.00 is only part."""
    from microlend.products.model import ProductFee

    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    fee = (ProductFee("服务费", "upfront", percent=D("1")),)
    deducted = disbursed(world, fees=fee)
    apart = contracted(world, code="L2", id_number="110105198002020013", fees=fee)
    with world.make_uow() as uow:
        collected = loans.disburse(
            uow, world.principal(FIN), application_id=apart, fee_mode="collected", now=world.now
        )
        uow.commit()
    assert isinstance(collected, LoanView)
    statuses = {}
    for loan in (deducted, collected):
        record_usage(world, loan.id, "11880.00", evidence=b"invoice")
        with world.make_uow(read_only=True) as uow:
            view = loans.get_loan(uow, world.principal(FIN), loan_id=loan.id)
            statuses[loan.id] = view.fund_usage_status
    assert statuses == {deducted.id: "fully_verified", collected.id: "partially_verified"}


def test_scope_hides_loans_of_other_offices(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow(read_only=True) as uow:
        assert [v.id for v in loans.list_loans(uow, world.principal("officer_a"))] == [loan.id]
        assert loans.list_loans(uow, world.principal("officer_b")) == []
        assert isinstance(
            loans.get_loan(uow, world.principal("officer_a"), loan_id=loan.id), LoanView
        )


def test_customer_file_contributions(world: World) -> None:
    from microlend.customers import extensions

    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    repaid(world, loan.id, "10.00")  # refreshes the snapshot: installment 1 is 14 days late
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("officer_a")
        assert extensions.customers_by_number(uow, actor, number=loan.number) == [loan.customer_id]
        assert extensions.exposure(uow, frozenset({loan.customer_id})) == {
            loan.customer_id: D("12000.00")
        }
        behaviour = extensions.repayment_behaviour(uow, frozenset({loan.customer_id}))
        sections = extensions.file_sections(uow, actor, customer_id=loan.customer_id)
    assert behaviour[loan.customer_id].current_dpd == 14
    assert behaviour[loan.customer_id].late_payments == 1
    assert any(s.key == "loans" and s.rows[0][0] == loan.number for s in sections)

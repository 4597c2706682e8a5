"""A credit balance (溢缴款: money paid ahead, 224101) in the books: applied by close of business
on the due date, and collected from 224101, not from the bank, when a payment uses it.

The loan (tests/integration/loans_support): 12,000.00 CNY, 等额本金, 12 months at 12 % a year,
30/360, disbursed 2025-01-15, no fee. Installment 1, due 15 Feb: principal 1,000.00 + interest
12,000.00 x 1 % = 120.00 = 1,120.00. Interest accrues 12,000.00 x 12 % / 360 = 4.00 a day
until then.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from microlend.db.uow import SessionFactory
from microlend.eod.reconciliation import live_reconciliation
from microlend.loans import service as loans
from microlend.loans.tables import LoanInstallment
from tests.integration.loans_support import D, disbursed, repaid, reversed_event, set_business_date
from tests.integration.test_close_inline import accrual_rows, set_status
from tests.integration.test_loan_close import close, gl, loan_row
from tests.integration.test_loan_off_balance_interest import _voucher_roles
from tests.seed import World

FEB_15, FEB_20 = date(2025, 2, 15), date(2025, 2, 20)


def _installment(world: World, loan_id: int, n: int) -> LoanInstallment:
    with world.make_uow(read_only=True) as uow:
        row = uow.session.scalars(
            select(LoanInstallment).where(
                LoanInstallment.loan_id == loan_id, LoanInstallment.n == n
            )
        ).one()
        uow.session.expunge(row)
        return row


def test_close_of_business_applies_the_credit_on_the_due_date(
    world: World, session_factory
) -> None:
    """1,500.00 paid on 20 Jan, when nothing is due: all of it credit. The close of 15 Feb pays
    installment 1 out of it (Dr 224101 1,120.00 / Cr 130301 1,000.00, Cr 1132 120.00: the
    interest the closes booked, 30 nights x 4.00); 380.00 stay credit. On 20 Feb the loan is not
    overdue, owes no penalty and has no principal in 130302."""
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 1, 19))
    repaid(world, loan, "1500.00")
    close(session_factory, world, FEB_20)
    row = loan_row(world, loan)
    assert (row.status, row.days_past_due, row.credit_balance_minor) == ("active", 0, 38000)
    assert (row.booked_penalty_minor, row.booked_overdue_principal_minor) == (0, 0)
    first = _installment(world, loan, 1)
    assert (first.status, first.outstanding_minor, first.penalty_due_minor) == ("paid", 0, 0)
    assert _voucher_roles(world, f"loan:{loan}:credit@2025-02-15") == {
        "224101": D("1120.00"),
        "130301": D("-1000.00"),
        "1132": D("-120.00"),
    }
    assert gl(world, "224101", FEB_20) == D("-380.00")
    assert (gl(world, "122102", FEB_20), gl(world, "130302", FEB_20)) == (0, 0)
    assert gl(world, "130301", FEB_20) == D("11000.00")


def test_credit_short_of_the_installment_pays_what_it_can(
    world: World, session_factory: SessionFactory
) -> None:
    """500.00 paid ahead: on 15 Feb it pays the interest (120.00) and 380.00 of principal, in
    the product's order; 620.00 of principal stay unpaid, overdue from 16 Feb (5 days on 20 Feb)
    and in 130302."""
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 1, 19))
    repaid(world, loan, "500.00")
    close(session_factory, world, FEB_20)
    row = loan_row(world, loan)
    assert (row.status, row.days_past_due, row.credit_balance_minor) == ("overdue", 5, 0)
    first = _installment(world, loan, 1)
    assert (first.status, first.principal_paid_minor, first.interest_paid_minor) == (
        "partially_paid",
        38000,
        12000,
    )
    assert gl(world, "130302", FEB_20) == D("620.00")
    assert gl(world, "224101", FEB_20) == 0


def test_a_prepayment_using_the_credit_takes_it_from_224101_not_the_bank(world: World) -> None:
    """1,500.00 paid on 20 Jan (credit), then a prepayment of 2,000.00 on 25 Jan: 3,500.00 go
    to the interest accrued (10 days x 4.00 = 40.00, none booked: income) and 3,460.00 of
    principal. The bank got 2,000.00 (Dr 1002 2,000.00 / Cr 130301 2,000.00); the credit pays
    the first 1,500.00 of the allocation (Dr 224101 1,500.00 / Cr 6011 40.00, Cr 130301
    1,460.00). Reversed, both vouchers are: the credit is held again."""
    loan = disbursed(world).id
    set_business_date(world, date(2025, 1, 20))
    repaid(world, loan, "1500.00")
    set_business_date(world, date(2025, 1, 25))
    done = repaid(world, loan, "2000.00", command=loans.prepay)
    key = f"loan:{loan}:e{done.event.sequence}:v1"
    assert _voucher_roles(world, key) == {
        "1002": D("2000.00"),  # both vouchers (the key is the prefix of the second's)
        "224101": D("1500.00"),
        "130301": D("-3460.00"),
        "6011": D("-40.00"),
    }
    assert _voucher_roles(world, key + ":1") == {
        "224101": D("1500.00"),
        "130301": D("-1460.00"),
        "6011": D("-40.00"),
    }
    day = date(2025, 1, 25)
    assert gl(world, "1002", day) == D("-8500.00")  # 12,000.00 out, 1,500.00 and 2,000.00 in
    assert (gl(world, "224101", day), gl(world, "130301", day)) == (0, D("8540.00"))
    reversed_event(world, loan, done.event.id)
    assert gl(world, "1002", day) == D("-10500.00")
    assert (gl(world, "224101", day), gl(world, "130301", day)) == (D("-1500.00"), D("12000.00"))


def test_a_credit_application_taken_back_and_made_again_posts_a_new_voucher(
    world: World, session_factory: SessionFactory
) -> None:
    """The close of 15 Feb applies 1,120.00 of the 1,500.00 paid ahead (voucher
    ``credit@2025-02-15:v1``). On 21 Feb that payment is reversed (bounced): the credit
    application goes with it, its voucher reversed. A payment of 1,300.00 valued 10 Feb then
    brings the same application back, 1,120.00 on 15 Feb: a new voucher (``v2``), not the first
    one's key, which the ledger would answer with the reversed voucher and post nothing."""
    loan = disbursed(world).id
    close(session_factory, world, date(2025, 1, 19))
    first = repaid(world, loan, "1500.00")
    close(session_factory, world, FEB_20)
    applied = {"224101": D("1120.00"), "130301": D("-1000.00"), "1132": D("-120.00")}
    assert _voucher_roles(world, f"loan:{loan}:credit@2025-02-15:v1") == applied
    reversed_event(world, loan, first.event.id)
    assert gl(world, "224101", date(2025, 2, 21)) == 0
    repaid(world, loan, "1300.00", date(2025, 2, 10))
    assert _voucher_roles(world, f"loan:{loan}:credit@2025-02-15:v2") == applied
    assert gl(world, "224101", date(2025, 2, 21)) == D("-180.00")
    assert loan_row(world, loan).credit_balance_minor == 18000


def test_a_command_closing_missed_days_inline_applies_the_credit_on_them(
    world: World, session_factory: SessionFactory
) -> None:
    """1,500.00 paid ahead on 20 Jan, then the closes of 14 to 20 Feb leave the loan out (its
    status set aside while they run; another loan is closed). On 21 Feb a repayment of 100.00
    first closes those days inline, the credit step among them: on 15 Feb the credit pays
    installment 1 (1,120.00, voucher ``credit@2025-02-15``), so no day after it finds principal
    overdue. The repayment, with nothing due, is credit: 380.00 + 100.00. Sub-ledger = GL at
    once, and the nightly close of 21 Feb reconciles."""
    loan = disbursed(world).id
    disbursed(world, code="LK", id_number="110105198001010032", customer="王五")
    close(session_factory, world, date(2025, 1, 19))
    repaid(world, loan, "1500.00")
    close(session_factory, world, date(2025, 2, 13))
    set_status(world, loan, "closed")  # left out of the next closes
    close(session_factory, world, FEB_20)
    set_status(world, loan, "active")

    repaid(world, loan, "100.00")  # business date 21 Feb
    missed = [row for row in accrual_rows(world, loan) if row[0] >= date(2025, 2, 14)]
    assert [row[0] for row in missed] == [date(2025, 2, d) for d in range(14, 21)]
    assert [row[3] for row in missed] == [0] * 7  # no principal ever moved to overdue
    row = loan_row(world, loan)
    assert (row.status, row.days_past_due, row.credit_balance_minor) == ("active", 0, 48000)
    assert (row.booked_penalty_minor, row.booked_overdue_principal_minor) == (0, 0)
    assert _installment(world, loan, 1).status == "paid"
    assert _voucher_roles(world, f"loan:{loan}:credit@2025-02-15") == {
        "224101": D("1120.00"),
        "130301": D("-1000.00"),
        "1132": D("-120.00"),
    }
    with world.make_uow(read_only=True) as uow:
        assert live_reconciliation(uow, world.principal("finance")).reconciled
    close(session_factory, world, date(2025, 2, 21))
    assert gl(world, "224101", date(2025, 2, 21)) == D("-480.00")


def test_a_prepayment_of_nothing_settles_the_loan_out_of_the_credit(world: World) -> None:
    """14,000.00 paid on 20 Jan, when nothing is due: all credit (224101). The payoff quote of
    25 Jan asks nothing more (12,000.00 + 10 days x 4.00 = 12,040.00 against 14,000.00 held),
    and a prepayment of 0.00 settles the loan out of the credit: one voucher, Dr 224101
    12,040.00 / Cr 130301 12,000.00, Cr 6011 40.00 (none booked: income), and none from the
    bank; 1,960.00 stay owed to the borrower."""
    loan = disbursed(world).id
    set_business_date(world, date(2025, 1, 20))
    repaid(world, loan, "14000.00")
    day = date(2025, 1, 25)
    set_business_date(world, day)
    with world.make_uow(read_only=True) as uow:
        quote = loans.quote_payoff(uow, world.principal("finance"), loan_id=loan)
    assert (quote.total, quote.amount_to_pay) == (D("12040.00"), 0)
    done = repaid(world, loan, "0", command=loans.prepay)
    key = f"loan:{loan}:e{done.event.sequence}:v1"
    assert _voucher_roles(world, key) == {
        "224101": D("12040.00"),
        "130301": D("-12000.00"),
        "6011": D("-40.00"),
    }
    row = loan_row(world, loan)
    assert (row.status, row.credit_balance_minor) == ("closed", 196000)
    assert (gl(world, "224101", day), gl(world, "130301", day)) == (D("-1960.00"), 0)
    assert gl(world, "1002", day) == D("2000.00")  # 12,000.00 out, 14,000.00 in

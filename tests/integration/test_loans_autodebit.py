"""批量代扣: the deduction request file of a collection date, and its way back through the
repayment import without paying a line twice.

The loans (tests/integration/loans_support.py): 12,000.00, equal principal, 12 months at 12 %,
disbursed 2025-01-15; installment 1 falls due on 2025-02-15: 1,000.00 principal + 12,000.00 x
1 % = 120.00 interest = 1,120.00."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from microlend.kernel.errors import Forbidden, ValidationFailed
from microlend.kernel.principal import DataScope, Principal
from microlend.loans import service as loans
from microlend.loans.autodebit import COLUMNS, DebitRun, deduction_run, file_rows
from microlend.loans.batch import read_repayments, repay_batch
from microlend.loans.tables import Loan
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import D, add_bank_account, disbursed, set_business_date
from tests.seed import World

FEB_15 = date(2025, 2, 15)


def run(world: World, on: date | None = None, actor: Principal | None = None) -> DebitRun:
    with world.make_uow(read_only=True) as uow:
        return deduction_run(uow, actor or world.principal("finance"), on=on)


def lines(result: DebitRun) -> list[tuple[str, str, D]]:
    return [(ln.reference, ln.owing.loan_number, ln.owing.amount) for ln in result.lines]


def test_the_installment_due_on_the_date_is_one_line(world: World) -> None:
    """On 2025-02-15 the line is installment 1: 1,000.00 + 120.00 = 1,120.00; the day before
    nothing is owing. The reference is the same every time the file is produced."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, date(2025, 2, 14))
    assert run(world).lines == () and run(world).on == date(2025, 2, 14)
    due = run(world, FEB_15)
    ref = f"AD20250215-{loan.number}"
    assert lines(due) == [(ref, loan.number, D("1120.00"))]
    [line] = due.lines
    assert (line.account.bank_name, line.account.account_no) == ("工商银行", "6222020200001234567")
    assert [(t.currency, t.count, t.amount) for t in due.totals] == [("CNY", 1, D("1120.00"))]
    set_business_date(world, FEB_15)
    assert lines(run(world)) == lines(due)  # the default is the business date; same reference


def test_after_a_partial_repayment_the_line_is_what_is_left(world: World) -> None:
    """1,120.00 due, 500.00 paid on the due date: 620.00 is left (the 500.00 pays the 120.00
    interest first, then 380.00 of principal)."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, FEB_15)
    with world.make_uow() as uow:
        loans.repay(
            uow, world.principal("finance"), loan_id=loan.id, amount="500.00", now=world.now
        )
        uow.commit()
    assert lines(run(world)) == [(f"AD20250215-{loan.number}", loan.number, D("620.00"))]


def test_overdue_plus_due_and_penalty_to_the_date(world: World) -> None:
    """On 2025-03-15 installment 1 is overdue and installment 2 falls due: installment 2 is
    1,000.00 + 11,000.00 x 1 % = 110.00, so 2,230.00 of installments; the line also carries the
    penalty accrued on installment 1 to that date, as the engine's position says (and so more
    than 2,230.00)."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, date(2025, 3, 15))
    with world.make_uow(read_only=True) as uow:
        here = loans.loan_position(uow, world.principal("finance"), loan_id=loan.id)
    expected = here.overdue.total + here.due_today.total
    due_instalments = here.overdue.principal + here.overdue.interest + here.due_today.total
    assert due_instalments == D("2230.00")
    assert lines(run(world)) == [(f"AD20250315-{loan.number}", loan.number, expected)]
    assert expected >= D("2230.00")


def test_a_closed_loan_has_no_line(world: World) -> None:
    """Paid off on 2025-02-15 with 12,000.00 principal + 120.00 interest: nothing is owing."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, FEB_15)
    with world.make_uow(read_only=True) as uow:
        quote = loans.quote_payoff(uow, world.principal("finance"), loan_id=loan.id)
    assert quote.amount_to_pay == D("12120.00")
    with world.make_uow() as uow:
        done = loans.prepay(
            uow, world.principal("finance"), loan_id=loan.id, amount=quote.amount_to_pay,
            now=world.now,
        )  # fmt: skip
        uow.commit()
    assert isinstance(done, EventOutcome) and done.loan.status == "closed"
    assert run(world).lines == () and run(world).without_account == ()


def test_out_of_scope_loans_and_loans_without_an_account(world: World) -> None:
    """A loan of branch A with an account, one of branch B without: branch B's finance staff sees
    only the second, listed apart (not in the file); the company's finance sees both."""
    first = disbursed(world)
    add_bank_account(world, first.customer_id, "6222020200001234567")
    second = disbursed(world, code="L2", id_number="110105198501010012", office="b",
                       officer="officer_b")  # fmt: skip
    set_business_date(world, FEB_15)
    everyone = run(world)
    assert lines(everyone) == [(f"AD20250215-{first.number}", first.number, D("1120.00"))]
    assert [(o.loan_number, o.amount) for o in everyone.without_account] == [
        (second.number, D("1120.00"))
    ]
    branch_b = replace(
        world.principal("finance"), scope=DataScope.OFFICE,
        office_ids=frozenset({world.offices["b"]}),
    )  # fmt: skip
    mine = run(world, actor=branch_b)
    assert mine.lines == () and [o.loan_number for o in mine.without_account] == [second.number]


def test_the_newest_account_is_debited_unless_the_loan_paid_the_borrower_to_one(
    world: World,
) -> None:
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200000000001", bank="农业银行")
    add_bank_account(world, loan.customer_id, "6222020200000000002", bank="建设银行")
    set_business_date(world, FEB_15)
    assert run(world).lines[0].account.account_no == "6222020200000000002"
    with world.make_uow() as uow:  # paid out to the borrower's older account
        uow.session.execute(
            update(Loan).where(Loan.id == loan.id).values(payee_account="6222 0202 0000 0000 001")
        )
        uow.commit()
    [line] = run(world).lines
    assert (line.account.bank_name, line.account.account_no) == ("农业银行", "6222020200000000001")


def test_refusals(world: World) -> None:
    disbursed(world)
    set_business_date(world, FEB_15)
    with pytest.raises(Forbidden):
        run(world, actor=world.principal("auditor"))
    with pytest.raises(ValidationFailed) as caught:
        run(world, date(2025, 2, 14))
    assert caught.value.field == "on"


def test_the_file_goes_back_through_the_repayment_import_once(world: World, tmp_path: Path) -> None:
    """The file with a bank's status column added is what the repayment import takes; posted
    twice, the line is paid once (same channel and reference)."""
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, FEB_15)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(file_rows(run(world)))
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1] == [
        f"AD20250215-{loan.number}", loan.number, "李四", "工商银行", "6222020200001234567",
        "李四", "1120.00", "CNY", "2025-02-15", "deduction", f"AD20250215-{loan.number}",
    ]  # fmt: skip
    path = tmp_path / "result.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    for _ in range(2):
        with world.make_uow() as uow:
            done = repay_batch(uow, world.principal("finance"), read_repayments(path),
                               now=world.now)  # fmt: skip
            uow.commit()
        [outcome] = done
        assert isinstance(outcome, EventOutcome)
    assert outcome.replayed and outcome.loan.outstanding_principal == D("11000.00")
    assert run(world).lines == ()


def test_the_payout_account_serves_when_the_customer_registered_none(world: World) -> None:
    """Paid out to the borrower's 6222020200007654321, no account registered: that account is
    debited, its holder the borrower (no bank name known)."""
    loan = disbursed(world)
    with world.make_uow() as uow:
        uow.session.execute(
            update(Loan).where(Loan.id == loan.id).values(payee_account="6222020200007654321")
        )
        uow.commit()
    set_business_date(world, FEB_15)
    result = run(world)
    assert result.without_account == ()
    [line] = result.lines
    assert (line.account.bank_name, line.account.account_no, line.account.account_name) == (
        "",
        "6222020200007654321",
        "李四",
    )

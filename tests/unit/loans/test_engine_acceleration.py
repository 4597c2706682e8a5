"""Acceleration (宣布提前到期), worked by hand on the engine tests' loan: 12,000.00 over 12 months
of equal principal at 12 % (1 % a month, 30/360), disbursed 2025-01-15, due on the 15th;
penalty at 1.5 times the rate on the principal past due, 18 % / 360 = 0.05 % a day (0.50 a day
on 1,000.00), from the night of the due date. Nothing is paid.

The lender calls the loan due on 2025-03-01: installment 1 (1,000.00 + 120.00) is past due
already; period 2's interest accrued to that day, 110.00 x 16 / 30 = 58.67, and the 11,000.00
of principal not yet due fall due on it, in one settlement installment; installments 3 to 12
are gone. No interest accrues after it; penalty runs on 12,000.00 of principal past due."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.loans.engine import (
    Acceleration,
    InstallmentStatus,
    LoanStatus,
    payoff_quote,
    position,
    post,
)
from tests.unit.loans.test_engine import loan

CALLED = date(2025, 3, 1)
EVENT = Acceleration("a", CALLED, 1)


def test_the_called_loan_falls_due_on_the_day_with_the_interest_accrued_to_it() -> None:
    result = post(loan(), [], EVENT, CALLED)
    assert result.posting is not None and result.posting.new_principal == D("11000.00")
    assert result.posting.lines == ()  # nothing moves in the ledger: it is what falls due when
    here = position(loan(), [EVENT], date(2025, 3, 2))
    assert [row.n for row in here.installments] == [1, 2]
    settlement = here.installments[1]
    assert settlement.settlement and settlement.due_date == CALLED
    assert (settlement.charged.principal, settlement.charged.interest) == (
        D("11000.00"),
        D("58.67"),
    )
    # installment 1: the nights of 15 February to 1 March, 15 x 0.50; the settlement: the
    # night of 1 March on 11,000.00, 5.50
    assert here.installments[0].charged.penalty == D("7.50")
    assert settlement.charged.penalty == D("5.50")
    assert settlement.status is InstallmentStatus.OVERDUE
    assert here.status is LoanStatus.OVERDUE and here.days_past_due == 15
    assert not here.restructured and here.next_due_date is None
    assert here.outstanding_principal == D("12000.00")
    assert here.overdue_amount == D("12191.67")  # 1,120.00 + 7.50 + 11,058.67 + 5.50


def test_after_the_call_only_penalty_runs() -> None:
    here = position(loan(), [EVENT], date(2025, 3, 11))  # the nights to 10 March
    assert here.accrued_interest == 0
    assert sum(row.charged.interest for row in here.installments) == D("178.67")
    assert here.installments[0].charged.penalty == D("12.00")  # 14 + 10 nights x 0.50
    assert here.installments[1].charged.penalty == D("55.00")  # 10 nights x 5.50
    quote = payoff_quote(loan(), [EVENT], date(2025, 3, 11))
    assert quote.total == D("12245.67")  # 12,000.00 + 178.67 + 67.00


def test_a_loan_with_nothing_left_to_fall_due_is_not_called() -> None:
    with pytest.raises(ValidationFailed, match="no principal is left") as refused:
        post(loan(), [], Acceleration("a", date(2026, 1, 15), 1), date(2026, 1, 15))
    assert refused.value.field == "value_date"

"""A loan's statement of account (loans/statements.py) worked by hand.

The loan: 12,000.00 over 12 months, equal principal at 12 % a year (1 % a month on the
balance), disbursed 15 Jan 2025: installment 1 (15 Feb) is 1,000.00 + 120.00, installment 2
(15 Mar) 1,000.00 + 110.00. Paid: 1,120.00 on 15 Feb, 1,200.00 on 15 Mar (90.00 more than
installment 2: kept as credit). The business date is 20 Mar.

* 1 Feb to 20 Mar: opening at the end of 31 Jan, 12,000.00 of principal, nothing owed or
  overdue, no credit; the two payments (2,320.00 in: principal 2,000.00, interest 230.00,
  credit +90.00); closing at the end of 20 Mar, 10,000.00 of principal, nothing owed or overdue,
  90.00 of credit.
* From the disbursement: no opening; the disbursement (12,000.00 out) comes first.
* The 15 Mar payment bounced and is reversed: it is listed struck out with the reversal, neither
  counts, and the closing principal is 11,000.00 with installment 2 (1,110.00) overdue."""

from __future__ import annotations

from datetime import date

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.loans import service as loans
from microlend.loans.statements import Statement
from tests.integration.loans_support import (
    D,
    disbursed,
    repaid,
    reversed_event,
    set_business_date,
)
from tests.seed import World


def _statement(world: World, loan_id: int, **period: date) -> Statement:
    with world.make_uow(read_only=True) as uow:
        return loans.statement(uow, world.principal("officer_a"), loan_id=loan_id, **period)


def _rows(found: Statement) -> list[tuple[object, ...]]:
    return [
        (line.value_date, line.kind, line.money_in, line.money_out, line.applied["principal"],
         line.applied["interest"], line.credit_change, line.reversed)
        for line in found.lines
    ]  # fmt: skip


def test_a_statement_of_account_for_a_period(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repaid(world, loan.id, "1120.00")
    set_business_date(world, date(2025, 3, 15))
    second = repaid(world, loan.id, "1200.00")
    set_business_date(world, date(2025, 3, 20))

    found = _statement(world, loan.id, start=date(2025, 2, 1))
    assert (found.start, found.end) == (date(2025, 2, 1), date(2025, 3, 20))
    assert found.opening is not None
    opening = found.opening
    assert (opening.principal, opening.owed, opening.overdue, opening.credit) == (
        D("12000.00"),
        0,
        0,
        0,
    )
    assert _rows(found) == [
        (date(2025, 2, 15), "repayment", D("1120.00"), 0, D("1000.00"), D("120.00"), 0, False),
        (date(2025, 3, 15), "repayment", D("1200.00"), 0, D("1000.00"), D("110.00"), D("90.00"),
         False),
    ]  # fmt: skip
    assert found.totals == {
        "money_in": D("2320.00"),
        "money_out": 0,
        "principal": D("2000.00"),
        "interest": D("230.00"),
        "fee": 0,
        "penalty": 0,
        "credit_change": D("90.00"),
    }
    closing = found.closing
    assert (closing.principal, closing.owed, closing.overdue, closing.credit) == (
        D("10000.00"),
        0,
        0,
        D("90.00"),
    )

    whole = _statement(world, loan.id)  # from the disbursement
    assert whole.opening is None and whole.start == date(2025, 1, 15)
    assert _rows(whole)[0] == (date(2025, 1, 15), "disbursement", 0, D("12000.00"), 0, 0, 0, False)
    assert whole.totals["money_out"] == D("12000.00")

    reversed_event(world, loan.id, second.event.id)
    after = _statement(world, loan.id, start=date(2025, 3, 1))
    assert [(row[1], row[2], row[7]) for row in _rows(after)] == [
        ("repayment", D("1200.00"), True),  # struck out
        ("reversal", D("-1200.00"), False),  # the money taken back
    ]
    assert after.totals["money_in"] == 0 and after.totals["principal"] == 0
    assert after.closing.principal == D("11000.00")
    assert after.closing.overdue >= D("1110.00")  # installment 2, and penalty since 15 Mar


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"end": date(2025, 3, 21)}, "end"),  # after the business date
        ({"start": date(2025, 3, 10), "end": date(2025, 3, 1)}, "end"),
    ],
)
def test_a_period_that_cannot_be_stated_is_refused(
    world: World, period: dict[str, date], field: str
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 20))
    with pytest.raises(ValidationFailed) as refused:
        _statement(world, loan.id, **period)
    assert refused.value.field == field

"""A batch of repayments in one transaction, on SQLite and PostgreSQL: each allocated on its own
loan, the repeated external reference replayed, one bad line refusing the whole file.

The loans (tests/integration/loans_support.py): 12,000.00, equal principal, 12 months at 12 %,
disbursed 2025-01-15; installment 1 (2025-02-15) is 1,000.00 principal + 120.00 interest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microlend.kernel.errors import NotFound
from microlend.loans import tables
from microlend.loans.batch import read_repayments, repay_batch
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import D, disbursed, set_business_date
from tests.seed import World


def _events(world: World) -> int:
    with world.make_uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(tables.LoanEvent)) or 0)


def test_a_file_posts_each_line_once_and_all_or_nothing(world: World, tmp_path: Path) -> None:
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198501010012")
    set_business_date(world, date(2025, 2, 15))
    path = tmp_path / "bank.csv"
    path.write_text(
        "loan_number,amount,value_date,channel,external_reference\n"
        f"{first.number},1120.00,2025-02-15,bank,B-1\n"
        f"{second.number},120.00,,bank,B-2\n",
        encoding="utf-8",
    )
    rows = read_repayments(path)
    with world.make_uow() as uow:
        done = repay_batch(uow, world.principal("finance"), rows, now=world.now)
        uow.commit()
    assert all(isinstance(d, EventOutcome) for d in done)
    one, two = done
    assert isinstance(one, EventOutcome) and isinstance(two, EventOutcome)
    assert one.loan.outstanding_principal == D("11000.00")  # 1,120 = interest 120 + principal 1,000
    assert {(ln.component, ln.amount) for ln in two.posting.lines} == {  # type: ignore[union-attr]
        ("interest", D("120.00"))
    }
    before = _events(world)
    with world.make_uow() as uow:  # the same file again: nothing is paid twice
        again = repay_batch(uow, world.principal("finance"), rows, now=world.now)
        uow.commit()
    assert all(isinstance(d, EventOutcome) and d.replayed for d in again)
    assert _events(world) == before

    bad = [*rows[:1], {"loan_number": "DK-NONE", "amount": "1.00"}]
    bad[0] = {**rows[0], "external_reference": "B-3"}
    with world.make_uow() as uow, pytest.raises(NotFound) as caught:
        repay_batch(uow, world.principal("finance"), bad, now=world.now)
    assert "line 2" in caught.value.__notes__
    assert _events(world) == before  # the first line of the refused file did not stay

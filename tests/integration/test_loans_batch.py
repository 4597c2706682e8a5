"""A batch of repayments in one transaction, on SQLite and PostgreSQL: each allocated on its own
loan as a single command would be, audited and scoped, the repeated external reference replayed
(in the database or earlier in the file), one bad line refusing the whole file.

The loans (tests/integration/loans_support.py): 12,000.00, equal principal, 12 months at 12 %,
disbursed 2025-01-15; installment 1 (2025-02-15) is 1,000.00 principal + 120.00 interest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microlend.auth import service as auth
from microlend.db.commands import Pending
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import DataScope
from microlend.loans import service as loans
from microlend.loans import tables
from microlend.loans.batch import read_repayments, repay_batch
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import D, disbursed, repayments_checked, set_business_date
from tests.integration.test_loans import _balances
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


def _post_one_by_one(world: World, rows: list[dict[str, str]]) -> None:
    for row in rows:
        with world.make_uow() as uow:
            loans.repay(
                uow,
                world.principal("finance"),
                loan_id=int(row["loan_id"]),
                amount=row["amount"],
                value_date=date.fromisoformat(row["value_date"]) if row["value_date"] else None,
                external_reference=row["external_reference"],
                now=world.now,
            )
            uow.commit()


def _state(world: World, loan_id: int) -> tuple[object, ...]:
    with world.make_uow(read_only=True) as uow:
        finance = world.principal("finance")
        here = loans.get_loan(uow, finance, loan_id=loan_id)
        rows = loans.installments(uow, finance, loan_id=loan_id)
    return (
        here.outstanding_principal,
        here.outstanding_interest,
        here.outstanding_penalty,
        here.credit_balance,
        here.days_past_due,
        here.status,
        rows,
        _balances(world, loan_id),
    )


def test_a_file_equals_the_same_repayments_one_by_one(world: World) -> None:
    """Installment 1 of both loans is paid late, in two parts and with an overpayment; the file
    posts to one loan what single commands post to the other, in the same order (the second line
    goes on from the first line's book within the same transaction)."""
    batch = disbursed(world)
    single = disbursed(world, code="L2", id_number="110105198501010012")
    set_business_date(world, date(2025, 3, 3))

    def rows(loan_id: int, prefix: str) -> list[dict[str, str]]:
        return [
            {"loan_id": str(loan_id), "amount": "600.00", "value_date": "2025-02-20",
             "channel": "bank", "external_reference": f"{prefix}-1"},
            {"loan_id": str(loan_id), "amount": "700.00", "value_date": "2025-02-25",
             "channel": "bank", "external_reference": f"{prefix}-2"},
            {"loan_id": str(loan_id), "amount": "10.00", "value_date": "",
             "channel": "cash", "external_reference": f"{prefix}-3"},
        ]  # fmt: skip

    with world.make_uow() as uow:
        done = repay_batch(uow, world.principal("finance"), rows(batch.id, "F"), now=world.now)
        uow.commit()
    _post_one_by_one(world, rows(single.id, "S"))
    assert all(isinstance(d, EventOutcome) and not d.replayed for d in done)
    assert _state(world, batch.id) == _state(world, single.id)
    # 600 on 02-20 pays 5 days' penalty 2.50, interest 120, principal 477.50; 700 on 02-25 pays
    # 5 more days on 522.50 (0.26 a day: 1.30) and 522.50 principal, 176.20 waits as credit
    assert _state(world, batch.id)[0] == D("11000.00")
    assert _state(world, batch.id)[3] == D("176.20") + D("10.00")


def test_a_reference_twice_in_one_file_is_paid_once(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    line = {"loan_id": str(loan.id), "amount": "100.00", "external_reference": "DUP"}
    with world.make_uow() as uow:
        first, again = repay_batch(uow, world.principal("finance"), [line, line], now=world.now)
        uow.commit()
    assert isinstance(first, EventOutcome) and isinstance(again, EventOutcome)
    assert again.replayed and again.event.id == first.event.id
    assert _events(world) == 2  # the disbursement and one repayment
    other = {**line, "amount": "200.00"}
    with world.make_uow() as uow, pytest.raises(Conflict) as caught:
        repay_batch(uow, world.principal("finance"), [other], now=world.now)
    assert "line 1" in caught.value.__notes__


def test_a_refused_file_is_audited_and_leaves_nothing(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    before = _events(world)
    good = {"loan_id": str(loan.id), "amount": "100.00", "external_reference": "OK-1"}
    bad = {"loan_id": str(loan.id), "amount": "1.001", "external_reference": "BAD-1"}
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        repay_batch(uow, world.principal("finance"), [good, bad], now=world.now)
    assert caught.value.field == "amount" and "line 2" in caught.value.__notes__
    assert _events(world) == before
    with world.make_uow(read_only=True) as uow:
        last = uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert auth.verify_audit(uow, world.principal("auditor")) == []
    assert last is not None and (last.command, last.outcome) == ("loans.repay", "failed")


def test_each_line_is_audited_scoped_and_permission_checked(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    with world.make_uow(read_only=True) as uow:
        audited = uow.session.scalar(select(func.count()).select_from(AuditRecord))
    lines = [
        {"loan_id": str(loan.id), "amount": "100.00", "external_reference": f"A-{n}"}
        for n in range(3)
    ]
    with world.make_uow() as uow:
        repay_batch(uow, world.principal("finance"), lines, now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        records = uow.session.scalars(
            select(AuditRecord).order_by(AuditRecord.seq).offset(audited)
        ).all()
        assert auth.verify_audit(uow, world.principal("auditor")) == []
    assert [(r.command, r.outcome, r.entity_id) for r in records] == [
        ("loans.repay", "ok", str(loan.id))
    ] * 3
    branch_b = replace(  # finance staff who sees branch B only: the loan is branch A's
        world.principal("finance"),
        scope=DataScope.OFFICE,
        office_ids=frozenset({world.offices["b"]}),
    )
    with world.make_uow() as uow, pytest.raises(NotFound) as caught:
        repay_batch(uow, branch_b, lines[:1], now=world.now)
    assert "line 1" in caught.value.__notes__
    with world.make_uow() as uow, pytest.raises(Forbidden):
        repay_batch(uow, world.principal("auditor"), lines[:1], now=world.now)


def test_with_maker_checker_each_line_waits_for_its_checker(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repayments_checked(world)
    before = _events(world)
    line = {"loan_id": str(loan.id), "amount": "100.00", "external_reference": "MC-1"}
    with world.make_uow() as uow:
        done = repay_batch(uow, world.principal("finance"), [line], now=world.now)
        uow.commit()
    assert [type(d) for d in done] == [Pending]
    assert _events(world) == before

"""分次放款 on SQLite and PostgreSQL.

The application: 12,000.00 CNY approved, equal principal (等额本金), 12 months at 12 % a year
(1 % a month, per period), disbursed 2025-01-15 with a first tranche of 6,000.00:
installment 1 (2025-02-15) is 6,000 / 12 = 500.00 principal and 6,000 x 1 % = 60.00 interest.
A second tranche of 5,500.00 on 2025-02-15 goes into the 11 installments not yet due:
(5,500 still owed + 5,500) / 11 = 1,000.00 principal each; installment 2 (03-15) earns
11,000 x 1 % = 110.00 (nothing earned on 2025-02-15 itself). 500.00 stays undisbursed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.accounting.tables import LedgerAccount, VoucherLine
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome, LoanView
from tests.integration.loans_support import contracted, set_business_date
from tests.seed import World

D = Decimal
FIN = "finance"


def _balances(world: World, loan_id: int) -> dict[str, int]:
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


def _first(world: World, amount: str = "6000.00") -> LoanView:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow() as uow:
        view = loans.disburse(
            uow, world.principal(FIN), application_id=app_id, amount=amount, now=world.now
        )
        uow.commit()
    assert isinstance(view, LoanView)
    return view


def _tranche(world: World, loan_id: int, amount: str, **kw: object) -> EventOutcome:
    with world.make_uow() as uow:
        done = loans.disburse_tranche(
            uow, world.principal(FIN), loan_id=loan_id, amount=amount, now=world.now, **kw
        )
        uow.commit()
    assert isinstance(done, EventOutcome)
    return done


def test_first_tranche_then_a_later_one_up_to_the_approved_amount(world: World) -> None:
    loan = _first(world)
    assert loan.principal == D("6000.00")
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal(FIN), loan_id=loan.id)
    assert (rows[0].principal_due, rows[0].interest_due) == (D("500.00"), D("60.00"))
    assert _balances(world, loan.id) == {"130301": 600000, "1002": -600000}

    set_business_date(world, date(2025, 2, 15))
    done = _tranche(world, loan.id, "5500.00", request_key="t-1")
    assert done.loan.principal == D("11500.00")
    assert done.event.kind == "tranche"
    with world.make_uow(read_only=True) as uow:
        rows = loans.installments(uow, world.principal(FIN), loan_id=loan.id)
        left = loans.undisbursed(uow, uow.session.get_one(_loan_table(), loan.id))
    assert len(rows) == 12
    assert (rows[0].principal_due, rows[0].interest_due) == (D("500.00"), D("60.00"))
    assert [r.principal_due for r in rows[1:]] == [D("1000.00")] * 11
    assert rows[1].interest_due == D("110.00")
    assert left == D("500.00")
    # one voucher per tranche: Dr 130301 / Cr 1002
    assert _balances(world, loan.id) == {"130301": 1150000, "1002": -1150000}

    again = _tranche(world, loan.id, "5500.00", request_key="t-1")
    assert again.replayed and again.event.id == done.event.id
    with world.make_uow() as uow, pytest.raises(RuleViolation) as caught:
        loans.disburse_tranche(
            uow, world.principal(FIN), loan_id=loan.id, amount="600.00", now=world.now
        )
    assert caught.value.code == "tranche_over_approved"


def test_first_tranche_above_the_approved_amount_is_refused(world: World) -> None:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        loans.disburse(
            uow, world.principal(FIN), application_id=app_id, amount="12000.01", now=world.now
        )
    assert caught.value.field == "amount"


def test_a_repayment_officer_cannot_disburse_a_tranche(world: World) -> None:
    loan = _first(world)
    with world.make_uow() as uow, pytest.raises(Exception) as caught:
        loans.disburse_tranche(
            uow, world.principal("officer_a"), loan_id=loan.id, amount="100.00", now=world.now
        )
    assert type(caught.value).__name__ in ("Forbidden", "NotFound")


def _loan_table() -> type:
    from microlend.loans.tables import Loan

    return Loan


def test_notes_are_appended_with_author_and_time_newest_first(world: World) -> None:
    loan = _first(world)
    for body in ("客户来电，约定月底还款", "已上门核实经营"):
        with world.make_uow() as uow:
            loans.add_note(uow, world.principal(FIN), loan_id=loan.id, body=body, now=world.now)
            uow.commit()
    with world.make_uow(read_only=True) as uow:
        found = loans.notes(uow, world.principal("officer_a"), loan_id=loan.id)
    assert [n.body for n in found] == ["已上门核实经营", "客户来电，约定月底还款"]
    assert {n.author for n in found} == {_display_name(world, FIN)}
    assert found[0].created_at == world.now
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        loans.add_note(uow, world.principal(FIN), loan_id=loan.id, body="  ", now=world.now)
    assert caught.value.field == "body"


def _display_name(world: World, username: str) -> str:
    return world.principal(username).display_name

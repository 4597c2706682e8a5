"""对账 as it stands: the loan sub-ledger against the general ledger at the business date, what the
close of business would find before the date advances.

The loan (tests/integration/loans_support.py): 12,000.00 disbursed on 2025-01-15, no fee, so
1303 (loans) holds 12,000.00 in the ledger and in the loans' rows; nothing is booked yet in 1132
(interest receivable), 122101 / 122102 (fees / penalty receivable), 224101 (credit balances) or
1304 (the allowance: no provision until a close of business classifies the loan)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import update

from microlend.eod.reconciliation import live_reconciliation
from microlend.kernel.errors import Forbidden
from microlend.kernel.principal import DataScope
from microlend.loans import service as loans
from microlend.loans.tables import Loan
from tests.integration.loans_support import disbursed
from tests.seed import World

D = Decimal


def _check(world: World, user: str = "finance") -> dict[str, tuple[D, D, D]]:
    with world.make_uow(read_only=True) as uow:
        found = live_reconciliation(uow, world.principal(user))
    return {a.code: (a.subledger, a.gl, a.difference) for a in found.accounts} | {
        "reconciled": found.reconciled  # type: ignore[dict-item]
    }


def test_a_disbursed_loan_is_in_both_books(world: World) -> None:
    disbursed(world)
    assert _check(world) == {
        "1132": (D("0.00"), D("0.00"), D("0.00")),
        "122101": (D("0.00"), D("0.00"), D("0.00")),
        "122102": (D("0.00"), D("0.00"), D("0.00")),
        "1303": (D("12000.00"), D("12000.00"), D("0.00")),
        "1304": (D("0.00"), D("0.00"), D("0.00")),
        "224101": (D("0.00"), D("0.00"), D("0.00")),
        "7001": (D("0.00"), D("0.00"), D("0.00")),
        "reconciled": True,
    }


def test_a_credit_balance_is_the_borrowers_money_in_224101(world: World) -> None:
    """1,500.00 paid on the day of disbursement: 1,500.00 kept as credit (nothing is due yet),
    a liability, credit-side (debit-positive -1,500.00) in both books."""
    loan = disbursed(world)
    with world.make_uow() as uow:
        loans.repay(
            uow, world.principal("finance"), loan_id=loan.id, amount="1500.00", now=world.now
        )
        uow.commit()
    found = _check(world)
    assert found["224101"] == (D("-1500.00"), D("-1500.00"), D("0.00"))
    assert found["1303"] == (D("12000.00"), D("12000.00"), D("0.00"))
    assert found["reconciled"] is True


def test_a_sub_ledger_that_drifted_from_the_ledger_shows_its_difference(world: World) -> None:
    loan = disbursed(world)
    with world.make_uow() as uow:  # as a bug outside the command path would leave it
        uow.session.execute(
            update(Loan).where(Loan.id == loan.id).values(outstanding_principal_minor=1_190_000)
        )
        uow.commit()
    found = _check(world)
    assert found["1303"] == (D("11900.00"), D("12000.00"), D("-100.00"))
    assert found["reconciled"] is False


def test_it_needs_the_ledger_view(world: World) -> None:
    with world.make_uow(read_only=True) as uow, pytest.raises(Forbidden):
        live_reconciliation(uow, world.principal("officer_a"))


def test_an_office_scoped_viewer_gets_no_company_wide_figures(world: World) -> None:
    branch = replace(
        world.principal("finance"),
        scope=DataScope.OFFICE,
        office_ids=frozenset({world.offices["a"]}),
    )
    with world.make_uow(read_only=True) as uow, pytest.raises(Forbidden) as refused:
        live_reconciliation(uow, branch)
    assert refused.value.code == "company_scope_needed"

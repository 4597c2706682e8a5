"""The company's choice of daily accrual vouchers: per loan (default) or summarised."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden, ValidationFailed
from tests.seed import World


def test_accruals_are_per_loan_until_the_company_chooses_summary(world: World) -> None:
    admin = world.principal("admin")
    with world.make_uow(read_only=True) as uow:
        assert ledger.accrual_vouchers(uow, world.company_id) is ledger.AccrualVouchers.PER_LOAN
    with world.make_uow() as uow:
        chosen = ledger.set_accrual_vouchers(uow, admin, mode="summary", now=world.now)
        uow.commit()
    assert chosen is ledger.AccrualVouchers.SUMMARY
    with world.make_uow(read_only=True) as uow:
        assert ledger.accrual_vouchers(uow, world.company_id) is ledger.AccrualVouchers.SUMMARY
        assert ledger.ledger_settings(uow, world.principal("auditor")) == "summary"
        audit = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.command == "accounting.settings.set")
        ).one()
    assert audit.entity_id == str(world.company_id)
    with world.make_uow() as uow:
        ledger.set_accrual_vouchers(uow, admin, mode="per_loan", now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        assert ledger.accrual_vouchers(uow, world.company_id) is ledger.AccrualVouchers.PER_LOAN


def test_only_the_chart_keeper_sets_it_and_only_to_a_known_mode(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(Forbidden):
        ledger.set_accrual_vouchers(uow, world.principal("finance"), mode="summary", now=world.now)
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        ledger.set_accrual_vouchers(uow, world.principal("admin"), mode="weekly", now=world.now)

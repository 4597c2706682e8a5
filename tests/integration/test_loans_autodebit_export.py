"""The auto-debit file handed out (``loans.autodebit_export``): the audit record is committed
from a read-only unit of work that never commits, names the bytes handed out, and is refused
with the export to a user without ``loans.repay``."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden
from microlend.loans.autodebit_export import EXPORT_COMMAND, csv_bytes, export_run
from tests.integration.loans_support import add_bank_account, disbursed, set_business_date
from tests.seed import World


def _exports(world: World) -> list[AuditRecord]:
    with world.make_uow(read_only=True) as uow:
        query = select(AuditRecord).where(AuditRecord.command == EXPORT_COMMAND)
        return list(uow.session.scalars(query.order_by(AuditRecord.seq)))


def test_the_record_outlives_the_read_only_unit_of_work(world: World) -> None:
    loan = disbursed(world)
    add_bank_account(world, loan.customer_id, "6222020200001234567")
    set_business_date(world, date(2025, 2, 15))
    finance = world.principal("finance")
    with world.make_uow(read_only=True) as uow:
        run, content = export_run(
            uow, finance, on=None, format="csv", render=csv_bytes, now=world.now
        )
    assert [line.account.account_no for line in run.lines] == ["6222020200001234567"]
    assert content.startswith("\ufeff".encode()) and b"6222020200001234567" in content
    [record] = _exports(world)
    assert (record.user_id, record.company_id, record.address) == (
        finance.user_id,
        world.company_id,
        "test",
    )
    assert record.change_digest == hashlib.sha256(content).hexdigest()
    with world.make_uow(read_only=True) as uow:
        assert auth.verify_audit(uow, world.principal("auditor")) == []
    with world.make_uow(read_only=True) as uow, pytest.raises(Forbidden):
        export_run(
            uow,
            world.principal("officer_a"),
            on=None,
            format="json",
            render=csv_bytes,
            now=world.now,
        )
    assert len(_exports(world)) == 1

"""A batch's vouchers and audit records are written by the flush's one statement in work that
grows with their number, not with its square (accounting/voucher_statement.py, db/audit.py
``_LINK``). Two plans did otherwise: the vouchers written were joined back to their documents to
find their lines, a nested loop over every pair (the planner is told of one row each side); and
the audit chain's recursion read every record again at each step to find the next. For 200
lines of a bank file they cost 14 of a write's 48 ms.

The statement is explained with ``ANALYZE`` (it runs, in a transaction rolled back) for a batch
and for one twice its size: the most rows a node of the plan handles must grow about twice, not
four times."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text

from microlend.accounting import service as ledger
from microlend.accounting.tables import Voucher, VoucherLine
from microlend.db.audit import Actor, append_audit
from microlend.db.bulk import _combined, _merged
from tests.ledger_support import event, post
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
BATCH = 60
DAY = date(2025, 3, 3)


def _largest_work(plan: dict[str, Any]) -> int:
    """The most rows one node of a plan produced or threw away, over all its loops."""
    loops = plan.get("Actual Loops", 1)
    here = plan.get("Actual Rows", 0) * loops
    here += plan.get("Rows Removed by Join Filter", 0) + plan.get("Rows Removed by Filter", 0)
    return max([here, *(_largest_work(child) for child in plan.get("Plans", []))])


def _written(world: World, count: int, tag: str) -> int:
    """The largest work of one node of the plan of the statement writing ``count`` vouchers
    (two lines each) and as many audit records."""
    finance = world.principal("finance")
    with world.make_uow() as uow:
        for n in range(count):
            posted = event(world, "fee_charge", f"{tag}-{n}", DAY, fee="1.00")
            ledger.post_staged(uow, finance, events=[posted], now=world.now)
            append_audit(
                uow.session,
                actor=Actor.of(finance),
                command=tag,
                outcome="ok",
                input_digest=f"{n:064d}",
                now=world.now,
                staged=uow.staged,
            )
        statement, params = _combined(_merged(uow.staged.steps))
        uow.staged.discard()
        plan = uow.session.execute(
            text(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}"), params
        ).scalar_one()[0]
        lines = uow.session.execute(
            select(func.count(VoucherLine.voucher_id))
            .join(Voucher, Voucher.id == VoucherLine.voucher_id)
            .where(Voucher.idempotency_key.like(f"{tag}-%"))
        ).scalar_one()
        chained = uow.session.execute(
            text("SELECT count(*) FROM audit_log WHERE command = :tag"), {"tag": tag}
        ).scalar_one()
        uow.rollback()
    assert (lines, chained) == (2 * count, count)  # the statement did write them all
    return _largest_work(plan["Plan"])


def test_a_batch_of_vouchers_and_audit_records_is_written_in_linear_work(world: World) -> None:
    post(world, world.principal("finance"), event(world, "fee_charge", "warm-up", DAY, fee="1"))
    small, large = _written(world, BATCH, "small"), _written(world, 2 * BATCH, "large")
    assert large < 2.5 * small, (small, large)  # twice the batch: twice the work, not four times

"""PostgreSQL's last word on a voucher (``ledger_voucher_balanced``, migration 0020): at commit,
each voucher written has at least two lines and balances in every currency, however its rows
were written: in one transaction with the voucher (whose own check then covers the lines), in a
savepoint of it, or a line added later to a voucher of another transaction (the existing test
``test_postgres_refuses_an_unbalanced_voucher_at_commit``)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.ledger_support import event, post
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
JAN = date(2025, 1, 10)


def _copy_voucher(session: Session, voucher_id: int, key: str) -> int:
    """A new voucher with the header of ``voucher_id`` (no lines yet)."""
    made: int = session.execute(
        text(
            "INSERT INTO vouchers (company_id, office_id, number, period, business_date,"
            " entered_at, kind, summary, idempotency_key, fingerprint, created_by)"
            " SELECT company_id, office_id, :key, period, business_date, entered_at, kind,"
            " summary, :key, fingerprint, created_by FROM vouchers WHERE id = :id RETURNING id"
        ),
        {"key": key, "id": voucher_id},
    ).scalar_one()
    return made


def _add_line(session: Session, voucher_id: int, source: int, line_no: int, amount: int) -> None:
    """A line on ``voucher_id`` like line ``line_no`` of voucher ``source``, of ``amount``."""
    session.execute(
        text(
            "INSERT INTO voucher_lines (voucher_id, line_no, company_id, office_id,"
            " business_date, account_id, side, amount_minor, currency, memo)"
            " SELECT :made, line_no, company_id, office_id, business_date, account_id, side,"
            " :amount, currency, '' FROM voucher_lines WHERE voucher_id = :source"
            " AND line_no = :line_no"
        ),
        {"made": voucher_id, "source": source, "line_no": line_no, "amount": amount},
    )


@pytest.mark.parametrize("in_savepoint", [False, True])
@pytest.mark.parametrize(
    ("amounts", "refusal"),
    [
        ((10_000, 9_000), "does not balance in CNY"),
        ((10_000,), "has 1 line"),
        ((), "has 0 line"),
    ],
)
def test_a_voucher_written_with_its_lines_is_checked_whole_at_commit(
    world: World, in_savepoint: bool, amounts: tuple[int, ...], refusal: str
) -> None:
    model = post(
        world, world.principal("finance"), event(world, "disbursement", "d:1", JAN, principal="100")
    )
    with world.make_uow() as uow:
        savepoint = uow.session.begin_nested() if in_savepoint else None
        made = _copy_voucher(uow.session, model.id, "forged")
        for line_no, amount in enumerate(amounts, start=1):
            _add_line(uow.session, made, model.id, line_no, amount)
        if savepoint is not None:
            savepoint.commit()  # released: its rows are the transaction's
        with pytest.raises(DBAPIError, match=refusal):
            uow.commit()


def test_a_balanced_voucher_written_with_its_lines_is_kept(world: World) -> None:
    model = post(
        world, world.principal("finance"), event(world, "disbursement", "d:1", JAN, principal="100")
    )
    with world.make_uow() as uow:
        made = _copy_voucher(uow.session, model.id, "copied")
        _add_line(uow.session, made, model.id, 1, 2_500)
        _add_line(uow.session, made, model.id, 2, 2_500)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        lines = uow.session.execute(
            text("SELECT side, amount_minor FROM voucher_lines WHERE voucher_id = :id"),
            {"id": made},
        ).all()
    assert sorted(lines) == [("C", 2_500), ("D", 2_500)]

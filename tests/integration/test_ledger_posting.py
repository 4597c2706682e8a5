"""Posting business events: rules, idempotency, gapless numbers, closed periods, reversals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from microlend.accounting import service as ledger
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from tests.ledger_support import closing_balances, event, post
from tests.seed import World

JAN = date(2025, 1, 10)


def test_a_disbursement_posts_one_balanced_voucher(world: World) -> None:
    finance = world.principal("finance")
    voucher = post(world, finance, event(world, "disbursement", "d:1", JAN, principal="10000.00"))
    assert voucher.number == "2025-01-000001"
    assert [(line.account_code, line.side, line.amount) for line in voucher.lines] == [
        ("130301", "D", 10000),
        ("1002", "C", 10000),
    ]
    assert voucher.lines[0].loan_id == 1 and voucher.lines[0].office_id == world.offices["hq"]


def test_zero_roles_are_skipped_and_unknown_roles_refused(world: World) -> None:
    finance = world.principal("finance")
    voucher = post(
        world,
        finance,
        event(world, "repayment", "r:1", JAN, principal="100", interest_income="0", penalty="0.00"),
    )
    assert len(voucher.lines) == 2
    with pytest.raises(RuleViolation) as refused:
        post(world, finance, event(world, "repayment", "r:2", JAN, bonus="1"))
    assert refused.value.code == "no_posting_rule"
    with pytest.raises(ValidationFailed):
        post(world, finance, event(world, "repayment", "r:3", JAN, principal="0.001"))


def test_the_same_key_posts_once_and_other_amounts_conflict(world: World) -> None:
    finance = world.principal("finance")
    first = post(world, finance, event(world, "disbursement", "d:7", JAN, principal="500"))
    again = post(world, finance, event(world, "disbursement", "d:7", JAN, principal="500.00"))
    assert again.id == first.id and again.number == first.number
    with pytest.raises(Conflict) as conflict:
        post(world, finance, event(world, "disbursement", "d:7", JAN, principal="501"))
    assert conflict.value.code == "event_key_reused"
    with world.make_uow(read_only=True) as uow:
        assert len(ledger.list_vouchers(uow, finance).items) == 1


def test_numbers_run_per_company_and_month(world: World) -> None:
    finance = world.principal("finance")
    numbers = [
        post(world, finance, event(world, "fee_charge", f"f:{n}", day, fee="1")).number
        for n, day in enumerate([JAN, JAN, date(2025, 2, 1), JAN])
    ]
    assert numbers == ["2025-01-000001", "2025-01-000002", "2025-02-000001", "2025-01-000003"]


def test_a_product_rule_overrides_the_default(world: World) -> None:
    admin, finance = world.principal("admin"), world.principal("finance")
    with world.make_uow() as uow:
        assert ledger.open_books(uow, admin, now=world.now) is True
        ledger.set_rule(
            uow,
            admin,
            event_type="fee_charge",
            role="fee",
            debit_code="1002",
            credit_code="6021",
            product_code="CASH",
            now=world.now,
        )
        uow.commit()
    special = post(world, finance, event(world, "fee_charge", "f:p", JAN, product="CASH", fee="5"))
    plain = post(world, finance, event(world, "fee_charge", "f:q", JAN, product="OTHER", fee="5"))
    assert special.lines[0].account_code == "1002"
    assert plain.lines[0].account_code == "122101"


def test_a_closed_period_refuses_postings_until_reopened(world: World) -> None:
    finance, admin = world.principal("finance"), world.principal("admin")
    post(world, finance, event(world, "disbursement", "d:1", JAN, principal="100"))
    with world.make_uow() as uow:
        closed = ledger.close_period(uow, finance, period="2025-01", now=world.now)
        uow.commit()
    assert isinstance(closed, ledger.PeriodView) and closed.status == "closed"
    with pytest.raises(RuleViolation) as refused:
        post(world, finance, event(world, "disbursement", "d:2", date(2025, 1, 31), principal="1"))
    assert refused.value.code == "period_closed"
    with pytest.raises(RuleViolation):  # a month before a closed one is closed too
        post(world, finance, event(world, "disbursement", "d:3", date(2024, 12, 1), principal="1"))
    with world.make_uow() as uow, pytest.raises(Forbidden):
        ledger.reopen_period(uow, finance, period="2025-01", reason="fix", now=world.now)
    with world.make_uow() as uow:
        ledger.reopen_period(uow, admin, period="2025-01", reason="late invoice", now=world.now)
        uow.commit()
    assert post(world, finance, event(world, "disbursement", "d:2", JAN, principal="1")).number == (
        "2025-01-000002"
    )
    with world.make_uow(read_only=True) as uow:
        outcomes = uow.session.scalars(
            select(AuditRecord.outcome).where(AuditRecord.command == "accounting.period.reopen")
        ).all()
    assert outcomes == ["denied", "ok"]


def test_reversal_is_red_ink_and_returns_the_accounts_to_zero(world: World) -> None:
    finance = world.principal("finance")
    original = post(
        world, finance, event(world, "repayment", "r:1", JAN, principal="80", interest_income="20")
    )
    with world.make_uow() as uow:
        reversal = ledger.reverse_voucher(
            uow, finance, voucher_id=original.id, business_date=JAN, reason="bounced", now=world.now
        )
        uow.commit()
    assert isinstance(reversal, ledger.VoucherView)
    assert reversal.reverses_id == original.id and reversal.kind == "reversal"
    assert [(x.account_code, x.side, x.amount) for x in reversal.lines] == [
        (x.account_code, x.side, -x.amount) for x in original.lines
    ]
    with world.make_uow(read_only=True) as uow:
        assert closing_balances(uow, finance, JAN, JAN) == {}
    with world.make_uow() as uow, pytest.raises(Conflict):
        ledger.reverse_voucher(
            uow, finance, voucher_id=original.id, business_date=JAN, reason="", now=world.now
        )


def test_reverse_event_by_key(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "interest_accrual", "a:1", JAN, interest="3.21"))
    with world.make_uow() as uow:
        reversal = ledger.reverse_event(
            uow,
            finance,
            company_id=world.company_id,
            idempotency_key="a:1",
            business_date=JAN,
            now=world.now,
        )
        uow.commit()
    assert reversal.summary.startswith("冲销 2025-01-000001")


def test_voucher_lines_are_append_only(world: World, db_backend: str) -> None:
    finance = world.principal("finance")
    voucher = post(world, finance, event(world, "disbursement", "d:1", JAN, principal="100"))
    for statement in (
        f"UPDATE voucher_lines SET amount_minor = 1 WHERE voucher_id = {voucher.id}",
        f"DELETE FROM voucher_lines WHERE voucher_id = {voucher.id}",
        f"DELETE FROM vouchers WHERE id = {voucher.id}",
    ):
        with world.make_uow() as uow, pytest.raises(DBAPIError):
            uow.session.execute(text(statement))


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_postgres_refuses_an_unbalanced_voucher_at_commit(world: World) -> None:
    finance = world.principal("finance")
    voucher = post(world, finance, event(world, "disbursement", "d:1", JAN, principal="100"))
    with world.make_uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO voucher_lines (voucher_id, line_no, company_id, office_id,"
                " business_date, account_id, side, amount_minor, currency, memo)"
                " SELECT voucher_id, 99, company_id, office_id, business_date, account_id, 'D',"
                f" 5, currency, 'forged' FROM voucher_lines WHERE voucher_id = {voucher.id}"
                " AND line_no = 1"
            )
        )
        with pytest.raises(DBAPIError, match="does not balance"):
            uow.commit()


def test_a_days_accruals_post_as_one_summarised_voucher(world: World) -> None:
    finance = world.principal("finance")
    accruals = [
        event(world, "interest_accrual", f"accrual:{n}:2025-01-10", JAN, interest=amount)
        for n, amount in enumerate(["1.10", "2.20", "3.30"])
    ]

    def post_batch() -> ledger.VoucherView:
        with world.make_uow() as uow:
            voucher = ledger.post_summary(
                uow,
                finance,
                events=accruals,
                idempotency_key="accrual:hq:2025-01-10",
                summary="汇总计提利息",
                now=world.now,
            )
            uow.commit()
        return voucher

    voucher = post_batch()
    assert [(x.account_code, x.side, x.amount, x.loan_id) for x in voucher.lines] == [
        ("1132", "D", Decimal("6.60"), None),
        ("6011", "C", Decimal("6.60"), None),
    ]
    assert post_batch().id == voucher.id

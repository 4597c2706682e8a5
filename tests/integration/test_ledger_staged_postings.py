"""Vouchers staged with a command's rows (``post_staged``), numbered by its last statement on
PostgreSQL: gapless beside the other postings and under two threads, a month's first posting
makes its period, a closed period refuses the whole command, a key keeps one voucher, and a
posting rule changed since the process read it is read again."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError

from microlend.accounting import service as ledger
from microlend.accounting.tables import LedgerPeriod, Voucher, VoucherLine
from microlend.db.audit import Actor, append_audit
from microlend.kernel.errors import Conflict, RuleViolation
from microlend.loans import service as loans
from microlend.loans.batch import repay_batch
from tests.integration.loans_support import disbursed, set_business_date
from tests.integration.test_races import in_two_threads, waiting_on_a_lock
from tests.ledger_support import event, post
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
DAY = date(2025, 3, 3)


def staged(world: World, posted: list[ledger.LedgerEvent]) -> None:
    with world.make_uow() as uow:
        ledger.post_staged(uow, world.principal("finance"), events=posted, now=world.now)
        uow.commit()


def numbers(world: World, period: str) -> list[str]:
    with world.make_uow(read_only=True) as uow:
        found = uow.session.scalars(
            select(Voucher.number).where(Voucher.period == period).order_by(Voucher.number)
        )
        return list(found)


def last_number(world: World, period: str) -> int | None:
    with world.make_uow(read_only=True) as uow:
        return uow.session.scalar(
            select(LedgerPeriod.last_number).where(
                LedgerPeriod.company_id == world.company_id, LedgerPeriod.period == period
            )
        )


def close_directly(world: World, period: str) -> None:
    """The period closed as ``close_period`` leaves it (without its checks of the days)."""
    with world.make_uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO ledger_periods (company_id, period, status, last_number) "
                "VALUES (:company, :period, 'closed', 0) ON CONFLICT (company_id, period) "
                "DO UPDATE SET status = 'closed'"
            ),
            {"company": world.company_id, "period": period},
        )
        uow.commit()


def test_staged_and_direct_posts_of_two_threads_get_gapless_numbers(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "warm-up", DAY, fee="1"))

    def post_both_ways(index: int) -> object:
        for n in range(12):
            if index == 0 or n % 2:
                fees = [
                    event(world, "fee_charge", f"t{index}:{n}:{k}", DAY, fee="1") for k in (0, 1)
                ]
                staged(world, fees)
            else:
                post(world, finance, event(world, "fee_charge", f"t{index}:{n}", DAY, fee="1"))
        return None

    assert in_two_threads(post_both_ways) == [None, None]
    count = 1 + 12 * 2 + 6 * 2 + 6
    assert numbers(world, "2025-03") == [f"2025-03-{n:06d}" for n in range(1, count + 1)]
    assert last_number(world, "2025-03") == count
    with world.make_uow(read_only=True) as uow:
        assert ledger.check_ledger(uow, finance) == []


def test_a_months_first_staged_posting_makes_its_period(world: World) -> None:
    post(world, world.principal("finance"), event(world, "fee_charge", "march", DAY, fee="1"))
    april = date(2025, 4, 1)
    assert last_number(world, "2025-04") is None
    staged(world, [event(world, "fee_charge", f"april:{k}", april, fee="2") for k in (0, 1)])
    staged(world, [event(world, "fee_charge", "april:2", april, fee="2")])
    assert numbers(world, "2025-04") == ["2025-04-000001", "2025-04-000002", "2025-04-000003"]
    assert last_number(world, "2025-04") == 3
    with world.make_uow(read_only=True) as uow:
        assert ledger.check_ledger(uow, world.principal("finance")) == []


def test_a_replayed_key_makes_no_voucher_and_other_amounts_are_refused(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "k", DAY, fee="1"))
    staged(world, [event(world, "fee_charge", "k", DAY, fee="1")])
    assert numbers(world, "2025-03") == ["2025-03-000001"]
    with pytest.raises(Conflict) as refused:
        staged(world, [event(world, "fee_charge", "k", DAY, fee="2")])
    assert refused.value.code == "event_key_reused"
    assert refused.value.extra == {"voucher": "2025-03-000001"}
    assert last_number(world, "2025-03") == 1


def test_a_rule_changed_since_it_was_read_is_read_again(world: World) -> None:
    staged(world, [event(world, "fee_charge", "before", DAY, fee="1")])  # the process reads it
    with world.make_uow() as uow:
        uow.session.execute(
            text(
                "UPDATE posting_rules SET credit_account_id = (SELECT id FROM ledger_accounts "
                "WHERE company_id = :company AND code = '6011') "
                "WHERE company_id = :company AND event_type = 'fee_charge' AND role = 'fee'"
            ),
            {"company": world.company_id},
        )
        uow.commit()
    staged(world, [event(world, "fee_charge", "after", DAY, fee="1")])
    with world.make_uow(read_only=True) as uow:
        credited = uow.session.scalars(
            text(
                "SELECT a.code FROM voucher_lines AS l JOIN vouchers AS v ON v.id = l.voucher_id "
                "JOIN ledger_accounts AS a ON a.id = l.account_id "
                "WHERE l.side = 'C' ORDER BY v.number"
            )
        ).all()
    assert credited == ["6021", "6011"]
    assert numbers(world, "2025-03") == ["2025-03-000001", "2025-03-000002"]


def books_changed(world: World, sql: str) -> None:
    with world.make_uow() as uow:
        uow.session.execute(text(sql), {"company": world.company_id})
        uow.commit()


def books_version(world: World) -> int | None:
    with world.make_uow(read_only=True) as uow:
        return uow.session.scalar(
            text("SELECT version FROM ledger_books_versions WHERE company_id = :company"),
            {"company": world.company_id},
        )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            "UPDATE ledger_accounts SET active = false "
            "WHERE company_id = :company AND code = '6021'",
            "inactive_account",
        ),
        (
            "INSERT INTO ledger_accounts (company_id, code, name_zh, name_en, type, normal_side, "
            "parent_id, active, created_at) SELECT company_id, '602101', '子科目', 'Sub-account', "
            "type, normal_side, id, true, created_at FROM ledger_accounts "
            "WHERE company_id = :company AND code = '6021'",
            "parent_account",
        ),
    ],
    ids=["made inactive", "given a sub-account"],
)
def test_an_account_changed_since_it_was_read_is_read_again(
    world: World, change: str, code: str
) -> None:
    staged(world, [event(world, "fee_charge", "before", DAY, fee="1")])  # the process reads it
    books_changed(world, change)
    with pytest.raises(RuleViolation) as refused:
        staged(world, [event(world, "fee_charge", "after", DAY, fee="1")])
    assert refused.value.code == code
    assert numbers(world, "2025-03") == ["2025-03-000001"]


def test_every_change_to_the_chart_or_the_rules_moves_the_books_count(world: World) -> None:
    staged(world, [event(world, "fee_charge", "first", DAY, fee="1")])  # books seeded
    counts = [books_version(world)]
    for change in (
        "UPDATE ledger_accounts SET name_en = name_en || '.' "
        "WHERE company_id = :company AND code = '6021'",
        "INSERT INTO posting_rules (company_id, event_type, product_code, role, "
        "debit_account_id, credit_account_id) SELECT company_id, event_type, 'P9', role, "
        "debit_account_id, credit_account_id FROM posting_rules "
        "WHERE company_id = :company AND event_type = 'fee_charge' AND product_code = ''",
        "DELETE FROM posting_rules WHERE company_id = :company AND product_code = 'P9'",
    ):
        books_changed(world, change)
        counts.append(books_version(world))
    first = counts[0]
    assert first is not None and first > 0
    assert counts == [first, first + 1, first + 2, first + 3]


@pytest.mark.parametrize("how", ["one", "batch"])
def test_a_closed_period_refuses_a_repayment_whole(world: World, how: str) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    close_directly(world, "2025-02")
    finance = world.principal("finance")
    with pytest.raises(RuleViolation) as refused, world.make_uow() as uow:
        if how == "one":
            loans.repay(uow, finance, loan_id=loan.id, amount="1120.00", now=world.now)
        else:
            rows = [{"loan_id": loan.id, "amount": "1120.00", "external_reference": "B1"}]
            repay_batch(uow, finance, rows, now=world.now)
        uow.commit()
    assert refused.value.code == "period_closed"
    assert str(refused.value) == "period 2025-02 is closed"
    assert last_number(world, "2025-02") == 0
    with world.make_uow(read_only=True) as uow:
        assert [e.kind for e in loans.events(uow, finance, loan_id=loan.id)] == ["disbursement"]
        assert (
            uow.session.scalar(
                select(VoucherLine.id).where(VoucherLine.business_date > date(2025, 1, 31))
            )
            is None
        )


def test_a_later_closed_period_refuses_a_repayment_and_makes_no_period(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    close_directly(world, "2025-03")
    finance = world.principal("finance")
    with pytest.raises(RuleViolation) as refused, world.make_uow() as uow:
        loans.repay(uow, finance, loan_id=loan.id, amount="1120.00", now=world.now)
        uow.commit()
    assert str(refused.value) == "period 2025-03 is closed, so 2025-02 is too"
    assert last_number(world, "2025-02") is None


def test_a_close_during_staged_posts_takes_the_numbers_before_it(world: World) -> None:
    staged(world, [event(world, "fee_charge", "first", DAY, fee="1")])
    set_business_date(world, date(2025, 4, 1))
    finance = world.principal("finance")

    def post_or_close(index: int) -> object:
        if index == 1:
            with world.make_uow() as uow:
                ledger.close_period(uow, finance, period="2025-03", now=world.now)
                uow.commit()
            return None
        refused = []
        for n in range(10):
            try:
                staged(world, [event(world, "fee_charge", f"p{n}", DAY, fee="1")])
            except RuleViolation as error:
                refused.append((n, error.code))
        return refused

    refused, closed = in_two_threads(post_or_close)
    assert closed is None and isinstance(refused, list)
    assert all(code == "period_closed" for _n, code in refused)
    first = refused[0][0] if refused else 10
    assert [n for n, _code in refused] == list(range(first, 10))  # none after the close
    count = 1 + first
    assert numbers(world, "2025-03") == [f"2025-03-{n:06d}" for n in range(1, count + 1)]
    assert last_number(world, "2025-03") == count
    with world.make_uow(read_only=True) as uow:
        assert ledger.check_ledger(uow, finance) == []


def test_the_final_statement_locks_the_period_before_the_audit_head(
    world: World, engine: Engine
) -> None:
    """The lock order of every posting (period, then audit head) holds inside the statement:
    while another transaction holds the head, the waiting statement holds the period."""
    staged(world, [event(world, "fee_charge", "first", DAY, fee="1")])
    head_held, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold_head() -> None:
        with world.make_uow() as uow:
            uow.session.execute(text("SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE"))
            head_held.set()
            release.wait(30)

    def post_one() -> None:
        try:
            with world.make_uow() as uow:
                finance = world.principal("finance")
                posted = [event(world, "fee_charge", "waits", DAY, fee="1")]
                ledger.post_staged(uow, finance, events=posted, now=world.now)
                append_audit(
                    uow.session,
                    actor=Actor.of(finance),
                    command="test",
                    outcome="ok",
                    input_digest="-",
                    now=world.now,
                    staged=uow.staged,
                )
                uow.commit()
        except BaseException as error:  # reported by the assertions below
            failed.append(error)

    holder = threading.Thread(target=hold_head)
    holder.start()
    assert head_held.wait(30)
    poster = threading.Thread(target=post_one)
    poster.start()
    try:
        deadline = time.monotonic() + 30
        while not waiting_on_a_lock(engine) and poster.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_a_lock(engine) == 1, failed
        with world.make_uow() as uow, pytest.raises(OperationalError):
            # the waiting statement holds the period
            uow.session.execute(
                text("SELECT 1 FROM ledger_periods WHERE period = '2025-03' FOR UPDATE NOWAIT")
            )
    finally:
        release.set()
        holder.join(30)
        poster.join(30)
    assert failed == []
    assert numbers(world, "2025-03") == ["2025-03-000001", "2025-03-000002"]

"""The loans' close of business (accrual, due and overdue, penalty, DPD, classification,
provisions) run by the close-of-business runner on SQLite and PostgreSQL, against figures
worked out by hand.

Two loans, each 12,000.00 CNY, 等额本金, 12 months at 12 % a year (30/360, 1 % a month),
disbursed 2025-01-15; installment 1 due 2025-02-15: principal 1,000.00 + interest 120.00;
installment 2 due 2025-03-15: 1,000.00 + 11,000 x 1 % = 110.00. Penalty: 12 % x 1.5 / 360 =
0.05 % a day; on 1,000.00 that is 0.50 a day.

* Loan A misses 15 Feb and pays 1,125.00 on 25 Feb (10 days: 5.00 penalty, 120.00, 1,000.00).
* Loan B pays 1,120.00 on 15 Feb, before that day's close of business.

Accrual (30/360, 15 Jan to 15 Feb = 30 days): after the close of 25 Jan, 120.00 x 10/30 = 40.00;
after 14 Feb, 120.00 x 29/30 = 116.00; after 15 Feb, 120.00 (loan A). Loan B's 15 Feb payment
collects the 116.00 booked and takes 4.00 as income, so the close of 15 Feb books nothing more.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update

from microlend.accounting import service as ledger
from microlend.accounting.tables import LedgerSetting, Voucher
from microlend.db.uow import SessionFactory, UnitOfWork
from microlend.eod.runner import run_close_of_business
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans import service as loans
from microlend.loans.close_accrual import accrue
from microlend.loans.close_delinquency import delinquency
from microlend.loans.close_overdue import due_and_overdue
from microlend.loans.close_penalty import charge_penalty
from microlend.loans.close_vouchers import post_day
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanAccrual, LoanClassification, LoanRisk
from microlend.risk.close_classification import classify, provide
from microlend.risk.close_provisions import post_provisions
from microlend.risk.model import Category, provision
from microlend.risk.model import classify as classify_rule
from tests.integration.loans_support import D, disbursed
from tests.seed import World


def clock() -> datetime:
    return datetime.now(UTC)


def close(session_factory: SessionFactory, world: World, target: date) -> None:
    summary = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=target, now=clock
    )
    assert summary.status in ("done", "nothing"), summary


def accrued(world: World, loan_id: int, through: date) -> Decimal:
    with world.make_uow(read_only=True) as uow:
        total = uow.session.execute(
            select(func.coalesce(func.sum(LoanAccrual.interest_minor), 0)).where(
                LoanAccrual.loan_id == loan_id, LoanAccrual.business_date <= through
            )
        ).scalar_one()
    return D(int(total)) / 100


def loan_row(world: World, loan_id: int) -> Loan:
    with world.make_uow(read_only=True) as uow:
        loan = uow.session.get(Loan, loan_id)
        assert loan is not None
        uow.session.expunge(loan)
        return loan


def risk_row(world: World, loan_id: int) -> LoanRisk:
    with world.make_uow(read_only=True) as uow:
        risk = uow.session.get(LoanRisk, loan_id)
        assert risk is not None
        uow.session.expunge(risk)
        return risk


def gl(world: World, code: str, day: date) -> Decimal:
    with world.make_uow(read_only=True) as uow:
        return ledger.account_balance(uow, world.principal("admin"), code=code, as_of=day)


def repay(world: World, loan_id: int, amount: str) -> None:
    with world.make_uow() as uow:
        loans.repay(uow, world.principal("finance"), loan_id=loan_id, amount=amount, now=world.now)
        uow.commit()


def test_close_of_business_over_two_months(world: World, session_factory: SessionFactory) -> None:
    a = disbursed(world, code="LA").id
    b = disbursed(world, code="LB", id_number="110105198001010032").id

    close(session_factory, world, date(2025, 1, 25))
    assert accrued(world, a, date(2025, 1, 25)) == D("40.00")
    assert loan_row(world, a).booked_interest_minor == 4000
    assert gl(world, "1132", date(2025, 1, 25)) == D("80.00")  # both loans

    close(session_factory, world, date(2025, 2, 14))
    assert accrued(world, a, date(2025, 2, 14)) == D("116.00")
    repay(world, b, "1120.00")  # business date 15 Feb, before its close
    close(session_factory, world, date(2025, 2, 15))
    assert accrued(world, a, date(2025, 2, 15)) == D("120.00")  # = installment 1's interest
    assert accrued(world, b, date(2025, 2, 15)) == D("116.00")  # + 4.00 cash-basis income
    assert loan_row(world, b).booked_interest_minor == 0

    close(session_factory, world, date(2025, 2, 24))
    late = loan_row(world, a)
    assert late.status == "overdue"
    assert late.days_past_due == 9  # 24 Feb - 15 Feb
    assert late.booked_overdue_principal_minor == 100000
    assert late.booked_penalty_minor == 450  # 9 nights x 0.50
    with world.make_uow(read_only=True) as uow:
        position = loans.loan_position(
            uow, world.principal("finance"), loan_id=a, as_of=date(2025, 2, 24)
        )
    assert position.penalty_charged == D("4.50")
    assert position.days_past_due == 9
    risk = risk_row(world, a)
    assert (risk.bucket, risk.category, risk.stage) == ("M1", "special_mention", 1)
    assert risk.allowance_minor == 36000  # 12,000.00 x 3 %
    assert risk_row(world, b).allowance_minor == 16500  # 11,000.00 x 1.5 %
    assert gl(world, "130302", date(2025, 2, 24)) == D("1000.00")
    assert gl(world, "122102", date(2025, 2, 24)) == D("4.50")
    assert gl(world, "1304", date(2025, 2, 24)) == D("-525.00")

    repay(world, a, "1125.00")  # 25 Feb: 5.00 penalty, 120.00 interest, 1,000.00 principal
    after = loan_row(world, a)
    assert (after.booked_penalty_minor, after.booked_overdue_principal_minor) == (0, 0)
    close(session_factory, world, date(2025, 3, 16))
    assert accrued(world, a, date(2025, 3, 15)) == D("230.00")  # 120.00 + 110.00
    a_now = loan_row(world, a)
    assert a_now.days_past_due == 1 and a_now.max_days_past_due == 9  # installment 2
    # installment 3 (due 15 Apr): 10,000 x 1 % = 100.00, 1 of 30 days accrued by 16 Mar: 3.33
    assert a_now.booked_interest_minor == 11000 + 333  # installment 2 unpaid, due 15 Mar
    assert gl(world, "1132", date(2025, 3, 16)) == D("226.66")  # both loans alike
    assert gl(world, "130302", date(2025, 3, 16)) == D("2000.00")  # installment 2 of each
    assert gl(world, "122102", date(2025, 3, 16)) == D("1.00")  # 1 night x 0.50 x 2 loans
    with world.make_uow(read_only=True) as uow:
        history = uow.session.execute(
            select(LoanClassification.business_date, LoanClassification.category)
            .where(LoanClassification.loan_id == a)
            .order_by(LoanClassification.business_date)
        ).all()
    assert history == [
        (date(2025, 1, 15), "normal"),
        (date(2025, 2, 16), "special_mention"),
        (date(2025, 2, 25), "normal"),
        (date(2025, 3, 16), "special_mention"),
    ]
    assert classify_rule(1).category is Category.SPECIAL_MENTION  # the same rule in SQL


def test_re_running_a_closed_day_posts_nothing(
    world: World, session_factory: SessionFactory
) -> None:
    a = disbursed(world, code="LA").id
    close(session_factory, world, date(2025, 2, 17))
    day = date(2025, 2, 17)

    def snapshot() -> tuple[object, ...]:
        with world.make_uow(read_only=True) as uow:
            vouchers = uow.session.scalar(select(func.count()).select_from(Voucher))
            accruals = uow.session.execute(
                select(func.count(), func.sum(LoanAccrual.interest_minor))
            ).one()
        loan = loan_row(world, a)
        return (vouchers, tuple(accruals), loan.booked_interest_minor,
                loan.booked_penalty_minor, loan.booked_overdue_principal_minor)  # fmt: skip

    before = snapshot()
    with UnitOfWork(session_factory) as uow:
        for step in (accrue, due_and_overdue, charge_penalty, delinquency, classify, provide):
            step(uow, world.company_id, day, a, a, now=world.now)
        post_day(uow, world.company_id, day, now=world.now)
        post_provisions(uow, world.company_id, day, now=world.now)
        uow.commit()
    assert snapshot() == before
    close(session_factory, world, day)  # a closed date: nothing to do
    assert snapshot() == before


def test_the_sql_rules_equal_risk_model(world: World, session_factory: SessionFactory) -> None:
    """Classification, stage, bucket and allowance in SQL against ``risk.model`` at each
    threshold (a loan's DPD, restructured flag and manual override set by hand)."""
    a = disbursed(world, code="LA").id
    day = date(2025, 1, 15)
    with UnitOfWork(session_factory) as uow:  # the risk row, made by the first classification
        classify(uow, world.company_id, day, a, a, now=world.now)
        uow.commit()
    overrides = (None, Category.SPECIAL_MENTION, Category.DOUBTFUL)
    for dpd in (0, 1, 30, 31, 60, 61, 90, 91, 270, 271, 360, 361):
        for restructured, override in itertools.product((False, True), overrides):
            case = (dpd, restructured, override)
            with UnitOfWork(session_factory) as uow:
                uow.session.execute(
                    update(Loan)
                    .where(Loan.id == a)
                    .values(days_past_due=dpd, restructured=restructured)
                )
                uow.session.execute(
                    update(LoanRisk)
                    .where(LoanRisk.loan_id == a)
                    .values(override_category=override and override.value)
                )
                classify(uow, world.company_id, day, a, a, now=world.now)
                provide(uow, world.company_id, day, a, a, now=world.now)
                uow.commit()
            risk = risk_row(world, a)
            rule = classify_rule(dpd, restructured=restructured, override=override)
            assert (risk.category, risk.computed_category, risk.stage, risk.bucket) == (
                rule.category.value,
                rule.computed.value,
                int(rule.stage),
                rule.bucket.value,
            ), case
            expected = provision(D("12000.00"), rule.category)
            assert risk.allowance_minor == int(expected * 100), case


def test_one_loans_day_is_posted_alone_and_the_company_run_skips_it(
    world: World, session_factory: SessionFactory
) -> None:
    """``post_day(..., loan_id=)`` (the inline close of one loan) posts that loan's rows with
    per-loan keys even under summary vouchers; the company's run then posts only the others."""
    a = disbursed(world, code="LA").id
    b = disbursed(world, code="LB", id_number="110105198001010032").id
    day = date(2025, 1, 25)  # 10 days of 30: 40.00 each
    with UnitOfWork(session_factory) as uow:
        uow.session.add(LedgerSetting(company_id=world.company_id, accrual_vouchers="summary"))
        accrue(uow, world.company_id, day, min(a, b), max(a, b), now=world.now)
        assert post_day(uow, world.company_id, day, now=world.now, loan_id=a) == {"vouchers": 1}
        assert post_day(uow, world.company_id, day, now=world.now, loan_id=a) == {}
        assert post_day(uow, world.company_id, day, now=world.now) == {"vouchers": 1}
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        keys = dict(
            uow.session.execute(
                select(Voucher.idempotency_key, func.count())
                .where(Voucher.kind == "interest_accrual")
                .group_by(Voucher.idempotency_key)
            ).all()
        )
        marks = dict(
            uow.session.execute(select(LoanAccrual.loan_id, LoanAccrual.voucher_key)).all()
        )
    office, product = world.offices["a"], "LB"
    assert keys == {
        f"interest_accrual:loan:{a}:2025-01-25": 1,
        f"interest_accrual:{world.company_id}:{office}:{product}:CNY:2025-01-25": 1,
    }
    assert marks == {a: f"close:loan:{a}:2025-01-25", b: "close:2025-01-25"}
    assert gl(world, "1132", day) == D("80.00")


def test_penalty_on_a_rounding_boundary_equals_the_engines(
    world: World, session_factory: SessionFactory
) -> None:
    """12 % x 1.5 / 365 on 1,186.25 (installment 1's principal of a 14,235.00 loan, 等额本金, 12
    months) is 0.585 exactly, a tie: half even gives 0.58. The engine's ``Decimal`` daily rate
    (28 digits, 0.000493150684931506849315068493...) makes it 0.5850...01, so it charges 0.59;
    close of business prices such rows as the engine does (``close_penalty``), and after 5
    nights the two agree on 2.95."""
    a = disbursed(
        world,
        code="LE",
        amount="14235.00",
        day_count=DayCount.ACT_365F,
        rounding=Rounding.HALF_EVEN,
    ).id
    close(session_factory, world, date(2025, 2, 20))  # installment 1 due 15 Feb, unpaid
    assert loan_row(world, a).booked_penalty_minor == 5 * 59
    with world.make_uow(read_only=True) as uow:
        position = loans.loan_position(
            uow, world.principal("finance"), loan_id=a, as_of=date(2025, 2, 20)
        )
    assert position.penalty_charged == D("2.95")
    assert gl(world, "122102", date(2025, 2, 20)) == D("2.95")

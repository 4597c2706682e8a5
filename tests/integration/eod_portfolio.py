"""A small loan portfolio built through the real services and driven day by day with close of
business, for the crash and SQLite/PostgreSQL parity tests; and a snapshot of everything close
of business writes, to compare two databases.

Ten loans, one product each (its own day count, interest basis and penalty terms), disbursed
from ``START`` on: on time, late, defaulting, prepaying part, paying off, one back-dated
repayment, and two loans disbursed back-dated (one before the first close of business, one into
days already closed: the repayment on its first day closes those days inline first).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, func, select

from microlend.db.metadata import load_all_tables
from microlend.db.uow import SessionFactory
from microlend.eod.runner import run_close_of_business
from microlend.kernel.daycount import DayCount
from microlend.loans import service as loans
from microlend.loans.calculator.model import InterestBasis
from microlend.loans.calculator.servicing_terms import PenaltyBase, PenaltyTerms
from microlend.loans.views import LoanView
from tests.integration.loans_support import contracted, set_business_date
from tests.seed import World

D = Decimal
START = date(2025, 1, 2)

# Product terms: the default 30/360 by period with penalty on overdue principal; ACT/365F daily
# with 3 grace days on the overdue installment; ACT/360 daily with double-rate 复利.
T30: dict[str, Any] = {}
TACT: dict[str, Any] = {
    "day_count": DayCount.ACT_365F,
    "interest_basis": InterestBasis.DAILY,
    "penalty": PenaltyTerms(grace_days=3, base=PenaltyBase.OVERDUE_INSTALLMENT),
}
T360: dict[str, Any] = {
    "day_count": DayCount.ACT_360,
    "interest_basis": InterestBasis.DAILY,
    "penalty": PenaltyTerms(multiplier=D("2"), compound=True),
}
EI, EP = "equal_installment", "equal_principal"


@dataclass(frozen=True)
class Plan:
    """One loan: disbursed on ``START + day`` (dated ``back`` days earlier), paying as
    ``behaviour`` says (``param``: days late, installments paid, or the day of the event)."""

    code: str
    day: int
    behaviour: str
    terms: Mapping[str, Any]
    method: str = EI
    amount: str = "12000.00"
    term: int = 6
    rate: str = "12"
    back: int = 0
    param: int = 0


PLANS: tuple[Plan, ...] = (
    Plan("A1", 0, "on_time", T30),
    Plan("A2", 3, "on_time", TACT, EP, "30000.00", 3, "18"),
    Plan("A3", 1, "late", T360, EI, "8000.00", 6, "15", param=10),
    Plan("A4", 5, "late", T30, EP, "20000.00", param=35),
    Plan("A5", 2, "default", TACT, EI, "15000.00", 6, "20", param=1),
    Plan("A6", 0, "default", T360, EP, "10000.00", 6, "20", back=20, param=0),
    Plan("A7", 4, "partial", T30, EI, param=45),
    Plan("A8", 6, "payoff", TACT, EP, "9000.00", param=70),
    Plan("A9", 7, "backdated", T30, EI, "6000.00", 4, "10", param=6),
    Plan("A10", 45, "on_time", T360, EI, "5000.00", back=35),
)


def clock() -> datetime:
    """Stamps of the close of business (a module-level function: workers get a copy)."""
    return datetime.now(UTC)


def resident_id(n: int) -> str:
    """A valid 18-digit resident ID number (ISO 7064 MOD 11-2 check digit), one per ``n``."""
    body = f"11010519800101{n:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass(frozen=True, order=True)
class Payment:
    """What a borrower does on ``on``: ``due`` pays what is owed; ``late_value`` pays what was
    owed on ``value`` (a back-dated repayment); ``partial`` prepays 3,000.00; ``payoff``."""

    on: date
    kind: str
    value: date | None = None


def payments(plan: Plan, due_dates: list[date], booked: date) -> list[Payment]:
    b, p = plan.behaviour, plan.param
    if b == "late":
        return [Payment(d + timedelta(days=p), "due") for d in due_dates]
    if b == "default":
        return [Payment(d, "due") for d in due_dates[:p]]
    on_time = [Payment(d, "due") for d in due_dates if d >= booked]
    if plan.back and due_dates[0] < booked:  # booked after its first due date: pays at once
        on_time.insert(0, Payment(booked, "due"))
    if b == "partial":
        return [*on_time, Payment(START + timedelta(days=p), "partial")]
    if b == "payoff":
        cut = START + timedelta(days=p)
        return [x for x in on_time if x.on < cut] + [Payment(cut, "payoff")]
    if b == "backdated":
        late = due_dates[1]
        rest = [x for x in on_time if x.on != late]
        return [*rest, Payment(late + timedelta(days=p), "late_value", late)]
    return on_time


@dataclass
class Driver:
    """Runs the portfolio day by day: disbursements, then repayments, then close of business."""

    world: World
    session_factory: SessionFactory
    plans: tuple[Plan, ...] = PLANS
    loan_ids: dict[str, int] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)
    agenda: list[tuple[Payment, str]] = field(default_factory=list)

    def start(self) -> None:
        set_business_date(self.world, START)
        self.applications = {
            plan.code: contracted(
                self.world,
                amount=plan.amount,
                term=plan.term,
                rate=plan.rate,
                method=plan.method,
                code=plan.code,
                id_number=resident_id(n),
                **plan.terms,
            )
            for n, plan in enumerate(self.plans, 1)
        }

    def run(self, first: int, last: int, *, close: bool = True) -> None:
        """Days ``START + first`` .. ``START + last``; without ``close`` the business date is
        set to the last day directly."""
        for offset in range(first, last + 1):
            day = START + timedelta(days=offset)
            if not close:
                set_business_date(self.world, day)
            for plan in self.plans:
                if plan.day == offset:
                    self.disburse(plan, day)
            while self.agenda and self.agenda[0][0].on <= day:
                payment, code = heapq.heappop(self.agenda)
                self.pay(code, payment)
            if close:
                self.close(day)

    def close(self, target: date) -> None:
        summary = run_close_of_business(
            self.session_factory,
            company_id=self.world.company_id,
            target_date=target,
            now=clock,
        )
        assert summary.status in ("done", "nothing"), summary.failed_day

    def disburse(self, plan: Plan, day: date) -> None:
        finance = self.world.principal("finance")
        booked_on = day - timedelta(days=plan.back)
        with self.world.make_uow() as uow:
            view = loans.disburse(
                uow,
                finance,
                application_id=self.applications[plan.code],
                disbursement_date=booked_on if plan.back else None,
                now=self.world.now,
            )
            assert isinstance(view, LoanView)
            schedule = loans.installments(uow, finance, loan_id=view.id)
            uow.commit()
        self.loan_ids[plan.code] = view.id
        for payment in payments(plan, [row.due_date for row in schedule], day):
            heapq.heappush(self.agenda, (payment, plan.code))

    def pay(self, code: str, payment: Payment) -> None:
        finance, loan_id, now = self.world.principal("finance"), self.loan_ids[code], self.world.now
        with self.world.make_uow() as uow:
            if payment.kind == "payoff":
                quote = loans.quote_payoff(uow, finance, loan_id=loan_id)
                loans.prepay(uow, finance, loan_id=loan_id, amount=quote.amount_to_pay, now=now)
            elif payment.kind == "partial":
                loans.prepay(uow, finance, loan_id=loan_id, amount="3000.00", now=now)
            else:
                owed = loans.loan_position(
                    uow, finance, loan_id=loan_id, as_of=payment.value
                ).due_amount
                if owed > 0:
                    loans.repay(
                        uow, finance, loan_id=loan_id, amount=owed, value_date=payment.value,
                        now=now,
                    )  # fmt: skip
            uow.commit()


# The snapshot: every row close of business and the loan commands write, by natural keys.
SKIPPED = {"id", "created_at", "updated_at", "entered_at", "started_at", "finished_at"}
LOAN_TABLES = (
    "loans",
    "loan_installments",
    "loan_close_state",
    "loan_accruals",
    "loan_risk",
    "loan_classifications",
    "loan_events",
    "loan_postings",
)
OTHER_TABLES = ("loan_provisions", "vouchers", "voucher_lines")


def _rows(connection: Any, table: Table, keys: Mapping[str, Mapping[Any, Any]]) -> list[tuple]:
    columns = [c for c in table.columns if c.name not in SKIPPED]
    out = []
    for row in connection.execute(select(*columns)):
        values = []
        for column, value in zip(columns, row, strict=True):
            mapped = keys.get(column.name)
            values.append((column.name, mapped.get(value, value) if mapped else value))
        out.append(tuple(values))
    return sorted(out, key=repr)


def snapshot(engine: Engine, company_id: int) -> dict[str, Any]:
    """Rows by natural keys (loan number, voucher key, account code) with ids and clock stamps
    left out, and the journal summed per account, day and side."""
    t = load_all_tables().tables  # the models' column types: values read alike on both
    with engine.connect() as connection:
        numbers = dict(connection.execute(select(t["loans"].c.id, t["loans"].c.number)).all())
        accounts = dict(
            connection.execute(select(t["ledger_accounts"].c.id, t["ledger_accounts"].c.code)).all()
        )
        vouchers = dict(
            connection.execute(select(t["vouchers"].c.id, t["vouchers"].c.idempotency_key)).all()
        )
        keys = {
            "loan_id": numbers,
            "account_id": accounts,
            "voucher_id": vouchers,
            "reverses_id": vouchers,
        }
        found: dict[str, Any] = {
            name: _rows(connection, t[name], keys) for name in (*LOAN_TABLES, *OTHER_TABLES)
        }
        lines = t["voucher_lines"]
        found["journal"] = sorted(
            connection.execute(
                select(
                    lines.c.business_date,
                    t["ledger_accounts"].c.code,
                    lines.c.side,
                    func.sum(lines.c.amount_minor),
                )
                .join(t["ledger_accounts"], t["ledger_accounts"].c.id == lines.c.account_id)
                .where(lines.c.company_id == company_id)
                .group_by(lines.c.business_date, t["ledger_accounts"].c.code, lines.c.side)
            ).all()
        )
        found["business_date"] = connection.execute(
            select(t["companies"].c.business_date).where(t["companies"].c.id == company_id)
        ).scalar_one()
    return found


# The natural key of each part's rows (the columns that name a row on either database).
KEYS: dict[str, tuple[str, ...]] = {
    "loans": ("number",),
    "loan_installments": ("loan_id", "n"),
    "loan_close_state": ("loan_id",),
    "loan_accruals": ("loan_id", "business_date"),
    "loan_risk": ("loan_id",),
    "loan_classifications": ("loan_id", "business_date"),
    "loan_events": ("loan_id", "sequence"),
    "loan_postings": ("loan_id", "posting_id"),
    "loan_provisions": ("business_date", "currency", "category"),
    "vouchers": ("idempotency_key",),
    "voucher_lines": ("voucher_id", "line_no"),
}


def differences(left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, Any]:
    """Per part of two snapshots, what differs (empty: equal): rows on one side only, and for
    rows on both the columns that differ (a few of each)."""
    out: dict[str, Any] = {}
    for name in left:
        a, b = left[name], right[name]
        if a == b:
            continue
        if name not in KEYS:
            out[name] = {
                "left": [x for x in a if x not in b][:5],
                "right": [x for x in b if x not in a][:5],
            }
            continue
        mine, theirs = _keyed(name, a), _keyed(name, b)
        found: dict[str, Any] = {
            "only_left": sorted(set(mine) - set(theirs), key=repr)[:5],
            "only_right": sorted(set(theirs) - set(mine), key=repr)[:5],
        }
        changed = []
        for key in sorted(set(mine) & set(theirs), key=repr):
            columns = {
                column: (value, theirs[key].get(column))
                for column, value in mine[key].items()
                if theirs[key].get(column) != value
            }
            if columns:
                changed.append((key, columns))
        found["changed"] = changed[:5]
        out[name] = found
    return out


def _keyed(name: str, rows: list[tuple]) -> dict[tuple, dict[str, Any]]:
    records = [dict(row) for row in rows]
    return {tuple(record[c] for c in KEYS[name]): record for record in records}


def rows_of(parts: Iterable[tuple]) -> list[dict[str, Any]]:
    return [dict(part) for part in parts]

"""Loans living a random life (``Walk``): repayments on time, late, back-dated and overpaid,
prepayments both ways, reversals, waivers, refunds, reschedules, write-offs and recoveries,
with close of business every night. What must hold at every step is the books: after each
command the live 对账 (sub-ledger = GL, every voucher balanced), and every night the close's own
reconciliation, which stops the run on a difference.

A walk is fixed by its seed; ``Walk.log`` says what it did, day by day, for a failure's report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import select

from microlend.db.commands import Pending
from microlend.db.uow import SessionFactory
from microlend.eod.reconciliation import live_reconciliation
from microlend.eod.runner import run_close_of_business
from microlend.kernel.errors import DomainError
from microlend.loans import service as loans
from microlend.loans.engine import Position
from microlend.loans.reversals import REVERSIBLE
from microlend.loans.tables import Loan, LoanEvent
from microlend.products.model import ProductFee
from tests.integration.checker_support import approved
from tests.integration.loans_support import disbursed
from tests.seed import World

D = Decimal
START = date(2025, 1, 15)
FIN = "finance"
# refusals a random command may meet and a loan system must give, by command: the walk picks
# its commands from the loan's row, which does not say everything the engine knows
EXPECTED_REFUSALS = frozenset(
    {
        ("prepay", "validation_failed"),  # short of the arrears and interest accrued
        ("reschedule", "validation_failed"),  # no principal left, only arrears of interest
    }
)


Choice = tuple[str, Callable[[Loan], str]]  # a command's name and the command


def minor(amount: D) -> int:
    return int(amount * 100)


def _cents(rng: Random, low: int, high: int) -> D:
    return D(rng.randint(low, high)) / 100


@dataclass
class Walk:
    world: World
    factory: SessionFactory
    rng: Random
    loan_ids: list[int] = field(default_factory=list)
    day: date = START
    log: list[str] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, world: World, factory: SessionFactory, seed: int) -> Walk:
        """Three loans disbursed on ``START``: 等额本金 with a fee each installment, 等额本息 with
        prepayments lowering the installment, and a 6-month 等额本息 at 24 %."""
        walk = cls(world, factory, Random(seed))
        monthly_fee = ProductFee("管理费", "per_installment", amount=D("15.00"))
        shapes: list[dict[str, Any]] = [
            {"fees": (monthly_fee,)},
            {"method": "equal_installment", "prepayment_mode": "lower_installment"},
            {"method": "equal_installment", "term": 6, "rate": "24", "amount": "6000.00"},
        ]
        for n, shape in enumerate(shapes):
            view = disbursed(
                world,
                code=f"W{n}",
                id_number=("110105198001010016", "11010519491231002X", "110105198503070019")[n],
                customer=("李四", "王五", "赵六")[n],
                **shape,
            )
            walk.loan_ids.append(view.id)
        return walk

    def row(self, loan_id: int) -> Loan:
        with self.world.make_uow(read_only=True) as uow:
            loan = uow.session.get(Loan, loan_id)
            assert loan is not None
            uow.session.expunge(loan)
            return loan

    def command(self, call: Callable[..., Any], loan: Loan, user: str = FIN, **kw: Any) -> Any:
        """``call`` (a loans service command) on ``loan`` by ``user``, committed."""
        with self.world.make_uow() as uow:
            done = call(uow, self.world.principal(user), loan_id=loan.id, now=self.world.now, **kw)
            uow.commit()
        return done

    def live(self, after: str) -> None:
        """The live 对账 must hold after every command."""
        with self.world.make_uow(read_only=True) as uow:
            found = live_reconciliation(uow, self.world.principal(FIN))
        differences = [
            f"{a.code}: sub-ledger {a.subledger} GL {a.gl}" for a in found.accounts if a.difference
        ]
        assert found.reconciled, self.report(f"after {after}: {differences} {found.unbalanced}")

    def report(self, problem: str) -> str:
        return "\n".join([problem, "the walk so far:", *self.log[-40:]])

    def run(self, until: date, chance: float = 0.1) -> None:
        """Each day: each loan gets a command with probability ``chance``; then the close."""
        while self.day <= until:
            for loan_id in self.loan_ids:
                if self.rng.random() < chance:
                    self.act(loan_id)
            summary = run_close_of_business(
                self.factory,
                company_id=self.world.company_id,
                target_date=self.day,
                now=lambda: self.world.now,
            )
            assert summary.status in ("done", "nothing"), self.report(
                f"close {self.day}: {summary}"
            )
            self.day += timedelta(days=1)

    def act(self, loan_id: int) -> None:
        loan = self.row(loan_id)
        if loan.status == "closed":
            return
        choices = self._choices(loan)
        name, command = self.rng.choice(choices)
        try:
            said = command(loan)
        except DomainError as refused:
            code = refused.code
            self.refusals[code] = self.refusals.get(code, 0) + 1
            self.log.append(f"{self.day} loan {loan_id} {name}: refused {code} ({refused})")
            expected = (name, code) in EXPECTED_REFUSALS
            assert expected, self.report(f"{name} refused: {code} {refused}")
            return
        self.log.append(f"{self.day} loan {loan_id} {name} {said}")
        self.live(f"{name} on loan {loan_id} ({said})")

    def _choices(self, loan: Loan) -> list[Choice]:
        if loan.status == "written_off":
            after: list[Choice] = [("recover", self.recover)] * 3
            return [*after, ("reverse", self.reverse)]
        choices: list[Choice] = [
            ("repay", self.repay),
            ("repay", self.repay),
            ("repay", self.repay),
            ("prepay", self.prepay),
            ("reverse", self.reverse),
            ("waive", self.waive),
        ]
        if loan.credit_balance_minor:
            choices.append(("refund", self.refund))
        if loan.days_past_due > 30 and not loan.restructured:
            choices.append(("reschedule", self.reschedule))
        if loan.days_past_due > 90 and not loan.credit_balance_minor:
            choices += [("write_off", self.write_off)] * 2
        return choices

    # the commands: each returns what it did, for the log

    def _value_date(self, loan: Loan) -> date | None:
        """Today mostly; else back-dated up to 25 days (not before the disbursement)."""
        if self.rng.random() < 0.7:
            return None
        back = self.day - timedelta(days=self.rng.randint(1, 25))
        return max(back, loan.disbursement_date)

    def repay(self, loan: Loan) -> str:
        owed = loan.overdue_minor + loan.next_due_minor
        pick = self.rng.random()
        if pick < 0.4 and owed:
            amount = D(owed) / 100
        elif pick < 0.7 and owed > 1:
            amount = D(owed // 2) / 100
        elif pick < 0.9:
            amount = _cents(self.rng, 100, 300_000)
        else:  # more than the whole loan: it closes with a credit balance
            amount = D(loan.outstanding_principal_minor + 200_000) / 100
        day = self._value_date(loan)
        self.command(loans.repay, loan, amount=amount, value_date=day)
        return f"{amount} valued {day or self.day}"

    def prepay(self, loan: Loan) -> str:
        amount = _cents(self.rng, 50_000, 400_000)
        mode = self.rng.choice([None, "shorten_term", "lower_installment"])
        self.command(loans.prepay, loan, amount=amount, mode=mode)
        return f"{amount} {mode}"

    def reverse(self, loan: Loan) -> str:
        with self.world.make_uow(read_only=True) as uow:
            events = uow.session.scalars(
                select(LoanEvent).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id)
            ).all()
        taken = {e.reverses_event_id for e in events if e.reverses_event_id}
        open_ = [e for e in events if e.kind in REVERSIBLE and e.id not in taken]
        if loan.status == "written_off":
            open_ = [e for e in open_ if e.kind == "recovery"]
        if not open_:
            return "nothing to reverse"
        target = self.rng.choice(open_)
        self.command(loans.reverse, loan, event_id=target.id, reason="退票")
        return f"{target.kind} {target.id} of {target.value_date} ({target.amount_minor})"

    def position(self, loan: Loan) -> Position:
        """The engine's position at the business date (the loan's row is as of the last close
        or command: on a due date the engine has applied the credit the row still shows)."""
        with self.world.make_uow(read_only=True) as uow:
            return loans.loan_position(uow, self.world.principal(FIN), loan_id=loan.id)

    def waive(self, loan: Loan) -> str:
        here = self.position(loan)
        owed_now = here.overdue + here.due_today
        owed = {
            "penalty": minor(owed_now.penalty),
            "interest": minor(owed_now.interest),
            "fee": minor(owed_now.fee),
        }
        owing = [name for name, units in owed.items() if units > 0]
        if not owing:
            return "nothing to waive"
        component = self.rng.choice(owing)
        amount = D(self.rng.randint(1, owed[component])) / 100
        request = self.command(
            loans.waive, loan, component=component, amount=amount, reason="困难减免"
        )
        approved(self.world, request)
        return f"{amount} {component}"

    def refund(self, loan: Loan) -> str:
        held = minor(self.position(loan).credit_balance)
        if not held:
            return "nothing to refund"
        amount = D(self.rng.randint(1, held)) / 100
        self.command(loans.refund, loan, amount=amount)
        return str(amount)

    def reschedule(self, loan: Loan) -> str:
        term = self.rng.randint(3, 12)
        capitalise = self.rng.random() < 0.5
        request = self.command(
            loans.reschedule,
            loan,
            "manager_a",
            term=term,
            capitalise_arrears=capitalise,
            reason="经营困难",
        )
        approved(self.world, request)
        return f"term {term} capitalise {capitalise}"

    def write_off(self, loan: Loan) -> str:
        request = self.command(loans.write_off, loan, "manager_a", reason="失联")
        done = approved(self.world, request)
        assert not isinstance(done, Pending)
        return f"principal {D(loan.outstanding_principal_minor) / 100}"

    def recover(self, loan: Loan) -> str:
        amount = _cents(self.rng, 100, 500_000)
        self.command(loans.recover, loan, amount=amount)
        return str(amount)

"""Loans living a random life (``Walk``): repayments on time, late, back-dated and overpaid,
alone or in bank files (sent again at times), auto-debit runs (批量代扣: the day's deduction
file, debited in full, in part or not at all, its result file sent back once or twice),
prepayments both ways and with a fee, payoffs by the quote (which must settle the loan to the
cent), later tranches, reversals, waivers, refunds, reschedules, write-offs and recoveries,
with close of business every night (at times leaving a loan out: the next command on it closes
the missed days inline, or the next night takes it up). What must hold at every step is the
books: after each command the live 对账 (sub-ledger = GL, every voucher balanced), and every
night the close's own reconciliation, which stops the run on a difference; and each loan's row
(the snapshot the pages and the close read) must say what the engine says, after a command on
it and after every close.

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
from microlend.loans.autodebit import CHANNEL, ON_BOOK, deduction_run
from microlend.loans.batch import SEND_EVERY, repay_batch
from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.engine import Position
from microlend.loans.reversals import REVERSIBLE
from microlend.loans.tables import Loan, LoanEvent
from microlend.loans.views import EventOutcome
from microlend.products.model import ProductFee
from tests.integration.checker_support import approved
from tests.integration.loans_support import add_bank_account, disbursed
from tests.integration.test_close_inline import set_status
from tests.integration.test_close_summary import expected
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
        ("accelerate", "validation_failed"),  # back-dated to after the last due date
    }
)


Choice = tuple[str, Callable[[Loan], str]]  # a command's name and the command
NOTHING = "nothing"  # what a command says first when it did nothing


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
    approved: dict[int, int] = field(default_factory=dict)  # minor units, by loan
    files: list[list[dict[str, Any]]] = field(default_factory=list)  # bank files sent
    day: date = START
    log: list[str] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)
    left_out: dict[int, tuple[str, int]] = field(default_factory=dict)  # status, nights left
    back: set[int] = field(default_factory=set)  # loans back in the closes since last night

    @classmethod
    def start(cls, world: World, factory: SessionFactory, seed: int) -> Walk:
        """Three loans disbursed on ``START``: 等额本金 with a fee each installment and a fee of
        2 % of the principal prepaid; 等额本息 with prepayments lowering the installment, paid
        out in tranches from 6,000.00 of 12,000.00; a 6-month 等额本息 at 24 %."""
        walk = cls(world, factory, Random(seed))
        monthly_fee = ProductFee("管理费", "per_installment", amount=D("15.00"))
        prepayment_fee = ProductFee("提前还款违约金", "prepayment", percent=D("2"))
        shapes: list[dict[str, Any]] = [
            {"fees": (monthly_fee, prepayment_fee)},
            {
                "method": "equal_installment",
                "prepayment_mode": "lower_installment",
                "paid_out": "6000.00",
            },
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
            add_bank_account(world, view.customer_id, f"62220202000012345{n:02d}")
            walk.approved[view.id] = minor(D(shape.get("amount", "12000.00")))
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

    def snapshot_holds(self, loan_id: int, day: date, after: str) -> None:
        """The loan's row (its snapshot, as the list pages and close of business read it) says
        what the engine says at the end of ``day``."""
        row = self.row(loan_id)
        if row.status == "written_off":
            return
        with self.world.make_uow(read_only=True) as uow:
            here = loans.loan_position(uow, self.world.principal(FIN), loan_id=loan_id, as_of=day)
        engine = expected(here, row.currency)
        del engine["status"]  # as the nightly run sets it (rescheduled and closed loans apart)
        engine["credit_balance_minor"] = minor(here.credit_balance)
        kept = {name: getattr(row, name) for name in engine}
        differ = {name: (kept[name], engine[name]) for name in engine if kept[name] != engine[name]}
        assert not differ, self.report(f"after {after}, loan {loan_id} (row, engine): {differ}")

    def report(self, problem: str) -> str:
        return "\n".join([problem, "the walk so far:", *self.log[-40:]])

    def run(self, until: date, chance: float = 0.1) -> None:
        """Each day: at times an auto-debit run; each loan gets a command with probability
        ``chance``; then the close (at times leaving a loan out for a few nights)."""
        while self.day <= until:
            if self.rng.random() < 0.15:
                self.auto_debit()
            for loan_id in self.loan_ids:
                # a loan back from missed closes: often a command first closes them inline
                odds = 0.5 if loan_id in self.back else chance
                if loan_id not in self.left_out and self.rng.random() < odds:
                    self.act(loan_id)
            self.back.clear()
            self.leave_out()
            out = set(self.left_out)  # not closed tonight: their rows are as of before
            summary = run_close_of_business(
                self.factory,
                company_id=self.world.company_id,
                target_date=self.day,
                now=lambda: self.world.now,
            )
            assert summary.status in ("done", "nothing"), self.report(
                f"close {self.day}: {summary}"
            )
            self.bring_back()
            for loan_id in self.loan_ids:
                if loan_id not in out:
                    self.snapshot_holds(loan_id, self.day, f"the close of {self.day}")
            self.day += timedelta(days=1)

    def leave_out(self) -> None:
        """At times a close of business leaves an open loan out for one to four nights (its
        status set aside while they run, as tests/integration/test_close_inline.py does): the
        next command on it closes the missed days inline, or the next close takes it up."""
        if self.left_out or self.rng.random() > 0.03:
            return
        open_ = [loan for loan in map(self.row, self.loan_ids) if loan.status in ON_BOOK]
        if not open_:
            return
        loan = self.rng.choice(open_)
        nights = self.rng.randint(1, 4)
        self.left_out[loan.id] = (loan.status, nights)
        set_status(self.world, loan.id, "closed")
        self.log.append(f"{self.day} loan {loan.id} left out of {nights} closes")

    def bring_back(self) -> None:
        for loan_id, (status, nights) in list(self.left_out.items()):
            if nights > 1:
                self.left_out[loan_id] = (status, nights - 1)
                continue
            del self.left_out[loan_id]
            self.back.add(loan_id)
            set_status(self.world, loan_id, status)
            self.log.append(f"{self.day} loan {loan_id} back in the closes")

    def act(self, loan_id: int) -> None:
        loan = self.row(loan_id)
        if loan.status == "closed" and self.rng.random() < 0.7:
            return  # at times the payment that closed it bounces: reversed, the loan reopens
        choices = self._choices(loan)
        name, command = self.rng.choice(choices)
        try:
            said = command(loan)
        except DomainError as refused:
            code = refused.code
            self.refusals[code] = self.refusals.get(code, 0) + 1
            self.log.append(f"{self.day} loan {loan_id} {name}: refused {code} ({refused})")
            # a loan back from missed closes may have closed in them (its credit paid its last
            # installment when the command closed them inline): its row said it was open
            closed_in_them = code == "loan_not_serviceable" and loan_id in self.back
            expected = (name, code) in EXPECTED_REFUSALS or closed_in_them
            assert expected, self.report(f"{name} refused: {code} {refused}")
            return
        self.log.append(f"{self.day} loan {loan_id} {name} {said}")
        if said.startswith(NOTHING):  # the row is as of the last close: nothing to check
            return
        self.live(f"{name} on loan {loan_id} ({said})")
        self.snapshot_holds(loan_id, self.day, f"{name} on loan {loan_id}")

    def _choices(self, loan: Loan) -> list[Choice]:
        if loan.status == "closed":
            return [("reverse", self.reverse)]
        if loan.status == "written_off":
            after: list[Choice] = [("recover", self.recover)] * 3
            return [*after, ("reverse", self.reverse)]
        choices: list[Choice] = [
            ("repay", self.repay),
            ("repay", self.repay),
            ("repay", self.repay),
            ("prepay", self.prepay),
            ("pay_off", self.pay_off),
            ("reverse", self.reverse),
            ("waive", self.waive),
        ]
        if loan.credit_balance_minor:
            choices.append(("refund", self.refund))
        ahead = loan.next_due_date is not None and loan.next_due_date > self.day
        if loan.principal_minor < self.approved[loan.id] and ahead:  # after maturity: refused
            choices.append(("tranche", self.tranche))
        choices.append(("bank_file", self.bank_file))
        if loan.days_past_due > 30 and not loan.restructured:
            choices.append(("reschedule", self.reschedule))
        if loan.days_past_due > 10 and loan.next_due_date is not None:
            choices += [("accelerate", self.accelerate)] * 2
        if loan.days_past_due > 90 and not loan.credit_balance_minor:
            choices += [("write_off", self.write_off)] * 2
        return choices

    def auto_debit(self) -> None:
        """The day's deduction file (批量代扣); the bank debits each line in full, in part or not
        at all and sends its result file back through the import, at times twice (replayed). A
        line debited in full pays everything owed: nothing is overdue or due at the end of the
        day."""
        with self.world.make_uow(read_only=True) as uow:
            run = deduction_run(uow, self.world.principal(FIN))
        assert run.on == self.day and not run.without_account, self.report(f"{run}")
        debited: list[dict[str, Any]] = []
        full: list[int] = []
        for line in run.lines:
            owed, pick = line.owing.amount, self.rng.random()
            if pick < 0.25 or owed <= D("0.01"):
                continue  # not enough money in the account
            amount = owed if pick < 0.75 else D(self.rng.randint(1, minor(owed) - 1)) / 100
            if amount == owed:
                full.append(line.owing.loan_id)
            debited.append(
                {
                    "loan_id": line.owing.loan_id,
                    "amount": str(amount),
                    "value_date": line.value_date.isoformat(),
                    "channel": CHANNEL,
                    "external_reference": line.reference,
                }
            )
        said = ", ".join(f"loan {x['loan_id']} {x['amount']}" for x in debited)
        self.log.append(f"{self.day} auto-debit of {len(run.lines)} lines: {said or 'none'}")
        if not debited:
            return
        done = self.send(debited)
        assert not any(line.replayed for line in done), self.report("a debit was a replay")
        if self.rng.random() < 0.3:
            again = self.send(debited)
            assert all(line.replayed for line in again), self.report("a debit was posted twice")
        self.live(f"auto-debit of {self.day}")
        for loan_id in {line["loan_id"] for line in debited}:
            self.snapshot_holds(loan_id, self.day, f"the auto-debit on loan {loan_id}")
        for loan_id in full:
            left = self.position(self.row(loan_id)).due_amount
            assert not left, self.report(f"loan {loan_id} debited in full still owes {left}")

    # the commands: each returns what it did, for the log

    def _value_date(self, loan: Loan) -> date | None:
        """Today mostly; else back-dated up to 25 days (not before the disbursement)."""
        if self.rng.random() < 0.7:
            return None
        back = self.day - timedelta(days=self.rng.randint(1, 25))
        return max(back, loan.disbursement_date)

    def _amount(self, loan: Loan) -> D:
        """What is owed, half of it, any amount, or more than the whole loan."""
        owed = loan.overdue_minor + loan.next_due_minor
        pick = self.rng.random()
        if pick < 0.4 and owed:
            return D(owed) / 100
        if pick < 0.7 and owed > 1:
            return D(owed // 2) / 100
        if pick < 0.9:
            return _cents(self.rng, 100, 300_000)
        # more than the whole loan: it closes with a credit balance
        return D(loan.outstanding_principal_minor + 200_000) / 100

    def repay(self, loan: Loan) -> str:
        amount = self._amount(loan)
        day = self._value_date(loan)
        self.command(loans.repay, loan, amount=amount, value_date=day)
        return f"{amount} valued {day or self.day}"

    def bank_file(self, loan: Loan) -> str:
        """A bank file of a line on ``loan`` and at times on the other loans (one line a loan:
        a line that closed its loan would have the next refused), at times a line twice; or a
        file sent before sent again: all its lines replayed."""
        if self.files and self.rng.random() < 0.25:
            number = self.rng.randrange(len(self.files))
            done = self.send(self.files[number])
            assert all(line.replayed for line in done), self.report(f"file {number} posted again")
            return f"{NOTHING} new: file {number} sent again"
        others = [self.row(i) for i in self.loan_ids if i != loan.id]
        others = [other for other in others if other.status in ("active", "overdue")]
        lines: list[dict[str, Any]] = []
        for target in [loan, *(other for other in others if self.rng.random() < 0.3)]:
            day = self._value_date(target)
            reference = f"BANK{self.day:%Y%m%d}{len(self.files):04d}{len(lines)}"
            lines.append(
                {
                    "loan_id": target.id,
                    "amount": str(self._amount(target)),
                    "value_date": day.isoformat() if day else "",
                    "external_reference": reference,
                }
            )
        twice = self.rng.random() < 0.2
        if twice:
            lines.append(dict(lines[-1]))  # the bank sent a line twice: one repayment
        done = self.send(lines)
        replayed = [line.replayed for line in done]
        assert replayed == [False] * (len(lines) - twice) + [True] * twice, self.report(
            f"file {len(self.files)}: replayed {replayed}"
        )
        self.files.append(lines)
        for other in {line["loan_id"] for line in lines} - {loan.id}:
            self.snapshot_holds(other, self.day, f"file {len(self.files) - 1} on loan {other}")
        said = ", ".join(f"loan {x['loan_id']} {x['amount']} {x['value_date']}" for x in lines)
        return f"file {len(self.files) - 1}: {said}"

    def send(self, lines: list[dict[str, Any]]) -> list[EventOutcome]:
        """The file posted, its lines sent to be written one by one, two by two or all at once
        (by the file's number: the walk's random choices stay as they were)."""
        every = (1, 2, SEND_EVERY)[len(self.files) % 3]
        with self.world.make_uow() as uow:
            finance = self.world.principal(FIN)
            done = repay_batch(uow, finance, lines, now=self.world.now, send_every=every)
            uow.commit()
        assert all(isinstance(line, EventOutcome) for line in done)
        return done  # type: ignore[return-value]

    def tranche(self, loan: Loan) -> str:
        left = self.approved[loan.id] - loan.principal_minor
        amount = D(self.rng.randint(min(10_000, left), left)) / 100
        day = self._value_date(loan)
        self.command(loans.disburse_tranche, loan, amount=amount, value_date=day)
        return f"{amount} valued {day or self.day}"

    def prepay(self, loan: Loan) -> str:
        amount = _cents(self.rng, 50_000, 400_000)
        mode = self.rng.choice([None, "shorten_term", "lower_installment"])
        self.command(loans.prepay, loan, amount=amount, mode=mode)
        return f"{amount} {mode}"

    def pay_off(self, loan: Loan) -> str:
        """The payoff quote of the day paid as a prepayment settles the loan: closed, nothing
        owed, the credit left over only what the credit held beyond the quote (a quote the credit
        covers is paid by a prepayment of nothing)."""
        with self.world.make_uow(read_only=True) as uow:
            quote = loans.quote_payoff(uow, self.world.principal(FIN), loan_id=loan.id)
        self.command(loans.prepay, loan, amount=quote.amount_to_pay)
        after = self.row(loan.id)
        left = minor(max(quote.credit_balance - quote.total, D(0)))
        settled = (after.status, after.outstanding_principal_minor, after.credit_balance_minor)
        assert settled == ("closed", 0, left), self.report(f"paid off by {quote}: {settled}")
        return f"{quote.amount_to_pay} (fee {quote.prepayment_fee}, credit {quote.credit_balance})"

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
            return f"{NOTHING} to reverse"
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
            return f"{NOTHING} to waive"
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
            return f"{NOTHING} to refund"
        amount = D(self.rng.randint(1, held)) / 100
        self.command(loans.refund, loan, amount=amount)
        return str(amount)

    def reschedule(self, loan: Loan) -> str:
        """Over 3 to 12 installments, at times at a new rate, by another method, with periods of
        grace on principal, a first due date of its own, arrears capitalised, back-dated."""
        term = self.rng.randint(3, 12)
        change: dict[str, Any] = {
            "capitalise_arrears": self.rng.random() < 0.5,
            "annual_rate": self.rng.choice([None, None, D("6"), D("15.5"), D("24")]),
            "method": self.rng.choice([None, None, *RepaymentMethod]),
            "grace_principal_periods": self.rng.choice([0, 0, 0, 1, 2]),
            "value_date": self._value_date(loan),
        }
        if self.rng.random() < 0.3:
            start = change["value_date"] or self.day
            change["first_due_date"] = start + timedelta(days=self.rng.randint(10, 45))
        request = self.command(
            loans.reschedule, loan, "manager_a", term=term, reason="经营困难", **change
        )
        approved(self.world, request)
        said = ", ".join(f"{name} {value}" for name, value in change.items() if value)
        return f"term {term} {said}"

    def accelerate(self, loan: Loan) -> str:
        """Called due today or back-dated (宣布提前到期), approved by the manager."""
        on = self._value_date(loan)
        request = self.command(
            loans.accelerate, loan, "manager_a", reason="挪用贷款资金", value_date=on
        )
        approved(self.world, request)
        return f"called due on {on or self.day}"

    def write_off(self, loan: Loan) -> str:
        request = self.command(loans.write_off, loan, "manager_a", reason="失联")
        done = approved(self.world, request)
        assert not isinstance(done, Pending)
        return f"principal {D(loan.outstanding_principal_minor) / 100}"

    def recover(self, loan: Loan) -> str:
        amount = _cents(self.rng, 100, 500_000)
        self.command(loans.recover, loan, amount=amount)
        return str(amount)

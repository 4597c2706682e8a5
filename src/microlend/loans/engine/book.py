"""The account as the replay builds it: installment rows with what was charged, paid and waived.

``Row`` and ``LoanBook`` are the engine's working state (mutable, private to a replay); callers
read the frozen ``Posting`` records and the ``Position`` built from a finished replay.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from microlend.kernel.errors import Refusal
from microlend.loans.calculator.model import Installment, Terms
from microlend.loans.calculator.servicing_terms import Bucket, Component, PenaltyBase
from microlend.loans.engine.contract import LoanContract
from microlend.loans.engine.events import EventKind

ZERO = Decimal(0)
COMPONENTS = (Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL)


def _amounts() -> dict[Component, Decimal]:
    return dict.fromkeys(COMPONENTS, ZERO)


@dataclass(slots=True)
class Row:
    """One installment: what it charges (penalty grows daily), and what was paid and waived."""

    n: int
    due_date: date
    accrual_start: date
    accrual_end: date
    charged: dict[Component, Decimal] = field(default_factory=_amounts)
    paid: dict[Component, Decimal] = field(default_factory=_amounts)
    waived: dict[Component, Decimal] = field(default_factory=_amounts)
    capitalised: dict[Component, Decimal] = field(default_factory=_amounts)
    penalty_in_grace: Decimal = ZERO  # accrued during the grace days, charged only after them
    settlement: bool = False  # made by a prepayment or a reschedule on its date

    @classmethod
    def of(cls, n: int, installment: Installment) -> Row:
        row = cls(n, installment.due_date, installment.accrual_start, installment.accrual_end)
        row.charged[Component.PRINCIPAL] = installment.principal
        row.charged[Component.INTEREST] = installment.interest
        row.charged[Component.FEE] = installment.fee
        return row

    def outstanding(self, component: Component) -> Decimal:
        settled = self.paid[component] + self.waived[component] + self.capitalised[component]
        return self.charged[component] - settled

    @property
    def owed(self) -> Decimal:
        return sum((self.outstanding(c) for c in COMPONENTS), ZERO)

    @property
    def arrears(self) -> Decimal:
        """Principal, interest and fee still owed (what DPD looks at; penalty is apart)."""
        return sum((self.outstanding(c) for c in COMPONENTS[1:]), ZERO)

    def bucket(self, day: date) -> Bucket:
        if self.due_date < day:
            return Bucket.PAST_DUE
        return Bucket.DUE if self.due_date == day else Bucket.FUTURE

    def penalty_base(self, base: PenaltyBase, compound: bool) -> Decimal:
        """What bears penalty interest once the installment is overdue."""
        amount = self.outstanding(Component.PRINCIPAL)
        if base is PenaltyBase.OVERDUE_INSTALLMENT or compound:
            amount += self.outstanding(Component.INTEREST)
        return amount


class AllocationLine(NamedTuple):
    """Part of a posting that went to (or waived) one component of one installment."""

    installment: int
    due_date: date
    bucket: Bucket
    component: Component
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Posting:
    """What one event did to the account: the record the service turns into a voucher.

    ``cash_in`` is money received (repayment, prepayment), ``cash_out`` money paid back (refund).
    ``lines`` are the amounts allocated (for a waiver: forgiven; for a reschedule: capitalised
    into the new principal) per installment and component; ``credit_change`` what went into (+)
    or came out of (-) the credit balance;
    ``unapplied`` what the event asked for but could not apply (a waiver beyond what is owed, a
    refund beyond the credit balance). A prepayment that could not cover the accrued interest
    and fee prepays nothing (``prepaid_principal`` 0, ``refused``) and its money stays as
    credit.
    """

    event_id: str
    kind: EventKind
    value_date: date
    sequence: int
    cash_in: Decimal
    cash_out: Decimal
    lines: tuple[AllocationLine, ...]
    credit_change: Decimal
    unapplied: Decimal = ZERO
    prepaid_principal: Decimal = ZERO
    new_principal: Decimal = ZERO  # a reschedule or tranche: the principal of the new schedule
    disbursed: Decimal = ZERO  # a tranche: the amount paid out
    # why the event, posted now, is refused: a reschedule or tranche replayed on a fallback
    # (reschedule.py, tranche.py), a prepayment that prepays and settles nothing (prepayment.py)
    refused: Refusal | None = None

    @property
    def allocated(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def by_component(self) -> dict[Component, Decimal]:
        totals = dict.fromkeys(COMPONENTS, ZERO)
        for line in self.lines:
            totals[line.component] += line.amount
        return totals


@dataclass(slots=True)
class LoanBook:
    """The account during a replay: rows in due-date order, the credit balance, the postings."""

    contract: LoanContract
    today: date  # the start of this day: every night before it has accrued
    rows: list[Row]
    terms: Terms  # the terms in force: the contract's, or a reschedule's
    credit: Decimal = ZERO
    postings: list[Posting] = field(default_factory=list)
    rescheduled: bool = False
    due_dates: list[date] = field(default_factory=list)  # of ``rows``, kept by ``reindex``
    first_open: int = 0  # rows before it are due and settled: never looked at again

    def reindex(self) -> None:
        """After the rows change (a prepayment or a reschedule rebuilt them)."""
        self.due_dates = [row.due_date for row in self.rows]
        self.first_open = 0

    def replace_rows(self, rows: list[Row]) -> None:
        """The rows from now on (a prepayment, reschedule, tranche or call rebuilt them),
        numbered 1, 2, ... in order: those due before the change keep their numbers."""
        self.rows = rows
        for number, row in enumerate(rows, start=1):
            row.n = number
        self.reindex()

    def open_rows(self, day: date) -> list[Row]:
        """The installments due by ``day``, from the oldest one that is not settled."""
        rows, start = self.rows, self.first_open
        while (
            start < len(rows)
            and rows[start].due_date <= day
            and rows[start].owed <= 0
            and not rows[start].penalty_in_grace
        ):
            start += 1
        self.first_open = start
        return rows[start : bisect_right(self.due_dates, day)]

    def next_due_date(self, day: date) -> date | None:
        """The first due date after ``day``."""
        index = bisect_right(self.due_dates, day)
        return self.due_dates[index] if index < len(self.due_dates) else None

    @classmethod
    def open(cls, contract: LoanContract) -> LoanBook:
        rows = [Row.of(i.n, i) for i in contract.schedule.installments]
        book = cls(contract, contract.terms.disbursement_date, rows, contract.terms)
        book.reindex()
        return book

    @property
    def penalty_daily_rate(self) -> Decimal:
        """罚息日利率 (a fraction): rate in force x multiplier / days of the day count's year."""
        year_days = self.terms.day_count.year_days
        return self.terms.annual_rate * self.contract.penalty.multiplier / 100 / year_days

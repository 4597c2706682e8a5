"""The position of a loan on a date (the end of that day), and the payoff quote.

* DPD (逾期天数): the date minus the due date of the oldest installment with principal, interest
  or fee unpaid (the due date is day 0; penalty alone does not make a loan overdue).
* Installment status: ``paid`` (nothing owed), ``future`` (not due yet), ``partially_paid``
  (due or overdue, something paid), ``due`` (due that day, nothing paid), ``overdue``.
* Loan status: ``closed`` when nothing is owed and no principal remains, ``overdue`` when
  DPD > 0, otherwise ``active``. ``non_accrual`` (非应计) from 91 DPD on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.accrual import accrued_interest, current_row
from microlend.loans.engine.book import COMPONENTS, ZERO, LoanBook, Row
from microlend.loans.engine.contract import LoanContract
from microlend.loans.engine.events import LoanEvent
from microlend.loans.engine.replay import replay

NON_ACCRUAL_DPD = 90


class InstallmentStatus(StrEnum):
    PAID = "paid"
    DUE = "due"
    OVERDUE = "overdue"
    PARTIALLY_PAID = "partially_paid"
    FUTURE = "future"


class LoanStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Amounts:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fee: Decimal = ZERO
    penalty: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fee + self.penalty

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.principal + other.principal,
            self.interest + other.interest,
            self.fee + other.fee,
            self.penalty + other.penalty,
        )

    @classmethod
    def of(cls, values: dict[Component, Decimal]) -> Amounts:
        return cls(
            values[Component.PRINCIPAL],
            values[Component.INTEREST],
            values[Component.FEE],
            values[Component.PENALTY],
        )


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    n: int
    due_date: date
    status: InstallmentStatus
    charged: Amounts  # penalty: accrued to date
    paid: Amounts
    waived: Amounts
    capitalised: Amounts  # settled by a reschedule into the new principal
    outstanding: Amounts
    penalty_in_grace: Decimal
    days_past_due: int
    settlement: bool  # the installment a prepayment made


@dataclass(frozen=True, slots=True)
class Position:
    as_of: date
    status: LoanStatus
    outstanding_principal: Decimal  # all principal not repaid, due or not
    overdue: Amounts  # owed on installments due before as_of
    due_today: Amounts  # owed on installments due on as_of
    not_due: Amounts  # installments not yet due (their full principal, interest and fee)
    accrued_interest: Decimal  # interest of the current period accrued to as_of, not yet due
    penalty_in_grace: Decimal  # held during grace days; dropped if paid within them
    penalty_charged: Decimal  # all penalty accrued to date, paid, waived or owed (income)
    interest_earned: Decimal  # interest of installments due by as_of plus accrued_interest
    next_due_date: date | None
    next_due_amount: Decimal
    days_past_due: int
    credit_balance: Decimal
    non_accrual: bool
    restructured: bool  # a reschedule has been applied (classification reads it)
    installments: tuple[InstallmentPosition, ...]

    @property
    def overdue_amount(self) -> Decimal:
        return self.overdue.total

    @property
    def due_amount(self) -> Decimal:
        """What is owed on as_of: overdue plus due that day."""
        return self.overdue.total + self.due_today.total


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """提前结清: what settles the loan on ``as_of`` (pay ``amount_to_pay`` as a ``Prepayment``
    with ``fee=prepayment_fee`` on that date)."""

    as_of: date
    principal: Decimal
    interest: Decimal  # past due and due, plus accrued to as_of
    fee: Decimal
    penalty: Decimal
    prepayment_fee: Decimal
    credit_balance: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fee + self.penalty + self.prepayment_fee

    @property
    def amount_to_pay(self) -> Decimal:
        return max(self.total - self.credit_balance, ZERO)


def position(contract: LoanContract, events: Iterable[LoanEvent], as_of: date) -> Position:
    return position_of(replay(contract, events, as_of))


def position_of(book: LoanBook) -> Position:
    day = book.today
    rows = [_installment(row, day) for row in book.rows]
    overdue = _sum(r.outstanding for r in rows if r.due_date < day)
    due_today = _sum(r.outstanding for r in rows if r.due_date == day)
    not_due = _sum(r.outstanding for r in rows if r.due_date > day)
    current = current_row(book, day)
    accrued = accrued_interest(book, current, day) if current is not None else ZERO
    dpd = max((r.days_past_due for r in rows), default=0)
    principal = sum((r.outstanding.principal for r in rows), ZERO)
    owed = sum((r.outstanding.total for r in rows), ZERO)
    if owed <= 0:
        status = LoanStatus.CLOSED
    else:
        status = LoanStatus.OVERDUE if dpd > 0 else LoanStatus.ACTIVE
    upcoming = [r for r in rows if r.due_date > day]
    return Position(
        as_of=day,
        status=status,
        outstanding_principal=principal,
        overdue=overdue,
        due_today=due_today,
        not_due=not_due,
        accrued_interest=accrued,
        penalty_in_grace=sum((r.penalty_in_grace for r in book.rows), ZERO),
        penalty_charged=sum((r.charged[Component.PENALTY] for r in book.rows), ZERO),
        interest_earned=accrued
        + sum((r.charged[Component.INTEREST] for r in book.rows if r.due_date <= day), ZERO),
        next_due_date=upcoming[0].due_date if upcoming else None,
        next_due_amount=upcoming[0].outstanding.total if upcoming else ZERO,
        days_past_due=dpd,
        credit_balance=book.credit,
        non_accrual=dpd > NON_ACCRUAL_DPD,
        restructured=book.rescheduled,
        installments=tuple(rows),
    )


def payoff_quote(
    contract: LoanContract,
    events: Iterable[LoanEvent],
    as_of: date,
    prepayment_fee: Decimal = ZERO,
) -> PayoffQuote:
    """Principal, interest to date, fees and penalty that settle the loan on ``as_of``.

    The prepayment fee applies only while some installment is not yet due (on or after the last
    due date there is nothing to prepay, and a ``Prepayment`` then charges no fee)."""
    here = position(contract, events, as_of)
    if here.next_due_date is None:
        prepayment_fee = ZERO
    owed = here.overdue + here.due_today
    return PayoffQuote(
        as_of=as_of,
        principal=here.outstanding_principal,
        interest=owed.interest + here.accrued_interest,
        fee=owed.fee,
        penalty=owed.penalty,
        prepayment_fee=prepayment_fee,
        credit_balance=here.credit_balance,
    )


def _installment(row: Row, day: date) -> InstallmentPosition:
    paid, waived, capitalised = row.paid, row.waived, row.capitalised
    outstanding = {c: row.charged[c] - paid[c] - waived[c] - capitalised[c] for c in COMPONENTS}
    paid_any = any(paid[c] or waived[c] or capitalised[c] for c in COMPONENTS)
    owed = sum(outstanding.values(), ZERO)
    if owed <= 0:
        status = InstallmentStatus.PAID
    elif row.due_date > day:
        status = InstallmentStatus.FUTURE
    elif paid_any:
        status = InstallmentStatus.PARTIALLY_PAID
    elif row.due_date == day:
        status = InstallmentStatus.DUE
    else:
        status = InstallmentStatus.OVERDUE
    late = row.due_date < day and owed - outstanding[Component.PENALTY] > 0
    return InstallmentPosition(
        n=row.n,
        due_date=row.due_date,
        status=status,
        charged=Amounts.of(row.charged),
        paid=Amounts.of(paid),
        waived=Amounts.of(waived),
        capitalised=Amounts.of(capitalised),
        outstanding=Amounts.of(outstanding),
        penalty_in_grace=row.penalty_in_grace,
        days_past_due=(day - row.due_date).days if late else 0,
        settlement=row.settlement,
    )


def _sum(items: Iterable[Amounts]) -> Amounts:
    total = Amounts()
    for item in items:
        total = total + item
    return total

"""The position of a loan on a date (the end of that day), and the payoff quote.

* DPD (逾期天数): the date minus the due date of the oldest installment with principal, interest
  or fee unpaid (the due date is day 0; penalty alone does not make a loan overdue).
* Installment status: ``paid`` (nothing owed), ``future`` (not due yet), ``partially_paid``
  (due or overdue, something paid), ``due`` (due that day, nothing paid), ``overdue``.
* Loan status: ``closed`` when nothing is owed and no principal remains, ``overdue`` when
  DPD > 0, otherwise ``active``. ``non_accrual`` (非应计) from 91 DPD on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine.accrual import accrued_interest
from microlend.loans.engine.book import ZERO, LoanBook, Row
from microlend.loans.engine.contract import LoanContract
from microlend.loans.engine.events import LoanEvent
from microlend.loans.engine.replay import replay

NON_ACCRUAL_DPD = 90
PENALTY, FEE, INTEREST, PRINCIPAL = (
    Component.PENALTY,
    Component.FEE,
    Component.INTEREST,
    Component.PRINCIPAL,
)


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
    accrual_start: date  # where its interest period starts (close of business reads it)
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


# Positions are made for every command on a loan: their frozen dataclasses are filled here field
# by field as their ``__init__`` does (``object.__setattr__``, here the slots' own setters),
# without the frozen ``__init__``'s cost per call.
_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The setter of the slot ``name`` of ``cls``."""
    setter: Callable[[object, object], None] = getattr(cls, name).__set__
    return setter


_set_principal, _set_interest, _set_fee, _set_penalty = (
    _setter(Amounts, name) for name in ("principal", "interest", "fee", "penalty")
)
_set_n, _set_due_date, _set_accrual_start, _set_status, _set_days_past_due, _set_settlement = (
    _setter(InstallmentPosition, name)
    for name in ("n", "due_date", "accrual_start", "status", "days_past_due", "settlement")
)
_set_charged, _set_paid, _set_waived, _set_capitalised, _set_outstanding = (
    _setter(InstallmentPosition, name)
    for name in ("charged", "paid", "waived", "capitalised", "outstanding")
)
_set_penalty_in_grace = _setter(InstallmentPosition, "penalty_in_grace")


def _new_amounts(principal: Decimal, interest: Decimal, fee: Decimal, penalty: Decimal) -> Amounts:
    made: Amounts = _new(Amounts)
    _set_principal(made, principal)
    _set_interest(made, interest)
    _set_fee(made, fee)
    _set_penalty(made, penalty)
    return made


_PAID, _DUE, _OVERDUE, _PARTIALLY_PAID, _FUTURE = (  # read once: an enum member costs a lookup
    InstallmentStatus.PAID,
    InstallmentStatus.DUE,
    InstallmentStatus.OVERDUE,
    InstallmentStatus.PARTIALLY_PAID,
    InstallmentStatus.FUTURE,
)
NO_AMOUNTS = Amounts()


def _amounts(principal: Decimal, interest: Decimal, fee: Decimal, penalty: Decimal) -> Amounts:
    """``Amounts`` of these figures (the one ``NO_AMOUNTS`` when all four are ``ZERO`` itself,
    as a row's paid, waived and capitalised amounts mostly are)."""
    if principal is ZERO and interest is ZERO and fee is ZERO and penalty is ZERO:
        return NO_AMOUNTS
    return _new_amounts(principal, interest, fee, penalty)


class _Totals:
    """Sums of the outstanding amounts of some installments, component by component."""

    __slots__ = ("fee", "interest", "penalty", "principal")

    def __init__(self) -> None:
        self.principal = self.interest = self.fee = self.penalty = ZERO

    def add(self, amounts: Amounts) -> None:
        self.principal += amounts.principal
        self.interest += amounts.interest
        self.fee += amounts.fee
        self.penalty += amounts.penalty

    def amounts(self) -> Amounts:
        return Amounts(self.principal, self.interest, self.fee, self.penalty)


def position(contract: LoanContract, events: Iterable[LoanEvent], as_of: date) -> Position:
    return position_of(replay(contract, events, as_of))


def position_of(book: LoanBook) -> Position:
    """The position at the end of ``book.today``: one pass over the rows (sums in row order)."""
    day = book.today
    rows: list[InstallmentPosition] = []
    buckets = {-1: _Totals(), 0: _Totals(), 1: _Totals()}  # overdue, due today, not due
    principal = owed = grace = penalty = interest = ZERO
    dpd = 0
    upcoming: Row | None = None
    next_row: InstallmentPosition | None = None
    for row in book.rows:
        here = _installment(row, day)
        rows.append(here)
        due = row.due_date
        side = -1 if due < day else (0 if due == day else 1)
        left = here.outstanding
        buckets[side].add(left)
        principal += left.principal
        owed += left.principal + left.interest + left.fee + left.penalty
        grace += row.penalty_in_grace
        penalty += row.charged[PENALTY]
        if side <= 0:
            interest += row.charged[INTEREST]
        elif upcoming is None:
            upcoming, next_row = row, here
        dpd = max(dpd, here.days_past_due)
    accrued = accrued_interest(book, upcoming, day) if upcoming is not None else ZERO
    if owed <= 0:
        status = LoanStatus.CLOSED
    else:
        status = LoanStatus.OVERDUE if dpd > 0 else LoanStatus.ACTIVE
    return Position(
        as_of=day,
        status=status,
        outstanding_principal=principal,
        overdue=buckets[-1].amounts(),
        due_today=buckets[0].amounts(),
        not_due=buckets[1].amounts(),
        accrued_interest=accrued,
        penalty_in_grace=grace,
        penalty_charged=penalty,
        interest_earned=accrued + interest,
        next_due_date=next_row.due_date if next_row is not None else None,
        next_due_amount=next_row.outstanding.total if next_row is not None else ZERO,
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
    """The installment at the end of ``day`` (its figures read once, its record filled slot by
    slot; see ``_new_amounts``)."""
    charged, paid, waived, capitalised = row.charged, row.paid, row.waived, row.capitalised
    c_principal, c_interest = charged[PRINCIPAL], charged[INTEREST]
    c_fee, c_penalty = charged[FEE], charged[PENALTY]
    p_principal, p_interest, p_fee, p_penalty = (
        paid[PRINCIPAL],
        paid[INTEREST],
        paid[FEE],
        paid[PENALTY],
    )
    w_principal, w_interest, w_fee, w_penalty = (
        waived[PRINCIPAL],
        waived[INTEREST],
        waived[FEE],
        waived[PENALTY],
    )
    k_principal, k_interest, k_fee, k_penalty = (
        capitalised[PRINCIPAL],
        capitalised[INTEREST],
        capitalised[FEE],
        capitalised[PENALTY],
    )
    due = row.due_date
    grace = row.penalty_in_grace
    o_principal = c_principal - p_principal - w_principal - k_principal
    o_interest = c_interest - p_interest - w_interest - k_interest
    o_fee = c_fee - p_fee - w_fee - k_fee
    o_penalty = c_penalty - p_penalty - w_penalty - k_penalty
    arrears = o_fee + o_interest + o_principal
    owed = o_penalty + arrears
    if owed <= 0:
        status = _PAID
    elif due > day:
        status = _FUTURE
    elif any(paid.values()) or any(waived.values()) or any(capitalised.values()):
        status = _PARTIALLY_PAID
    elif due == day:
        status = _DUE
    else:
        status = _OVERDUE
    made: InstallmentPosition = _new(InstallmentPosition)
    _set_n(made, row.n)
    _set_due_date(made, due)
    _set_accrual_start(made, row.accrual_start)
    _set_status(made, status)
    _set_charged(made, _amounts(c_principal, c_interest, c_fee, c_penalty))
    _set_paid(made, _amounts(p_principal, p_interest, p_fee, p_penalty))
    _set_waived(made, _amounts(w_principal, w_interest, w_fee, w_penalty))
    _set_capitalised(made, _amounts(k_principal, k_interest, k_fee, k_penalty))
    _set_outstanding(made, _new_amounts(o_principal, o_interest, o_fee, o_penalty))
    _set_penalty_in_grace(made, grace)
    _set_days_past_due(made, (day - due).days if due < day and arrears > 0 else 0)
    _set_settlement(made, row.settlement)
    return made

"""The events of a loan account, each with a value date and a posting sequence.

``event_id`` is the service's own identifier of the event (unique per loan); ``sequence`` is the
order in which events were posted (unique per loan, increasing). The engine applies events in
value-date order, then by sequence, whatever order they were posted in. A ``Reversal`` removes
its target from the history: the result is exactly as if the target had never been posted.

Disbursement is the start of the contract (``terms.disbursement_date``, ``terms.principal``);
a loan paid out in tranches (分次放款) starts with the first and takes each later one as a
``Tranche`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.calculator.servicing_terms import Component, PrepaymentMode


class EventKind(StrEnum):
    REPAYMENT = "repayment"
    PREPAYMENT = "prepayment"
    WAIVER = "waiver"
    REFUND = "refund"
    REVERSAL = "reversal"
    RESCHEDULE = "reschedule"
    TRANCHE = "tranche"
    ACCELERATION = "acceleration"
    CREDIT_APPLICATION = "credit_application"  # not an event: what the engine does on a due date


@dataclass(frozen=True, slots=True)
class Repayment:
    """Money received, allocated over what is past due and due on ``value_date`` by the order;
    what is left is kept as a credit balance."""

    event_id: str
    value_date: date
    sequence: int
    amount: Decimal
    channel: str = ""
    reference: str = ""

    kind = EventKind.REPAYMENT


@dataclass(frozen=True, slots=True)
class Prepayment:
    """Money received to repay principal before it is due (提前还款). ``mode`` None: the contract's.
    ``fee`` is the prepayment fee (违约金/提前还款手续费) the product charges, if any."""

    event_id: str
    value_date: date
    sequence: int
    amount: Decimal
    mode: PrepaymentMode | None = None
    fee: Decimal = Decimal(0)
    channel: str = ""
    reference: str = ""

    kind = EventKind.PREPAYMENT


@dataclass(frozen=True, slots=True)
class Waiver:
    """减免: ``amount`` of ``component`` (penalty, fee or interest) owed on ``value_date`` is
    forgiven, oldest installment first."""

    event_id: str
    value_date: date
    sequence: int
    component: Component
    amount: Decimal

    kind = EventKind.WAIVER


@dataclass(frozen=True, slots=True)
class Refund:
    """退款: ``amount`` of the credit balance paid back to the borrower."""

    event_id: str
    value_date: date
    sequence: int
    amount: Decimal

    kind = EventKind.REFUND


@dataclass(frozen=True, slots=True)
class Reversal:
    """冲正: the event ``target_id`` is taken out of the history (its value date is irrelevant)."""

    event_id: str
    value_date: date
    sequence: int
    target_id: str

    kind = EventKind.REVERSAL


@dataclass(frozen=True, slots=True)
class Reschedule:
    """展期 / 重组 (approved before it is posted): the principal not yet due is spread over a new
    schedule from ``value_date``: ``term`` installments, optionally a new rate, method, first
    due date and principal grace; with ``capitalise_arrears`` everything owed on that date
    (principal, interest, fee, penalty past due and due, and the interest accrued to the date)
    is added to the new principal. ``None`` keeps the contract's setting."""

    event_id: str
    value_date: date
    sequence: int
    term: int
    annual_rate: Decimal | None = None
    method: RepaymentMethod | None = None
    first_due_date: date | None = None
    grace_principal_periods: int = 0
    capitalise_arrears: bool = False

    kind = EventKind.RESCHEDULE


@dataclass(frozen=True, slots=True)
class Tranche:
    """A later tranche of the loan paid out on ``value_date``: ``amount`` is added to the principal
    not yet due and spread over the installments that remain (same due dates)."""

    event_id: str
    value_date: date
    sequence: int
    amount: Decimal

    kind = EventKind.TRANCHE


@dataclass(frozen=True, slots=True)
class Acceleration:
    """宣布提前到期 (approved before it is posted): the lender calls the whole loan due on
    ``value_date`` because the borrower broke the contract (misused the funds, stopped paying,
    lied): the interest of the current period accrued to that date and all the principal not yet
    due fall due on it, and the installments after it are gone (their fees were not earned).
    The loan keeps its terms, so penalty runs on what is then overdue; it is not restructured."""

    event_id: str
    value_date: date
    sequence: int

    kind = EventKind.ACCELERATION


MoneyEvent = Repayment | Prepayment | Waiver | Refund | Reschedule | Tranche | Acceleration
LoanEvent = MoneyEvent | Reversal

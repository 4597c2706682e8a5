"""The loan account engine: allocation, replay in value-date order, position, prepayment. Pure.

No database, no clock: the service gives the contract, the events and the business date.
docs/loan-engine.md states the conventions.
"""

from microlend.loans.engine.book import AllocationLine, LoanBook, Posting
from microlend.loans.engine.contract import LoanContract
from microlend.loans.engine.events import (
    Acceleration,
    EventKind,
    LoanEvent,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Reversal,
    Tranche,
    Waiver,
)
from microlend.loans.engine.position import (
    Amounts,
    InstallmentPosition,
    InstallmentStatus,
    LoanStatus,
    PayoffQuote,
    Position,
    payoff_quote,
    position,
    position_of,
)
from microlend.loans.engine.replay import (
    PostResult,
    advance,
    changed_postings,
    check_posting,
    post,
    replay,
    resume,
)

__all__ = [
    "Acceleration",
    "AllocationLine",
    "Amounts",
    "EventKind",
    "InstallmentPosition",
    "InstallmentStatus",
    "LoanBook",
    "LoanContract",
    "LoanEvent",
    "LoanStatus",
    "PayoffQuote",
    "Position",
    "PostResult",
    "Posting",
    "Prepayment",
    "Refund",
    "Repayment",
    "Reschedule",
    "Reversal",
    "Tranche",
    "Waiver",
    "advance",
    "changed_postings",
    "check_posting",
    "payoff_quote",
    "position",
    "position_of",
    "post",
    "replay",
    "resume",
]

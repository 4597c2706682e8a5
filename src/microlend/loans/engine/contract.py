"""What a loan keeps to be serviced: its terms, its schedule and the servicing settings.

A ``LoanContract`` is built once, at disbursement, from the loan's own copy of the terms; the
schedule is the one generated then (per-installment fees are in it). The engine never rebuilds it
except for a partial prepayment, and then only the part after the prepayment date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from microlend.kernel.errors import ValidationFailed
from microlend.kernel.money import quantum
from microlend.loans.calculator.model import Schedule, Terms
from microlend.loans.calculator.schedule import build_schedule
from microlend.loans.calculator.servicing_terms import (
    DEFAULT_ALLOCATION,
    PenaltyTerms,
    PrepaymentMode,
    Slot,
    allocation_order,
)


@dataclass(frozen=True, slots=True)
class LoanContract:
    """The agreed terms and schedule, the penalty, the allocation order and the prepayment mode."""

    terms: Terms
    schedule: Schedule
    penalty: PenaltyTerms = field(default_factory=PenaltyTerms)
    allocation: tuple[Slot, ...] = allocation_order(DEFAULT_ALLOCATION)
    prepayment_mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM

    def __post_init__(self) -> None:
        if self.schedule.terms != self.terms:
            raise ValidationFailed("was not built from these terms", field="schedule")
        if not self.allocation:
            raise ValidationFailed("the order is empty", field="allocation_order")
        object.__setattr__(self, "prepayment_mode", PrepaymentMode(self.prepayment_mode))

    @classmethod
    def open(
        cls,
        terms: Terms,
        *,
        penalty: PenaltyTerms | None = None,
        allocation: str | Sequence[str] = DEFAULT_ALLOCATION,
        prepayment_mode: PrepaymentMode | str = PrepaymentMode.SHORTEN_TERM,
        schedule: Schedule | None = None,
    ) -> LoanContract:
        """A contract from terms (the schedule is built unless the stored one is given)."""
        return cls(
            terms=terms,
            schedule=schedule if schedule is not None else build_schedule(terms),
            penalty=penalty if penalty is not None else PenaltyTerms(),
            allocation=allocation_order(allocation),
            prepayment_mode=PrepaymentMode(prepayment_mode),
        )

    @property
    def quantum(self) -> Decimal:
        """The smallest amount: ``0.01`` for 2 digits."""
        return quantum(self.terms.digits)

    def round(self, amount: Decimal) -> Decimal:
        """``amount`` rounded to the terms' digits with the terms' rounding mode."""
        return amount.quantize(self.quantum, rounding=self.terms.rounding.mode)

"""The servicing settings a product fixes and a loan keeps: allocation order, penalty, prepayment.

Pure values, shared by products (which store them in a version's terms) and the loan account
engine (which applies them). The engine's behaviour is documented where it is implemented.

Allocation (还款冲销顺序) is an ordered list of slots ``bucket.component``: the bucket is where an
installment stands on the repayment's value date (``past_due``: its due date has passed; ``due``:
due that day; ``future``: not yet due) and the component what is owed on it. Within a slot,
installments are taken oldest first. Presets name the common orders; a product may also spell out
its own list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from microlend.kernel.errors import ValidationFailed


class Bucket(StrEnum):
    PAST_DUE = "past_due"
    DUE = "due"
    FUTURE = "future"


class Component(StrEnum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


@dataclass(frozen=True, slots=True)
class Slot:
    bucket: Bucket
    component: Component

    def __str__(self) -> str:
        return f"{self.bucket.value}.{self.component.value}"


def _slots(bucket: Bucket, components: str) -> tuple[str, ...]:
    return tuple(f"{bucket.value}.{name}" for name in components.split())


_PFIP = "penalty fee interest principal"
ALLOCATION_PRESETS: dict[str, tuple[str, ...]] = {
    # 先罚息、后费用、后利息、后本金: arrears first, then what is due, then (prepayment) the future
    "penalty_fee_interest_principal": (
        *_slots(Bucket.PAST_DUE, _PFIP),
        *_slots(Bucket.DUE, _PFIP),
        *_slots(Bucket.FUTURE, "principal"),
    ),
    # 先息后本, penalty and fees last: protects the contract interest before the charges
    "interest_principal_penalty_fee": (
        *_slots(Bucket.PAST_DUE, "interest principal penalty fee"),
        *_slots(Bucket.DUE, "interest principal penalty fee"),
        *_slots(Bucket.FUTURE, "principal"),
    ),
    # 先本后息: principal of the arrears first (reduces the penalty base fastest)
    "principal_interest_penalty_fee": (
        *_slots(Bucket.PAST_DUE, "principal interest penalty fee"),
        *_slots(Bucket.DUE, "principal interest penalty fee"),
        *_slots(Bucket.FUTURE, "principal"),
    ),
}
DEFAULT_ALLOCATION = "penalty_fee_interest_principal"


def allocation_order(spec: str | Sequence[str]) -> tuple[Slot, ...]:
    """A preset's name or an explicit list of ``bucket.component`` slots, checked."""
    names = ALLOCATION_PRESETS.get(spec) if isinstance(spec, str) else tuple(spec)
    if names is None:
        raise ValidationFailed(
            "unknown allocation order %(spec)s; presets: %(allocation_presets)s",
            field="allocation_order",
            params={"spec": repr(spec), "allocation_presets": ", ".join(ALLOCATION_PRESETS)},
        )
    slots: list[Slot] = []
    for position, name in enumerate(names):
        bucket, _, component = name.partition(".")
        try:
            slot = Slot(Bucket(bucket), Component(component))
        except ValueError:
            raise ValidationFailed(
                "%(name)s is not bucket.component",
                field=f"allocation_order.{position}",
                params={"name": repr(name)},
            ) from None
        if slot in slots:
            raise ValidationFailed(
                "%(name)s is listed twice",
                field=f"allocation_order.{position}",
                params={"name": name},
            )
        slots.append(slot)
    if not slots:
        raise ValidationFailed("the order is empty", field="allocation_order")
    return tuple(slots)


class PenaltyBase(StrEnum):
    OVERDUE_PRINCIPAL = "overdue_principal"  # 逾期本金 (the regulators' usual base)
    OVERDUE_INSTALLMENT = "overdue_installment"  # principal and interest of the overdue installment


@dataclass(frozen=True, slots=True)
class PenaltyTerms:
    """罚息: the contract rate times ``multiplier`` (1.5 = contract rate + 50%), daily on ``base``
    from the day after the due date once ``grace_days`` have passed without payment; with
    ``compound`` (复利) overdue interest bears the same penalty rate."""

    multiplier: Decimal = Decimal("1.5")
    base: PenaltyBase = PenaltyBase.OVERDUE_PRINCIPAL
    grace_days: int = 0
    compound: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.multiplier, Decimal) or self.multiplier < 0:
            raise ValidationFailed("must be a non-negative decimal", field="penalty.multiplier")
        if self.multiplier > 4:
            raise ValidationFailed("must not exceed 4", field="penalty.multiplier")
        object.__setattr__(self, "base", PenaltyBase(self.base))
        if not isinstance(self.grace_days, int) or not 0 <= self.grace_days <= 90:
            raise ValidationFailed("must be 0 to 90 days", field="penalty.grace_days")


class PrepaymentMode(StrEnum):
    SHORTEN_TERM = "shorten_term"  # 缩期: same installment, fewer of them
    LOWER_INSTALLMENT = "lower_installment"  # 减额: same term, smaller installments

"""How the demo's borrowers pay, drawn from a seeded ``random.Random``.

=========  ======  ===========================================================================
kind       share   payments
=========  ======  ===========================================================================
on_time    72 %    every installment on its due date
late       14 %    every installment 3 to 45 days late (penalty interest runs meanwhile)
default     7 %    on time for 1 to 4 installments, then never again
prepay      7 %    on time for 1 to 5 installments, then the payoff quote 3 to 20 days later
=========  ======  ===========================================================================

A payment pays what the loan owes on its day (overdue plus due, penalty included); a payoff pays
the payoff quote. Only the days are drawn here; the amounts come from the loan on the day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SHARES = (("on_time", 0.72), ("late", 0.14), ("default", 0.07), ("prepay", 0.07))


@dataclass(frozen=True)
class Behaviour:
    kind: str
    stop_after: int  # installments paid before defaulting or prepaying (0: not used)


@dataclass(frozen=True)
class Payment:
    day: date
    payoff: bool = False


def weighted_pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    """One of the names of ``shares`` (name, share of 1), as often as its share."""
    names = [name for name, _share in shares]
    return rng.choices(names, weights=[share for _name, share in shares])[0]


def draw_behaviour(rng: random.Random) -> Behaviour:
    kind = weighted_pick(rng, SHARES)
    if kind == "default":
        return Behaviour(kind, rng.randint(1, 4))
    if kind == "prepay":
        return Behaviour(kind, rng.randint(1, 5))
    return Behaviour(kind, 0)


def payments_of(behaviour: Behaviour, due_dates: list[date], rng: random.Random) -> list[Payment]:
    """The days the borrower pays, for a loan whose installments fall due on ``due_dates``."""
    if behaviour.kind == "late":
        return [Payment(due + timedelta(days=rng.randint(3, 45))) for due in due_dates]
    if behaviour.kind == "default":
        return [Payment(due) for due in due_dates[: behaviour.stop_after]]
    if behaviour.kind == "prepay" and behaviour.stop_after < len(due_dates):
        paid = due_dates[: behaviour.stop_after]
        payoff = paid[-1] + timedelta(days=rng.randint(3, 20))
        return [*(Payment(due) for due in paid), Payment(payoff, payoff=True)]
    return [Payment(due) for due in due_dates]

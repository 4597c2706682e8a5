"""Approval chains, as rules: which chain applies, which of its steps an application passes, how a
committee's votes count, and when a step is due.

A chain is an ordered list of steps. Each step may carry an amount band: ``final_up_to_minor`` is
the largest amount (minor units) this step may approve on its own; the chain stops at the first
step whose band covers the amount (a step without a band is final for any amount). An application
referred to manual review by the automated decision always passes the chain's first risk-review
step, even when an earlier step would have been final.

Committee (N of M): a step with ``quorum`` N and ``committee_size`` M (named ``members`` if any,
then M = len(members)). It is approved once N members approve (with or without conditions); it is
rejected as soon as approval has become impossible (more than M - N rejections) or, when the step
has ``veto`` switched on, by the first rejection (一票否决). A return for more information by any
member returns the application at once: the committee cannot decide without it.

Pure: imports only the kernel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from microlend.kernel.errors import ValidationFailed


class Location(StrEnum):
    """Where a step sits, relative to the application's office."""

    BRANCH = "branch"  # the application's own office
    PARENT = "parent"  # the office above it (the head office has none: itself)
    HEAD_OFFICE = "head_office"  # the root of the company's office tree
    GROUP = "group"  # a group-level user, across companies (跨公司审核)


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"


class Outcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"


MAX_STEPS = 8
MAX_SLA_HOURS = 24 * 90


@dataclass(frozen=True)
class StepSpec:
    """One configured step of a chain."""

    position: int
    level_name: str
    role_code: str
    location: Location
    final_up_to_minor: int | None = None
    risk_review: bool = False
    sla_hours: int = 24
    quorum: int = 1
    committee_size: int = 1
    members: tuple[int, ...] = ()
    veto: bool = False

    @property
    def is_committee(self) -> bool:
        return self.committee_size > 1 or bool(self.members)


@dataclass(frozen=True)
class ChainSpec:
    """A chain version and what it applies to (``None``: any)."""

    id: int
    code: str
    version: int
    steps: tuple[StepSpec, ...]
    product_code: str | None = None
    office_id: int | None = None
    min_amount_minor: int | None = None
    max_amount_minor: int | None = None


@dataclass(frozen=True)
class Conditions:
    """Conditions of an approval: each may only make the loan smaller, shorter or safer."""

    amount_minor: int | None = None
    term_count: int | None = None
    extra_guarantor: bool = False
    other: str = ""

    @property
    def empty(self) -> bool:
        return (
            self.amount_minor is None
            and self.term_count is None
            and not self.extra_guarantor
            and not self.other.strip()
        )


@dataclass(frozen=True)
class Tally:
    approvals: int
    rejections: int
    returns: int
    outcome: Outcome
    votes_needed: int


# --- configuration -------------------------------------------------------------------------------


def check_steps(steps: Sequence[StepSpec]) -> None:
    """Refuse a chain that cannot work; the field names the step (``steps.1.quorum``)."""
    if not steps:
        raise ValidationFailed("a chain needs at least one step", field="steps")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(
            "at most %(max_steps)s steps", field="steps", params={"max_steps": MAX_STEPS}
        )
    last_band = 0
    for index, step in enumerate(steps):
        where = f"steps.{index}"
        if not step.level_name.strip():
            raise ValidationFailed("a level name is required", field=f"{where}.level_name")
        if not step.role_code.strip():
            raise ValidationFailed("a role is required", field=f"{where}.role")
        if not 1 <= step.sla_hours <= MAX_SLA_HOURS:
            raise ValidationFailed(
                "between 1 and %(max_sla_hours)s hours",
                field=f"{where}.sla_hours",
                params={"max_sla_hours": MAX_SLA_HOURS},
            )
        if step.members and len(set(step.members)) != len(step.members):
            raise ValidationFailed("a member is named twice", field=f"{where}.members")
        if step.members and step.committee_size != len(step.members):
            raise ValidationFailed(
                "the committee size is the number of named members", field=f"{where}.members"
            )
        if not 1 <= step.quorum <= step.committee_size:
            raise ValidationFailed(
                "the quorum is between 1 and the committee size", field=f"{where}.quorum"
            )
        band = step.final_up_to_minor
        if band is not None:
            if band <= last_band:
                raise ValidationFailed(
                    "each band must be above the band of the step before",
                    field=f"{where}.final_up_to",
                )
            last_band = band
        elif index != len(steps) - 1:
            raise ValidationFailed(
                "only the last step may be final for any amount", field=f"{where}.final_up_to"
            )


# --- selection -----------------------------------------------------------------------------------


def _in_band(chain: ChainSpec, amount_minor: int) -> bool:
    low, high = chain.min_amount_minor, chain.max_amount_minor
    return (low is None or amount_minor >= low) and (high is None or amount_minor <= high)


def select_chain(
    chains: Iterable[ChainSpec],
    *,
    amount_minor: int,
    office_path: Sequence[int],
    product_code: str | None = None,
    chain_code: str | None = None,
) -> ChainSpec | None:
    """The chain an application goes through, or ``None`` if none applies.

    ``office_path`` is the application's office and its ancestors, root first. A product that
    names a chain (``chain_code``) only considers chains of that code. Among the chains whose
    product, office (the application's office or an ancestor) and amount band match, the most
    specific wins: a product match first, then the nearest office, then an amount band, then
    the lower code.
    """
    depth = {office_id: index for index, office_id in enumerate(office_path)}

    def fits(chain: ChainSpec) -> bool:
        if chain_code is not None and chain.code != chain_code:
            return False
        if chain.product_code is not None and chain.product_code != product_code:
            return False
        if chain.office_id is not None and chain.office_id not in depth:
            return False
        return _in_band(chain, amount_minor)

    def specificity(chain: ChainSpec) -> tuple[int, int, int, str]:
        office_depth = -1 if chain.office_id is None else depth[chain.office_id]
        banded = chain.min_amount_minor is not None or chain.max_amount_minor is not None
        return (chain.product_code is not None, office_depth, banded, _reverse(chain.code))

    fitting = [chain for chain in chains if fits(chain)]
    return max(fitting, key=specificity) if fitting else None


def _reverse(code: str) -> str:
    """Sorts so that ``max`` picks the lowest code on a tie."""
    return "".join(chr(0x10FFFF - ord(char)) for char in code)


def steps_to_pass(chain: ChainSpec, *, amount_minor: int, referred: bool) -> tuple[StepSpec, ...]:
    """The steps an application of ``amount_minor`` passes, in order; empty when a referred
    application's chain has no risk-review step (the caller refuses it)."""
    last = len(chain.steps) - 1
    for index, step in enumerate(chain.steps):
        if step.final_up_to_minor is None or amount_minor <= step.final_up_to_minor:
            last = index
            break
    if referred:
        risk = [index for index, step in enumerate(chain.steps) if step.risk_review]
        if not risk:
            return ()
        last = max(last, risk[0])
    return chain.steps[: last + 1]


def step_office(location: Location, office_path: Sequence[int]) -> int | None:
    """The office a step sits at (``None``: group level), from the application's office path."""
    if not office_path:
        raise ValueError("an office path has at least the office itself")
    if location is Location.BRANCH:
        return office_path[-1]
    if location is Location.PARENT:
        return office_path[-2] if len(office_path) > 1 else office_path[-1]
    if location is Location.HEAD_OFFICE:
        return office_path[0]
    return None


# --- votes and conditions ------------------------------------------------------------------------


def tally(actions: Sequence[Action], *, quorum: int, committee_size: int, veto: bool) -> Tally:
    """How a step stands after ``actions`` (one per member, in order). A single approver is a
    committee of one with a quorum of one."""
    approvals = sum(a in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS) for a in actions)
    rejections = sum(a is Action.REJECT for a in actions)
    returns = sum(a is Action.RETURN for a in actions)
    if returns:
        outcome = Outcome.RETURNED
    elif approvals >= quorum:
        outcome = Outcome.APPROVED
    elif (veto and rejections) or rejections > committee_size - quorum:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.PENDING
    return Tally(approvals, rejections, returns, outcome, max(quorum - approvals, 0))


def check_conditions(
    conditions: Conditions, *, amount_minor: int, term_count: int, field_prefix: str = "conditions"
) -> None:
    """Conditions may lower the amount or shorten the term, never raise them."""
    if conditions.empty:
        raise ValidationFailed("name at least one condition", field=field_prefix)
    if conditions.amount_minor is not None and not 0 < conditions.amount_minor <= amount_minor:
        raise ValidationFailed(
            "above zero and at most the amount applied for", field=f"{field_prefix}.amount"
        )
    if conditions.term_count is not None and not 0 < conditions.term_count <= term_count:
        raise ValidationFailed(
            "at least one and at most the term applied for", field=f"{field_prefix}.term_count"
        )


def merge_conditions(all_conditions: Iterable[Conditions]) -> Conditions | None:
    """The strictest combination of the conditions set along a chain (``None``: none set)."""
    merged: Conditions | None = None
    for item in all_conditions:
        if merged is None:
            merged = item
            continue
        merged = Conditions(
            amount_minor=_lowest(merged.amount_minor, item.amount_minor),
            term_count=_lowest(merged.term_count, item.term_count),
            extra_guarantor=merged.extra_guarantor or item.extra_guarantor,
            other="\n".join(text for text in (merged.other, item.other) if text.strip()),
        )
    return merged


def _lowest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


# --- SLA -----------------------------------------------------------------------------------------


def due_at(activated_at: datetime, sla_hours: int) -> datetime:
    return activated_at + timedelta(hours=sla_hours)


@dataclass(frozen=True)
class SlaState:
    due_at: datetime
    overdue: bool
    remaining: timedelta  # negative when overdue: how long past due


def sla_state(due: datetime, now: datetime) -> SlaState:
    return SlaState(due, now > due, due - now)

"""The life cycle of a loan application, as pure rules.

    draft -> submitted -> investigating -> under_review -> approved | conditionally_approved
                                                        -> rejected
                                       (investigating)  <- under_review  (returned for information)
                          investigating -> rejected     (the automated decision declines)
    approved | conditionally_approved -> contracted -> disbursed
    any open state -> withdrawn

Every move is an ``Action``; ``next_status`` answers the status an action leads to or refuses it
with a ``Conflict`` naming the current status. Also here: application and contract numbers, the
loan-to-value of collateral and the checks an application must pass to be submitted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from microlend.kernel.errors import Conflict, filled


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INVESTIGATING = "investigating"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    CONDITIONALLY_APPROVED = "conditionally_approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CONTRACTED = "contracted"
    DISBURSED = "disbursed"


class Action(StrEnum):
    SUBMIT = "submit"
    START_INVESTIGATION = "start_investigation"
    COMPLETE_INVESTIGATION = "complete_investigation"  # the decision passed or referred it
    DECLINE = "decline"  # the automated decision knocked it out
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"
    RETURN_FOR_INFORMATION = "return_for_information"
    WITHDRAW = "withdraw"
    CONTRACT = "contract"
    DISBURSE = "disburse"


# The note the system writes on the timeline for the automated decision's outcome: stored as
# English and shown in the reader's language (marked for the catalog in origination/pages.py).
AUTOMATED_DECISION_NOTES: dict[str, str] = {
    outcome: f"automated decision: {outcome}" for outcome in ("pass", "refer", "decline")
}

S, A = Status, Action

# Before a contract is signed, the officer may withdraw the application (the borrower gives up).
OPEN: frozenset[Status] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.INVESTIGATING, S.UNDER_REVIEW, S.APPROVED, S.CONDITIONALLY_APPROVED}
)
FINAL: frozenset[Status] = frozenset({S.REJECTED, S.WITHDRAWN, S.DISBURSED})
APPROVED: frozenset[Status] = frozenset({S.APPROVED, S.CONDITIONALLY_APPROVED})
# Where the request itself (amount, parties, collateral) may still change.
EDITABLE: frozenset[Status] = frozenset({S.DRAFT})
# Where co-borrowers, guarantors and collateral may change: before submission, while the
# investigation runs (it may find a further guarantor) and to meet an approval's conditions.
PARTIES_EDITABLE: frozenset[Status] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.INVESTIGATING, S.CONDITIONALLY_APPROVED}
)

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.START_INVESTIGATION): S.INVESTIGATING,
    (S.INVESTIGATING, A.COMPLETE_INVESTIGATION): S.UNDER_REVIEW,
    (S.INVESTIGATING, A.DECLINE): S.REJECTED,
    (S.UNDER_REVIEW, A.APPROVE): S.APPROVED,
    (S.UNDER_REVIEW, A.APPROVE_WITH_CONDITIONS): S.CONDITIONALLY_APPROVED,
    (S.UNDER_REVIEW, A.REJECT): S.REJECTED,
    (S.UNDER_REVIEW, A.RETURN_FOR_INFORMATION): S.INVESTIGATING,
    (S.APPROVED, A.CONTRACT): S.CONTRACTED,
    (S.CONDITIONALLY_APPROVED, A.CONTRACT): S.CONTRACTED,
    (S.CONTRACTED, A.DISBURSE): S.DISBURSED,
    **{(state, A.WITHDRAW): S.WITHDRAWN for state in OPEN},
}


def status_of(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise Conflict(
            "unknown application status %(value)s",
            code="unknown_status",
            params={"value": repr(value)},
        ) from None


def allowed_actions(status: Status | str) -> tuple[Action, ...]:
    """The actions that lead somewhere from ``status``, in declaration order."""
    current = status_of(status)
    return tuple(action for action in Action if (current, action) in TRANSITIONS)


def next_status(status: Status | str, action: Action) -> Status:
    """The status ``action`` leads to from ``status``; a ``Conflict`` naming both otherwise."""
    current = status_of(status)
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise Conflict(
            "cannot %(action)s an application that is %(current)s",
            code="invalid_transition",
            field="status",
            extra={"current_status": current.value, "action": action.value},
            params={"action": action.value.replace("_", " "), "current": current.value},
        ) from None


def require_status(status: Status | str, allowed: Iterable[Status], *, doing: str) -> Status:
    """``status`` if it is one of ``allowed``; else a ``Conflict`` naming the current status."""
    current = status_of(status)
    permitted = frozenset(allowed)
    if current not in permitted:
        raise Conflict(
            "cannot %(doing)s an application that is %(current)s",
            code="invalid_status",
            field="status",
            extra={"current_status": current.value, "allowed": sorted(s.value for s in permitted)},
            params={"doing": doing, "current": current.value},
        )
    return current


def formatted_number(prefix: str, year: int, sequence: int) -> str:
    """``HT2026000123``: a prefix, the year and a six-digit (or longer) sequence number."""
    if sequence < 1 or not 1000 <= year <= 9999:
        raise ValueError("a number has a positive sequence and a four-digit year")
    return f"{prefix}{year:04d}{sequence:06d}"


APPLICATION_PREFIX = "SQ"  # 申请
CONTRACT_PREFIX = "HT"  # 合同


def loan_to_value(amount: Decimal, appraisal_value: Decimal | None) -> Decimal | None:
    """Loan amount over the appraised value, to four places; ``None`` before an appraisal."""
    if appraisal_value is None or appraisal_value <= 0:
        return None
    return (amount / appraisal_value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SubmissionProblem:
    """Why an application cannot be submitted yet, naming the field to fix; the English ``message``
    is ``template`` with its placeholders filled from ``params``."""

    code: str
    field: str
    template: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return filled(self.template, self.params)


@dataclass(frozen=True)
class SubmissionFacts:
    """What the submission checks look at, gathered by the service."""

    guarantors: int
    guarantors_required: int
    collateral_count: int
    collateral_required: bool
    documents_on_file: frozenset[str]
    documents_required: tuple[str, ...]
    applicant_blacklisted: bool


def submission_problems(facts: SubmissionFacts) -> tuple[SubmissionProblem, ...]:
    """Everything that stands between an application and its submission (empty: none)."""
    problems: list[SubmissionProblem] = []
    if facts.applicant_blacklisted:
        problems.append(
            SubmissionProblem("applicant_blacklisted", "customer_id", "applicant on the blacklist")
        )
    if facts.guarantors < facts.guarantors_required:
        problems.append(
            SubmissionProblem(
                "guarantors_missing",
                "parties",
                "the product needs %(required)s guarantor(s), the application has %(present)s",
                {"required": facts.guarantors_required, "present": facts.guarantors},
            )
        )
    if facts.collateral_required and facts.collateral_count == 0:
        problems.append(
            SubmissionProblem("collateral_missing", "collateral", "the product needs collateral")
        )
    missing = [doc for doc in facts.documents_required if doc not in facts.documents_on_file]
    if missing:
        problems.append(
            SubmissionProblem(
                "documents_missing",
                "documents",
                "documents missing from the customer's file: %(documents)s",
                {"documents": ", ".join(missing)},
            )
        )
    return tuple(problems)

"""The application state machine: every allowed move by hand, every other move refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microlend.kernel.errors import Conflict
from microlend.origination import pages
from microlend.origination.model import (
    AUTOMATED_DECISION_NOTES,
    Action,
    Status,
    SubmissionFacts,
    allowed_actions,
    formatted_number,
    loan_to_value,
    next_status,
    require_status,
    submission_problems,
)

# The life cycle written out by hand from the issue (not read from the code's table).
EXPECTED: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",
    ("submitted", "start_investigation"): "investigating",
    ("investigating", "complete_investigation"): "under_review",
    ("investigating", "decline"): "rejected",
    ("under_review", "approve"): "approved",
    ("under_review", "approve_with_conditions"): "conditionally_approved",
    ("under_review", "reject"): "rejected",
    ("under_review", "return_for_information"): "investigating",
    ("approved", "contract"): "contracted",
    ("conditionally_approved", "contract"): "contracted",
    ("contracted", "disburse"): "disbursed",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("investigating", "withdraw"): "withdrawn",
    ("under_review", "withdraw"): "withdrawn",
    ("approved", "withdraw"): "withdrawn",
    ("conditionally_approved", "withdraw"): "withdrawn",
}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_each_allowed_move_leads_where_the_issue_says(status: str, action: str) -> None:
    assert next_status(status, Action(action)) == Status(EXPECTED[(status, action)])


ALL_PAIRS = [(s.value, a.value) for s in Status for a in Action]
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def test_the_table_covers_ten_states_and_eleven_actions() -> None:
    assert len(ALL_PAIRS) == 10 * 11
    assert len(REFUSED) == 110 - 17


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_other_move_is_a_conflict_naming_the_current_status(status: str, action: str) -> None:
    with pytest.raises(Conflict) as refused:
        next_status(status, Action(action))
    assert refused.value.code == "invalid_transition"
    assert status in refused.value.detail
    assert refused.value.extra == {"current_status": status, "action": action}


def test_final_states_allow_nothing() -> None:
    for status in ("rejected", "withdrawn", "disbursed"):
        assert allowed_actions(status) == ()
    assert allowed_actions("contracted") == (Action.DISBURSE,)
    assert set(allowed_actions("under_review")) == {
        Action.APPROVE,
        Action.APPROVE_WITH_CONDITIONS,
        Action.REJECT,
        Action.RETURN_FOR_INFORMATION,
        Action.WITHDRAW,
    }


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(Conflict) as refused:
        next_status("archived", Action.SUBMIT)
    assert refused.value.code == "unknown_status"


def test_require_status_names_the_current_status() -> None:
    assert require_status("draft", {Status.DRAFT}, doing="edit") is Status.DRAFT
    with pytest.raises(Conflict, match="cannot edit an application that is submitted"):
        require_status("submitted", {Status.DRAFT}, doing="edit")


def test_numbers_carry_prefix_year_and_six_digits() -> None:
    assert formatted_number("HT", 2026, 123) == "HT2026000123"
    assert formatted_number("SQ", 2026, 1234567) == "SQ20261234567"
    with pytest.raises(ValueError):
        formatted_number("HT", 2026, 0)


def test_loan_to_value() -> None:
    # 300,000 lent against a flat appraised at 500,000: 300000 / 500000 = 0.6
    assert loan_to_value(Decimal("300000"), Decimal("500000")) == Decimal("0.6000")
    # 100,000 / 150,000 = 0.66666.. -> 0.6667
    assert loan_to_value(Decimal("100000"), Decimal("150000")) == Decimal("0.6667")
    assert loan_to_value(Decimal("1"), None) is None
    assert loan_to_value(Decimal("1"), Decimal("0")) is None


def _facts(**changes: object) -> SubmissionFacts:
    base: dict[str, object] = {
        "guarantors": 1,
        "guarantors_required": 1,
        "collateral_count": 0,
        "collateral_required": False,
        "documents_on_file": frozenset({"id_copy"}),
        "documents_required": ("id_copy",),
        "applicant_blacklisted": False,
    }
    base.update(changes)
    return SubmissionFacts(**base)  # type: ignore[arg-type]


def test_a_complete_application_has_no_problem() -> None:
    assert submission_problems(_facts()) == ()


def test_each_missing_requirement_is_named() -> None:
    problems = submission_problems(
        _facts(
            guarantors=0,
            guarantors_required=2,
            collateral_required=True,
            documents_required=("id_copy", "business_licence", "bank_statement"),
            applicant_blacklisted=True,
        )
    )
    assert [p.code for p in problems] == [
        "applicant_blacklisted",
        "guarantors_missing",
        "collateral_missing",
        "documents_missing",
    ]
    assert problems[3].message.endswith("business_licence, bank_statement")
    assert problems[1].field == "parties"


def test_every_automated_decision_note_is_marked_for_the_catalog() -> None:
    """The timeline shows the system's notes through the catalog: a note the pages do not mark
    would stay English in the Chinese UI."""
    assert set(AUTOMATED_DECISION_NOTES.values()) == set(pages.AUTOMATED_DECISION_NOTES)

"""The approval rules: chain selection, the steps an amount passes, committee counting, SLA.

Worked by hand. Office tree used below: HQ (1) → branch A (4) → sub-branch A1 (9); branch B (5).
Amounts in fen: 50,000.00 yuan = 5,000,000; 200,000.00 yuan = 20,000,000.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.origination.approval_model import (
    Action,
    ChainSpec,
    Conditions,
    Location,
    Outcome,
    StepSpec,
    check_conditions,
    check_steps,
    due_at,
    merge_conditions,
    select_chain,
    sla_state,
    step_office,
    steps_to_pass,
    tally,
)

A, R, RET, AC = Action.APPROVE, Action.REJECT, Action.RETURN, Action.APPROVE_WITH_CONDITIONS
HQ, BRANCH_A, A1, BRANCH_B = 1, 4, 9, 5
PATH_A1 = (HQ, BRANCH_A, A1)

BRANCH = StepSpec(1, "Branch manager", "approver", Location.BRANCH, 5_000_000)
RISK = StepSpec(2, "Risk officer", "risk_officer", Location.HEAD_OFFICE, 20_000_000,
                risk_review=True)  # fmt: skip
COMMITTEE = StepSpec(3, "Risk committee", "approver", Location.HEAD_OFFICE, None,
                     quorum=2, committee_size=3)  # fmt: skip
DEFAULT = ChainSpec(1, "default", 1, (BRANCH, RISK, COMMITTEE))


def chain(id_: int, code: str, **scope: object) -> ChainSpec:
    return ChainSpec(id_, code, 1, (BRANCH,), **scope)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "levels"),
    [
        (3_000_000, ["Branch manager"]),  # 30,000 ≤ 50,000
        (5_000_000, ["Branch manager"]),  # the band is inclusive
        (5_000_001, ["Branch manager", "Risk officer"]),
        (15_000_000, ["Branch manager", "Risk officer"]),
        (20_000_000, ["Branch manager", "Risk officer"]),
        (50_000_000, ["Branch manager", "Risk officer", "Risk committee"]),
    ],
)
def test_the_amount_band_decides_where_the_chain_stops(amount: int, levels: list[str]) -> None:
    steps = steps_to_pass(DEFAULT, amount_minor=amount, referred=False)
    assert [s.level_name for s in steps] == levels


def test_a_referred_application_passes_the_risk_review_step() -> None:
    steps = steps_to_pass(DEFAULT, amount_minor=3_000_000, referred=True)
    assert [s.level_name for s in steps] == ["Branch manager", "Risk officer"]
    big = steps_to_pass(DEFAULT, amount_minor=50_000_000, referred=True)
    assert len(big) == 3  # already passes it
    no_risk = ChainSpec(2, "lean", 1, (BRANCH, COMMITTEE))
    assert steps_to_pass(no_risk, amount_minor=3_000_000, referred=True) == ()


def test_the_most_specific_chain_wins() -> None:
    chains = [
        chain(1, "default"),
        chain(2, "branch-a", office_id=BRANCH_A),
        chain(3, "a1", office_id=A1),
        chain(4, "branch-b", office_id=BRANCH_B),
        chain(5, "sme", product_code="SME-WC"),
        chain(6, "big", min_amount_minor=100_000_000),
    ]

    def pick(path: tuple[int, ...], product: str = "IND-BIZ", amount: int = 1_000) -> str:
        found = select_chain(chains, amount_minor=amount, office_path=path, product_code=product)
        assert found is not None
        return found.code

    assert pick((HQ,)) == "default"
    assert pick((HQ, BRANCH_A)) == "branch-a"
    assert pick(PATH_A1) == "a1"  # the nearest office
    assert pick((HQ, BRANCH_B)) == "branch-b"
    assert pick(PATH_A1, product="SME-WC") == "sme"  # a product match beats an office match
    assert pick((HQ,), amount=100_000_000) == "big"  # a band beats none at the same level
    assert pick((HQ, BRANCH_A), amount=100_000_000) == "branch-a"


def test_a_product_naming_its_chain_only_considers_that_code() -> None:
    chains = [chain(1, "default"), chain(2, "fast", office_id=BRANCH_B)]
    found = select_chain(chains, amount_minor=1, office_path=PATH_A1, chain_code="fast")
    assert found is None  # 'fast' belongs to branch B only
    assert select_chain(chains, amount_minor=1, office_path=(HQ, BRANCH_B),
                        chain_code="fast") == chains[1]  # fmt: skip
    assert select_chain([], amount_minor=1, office_path=(HQ,)) is None


def test_steps_sit_at_their_office() -> None:
    assert step_office(Location.BRANCH, PATH_A1) == A1
    assert step_office(Location.PARENT, PATH_A1) == BRANCH_A
    assert step_office(Location.PARENT, (HQ,)) == HQ  # the head office has no parent
    assert step_office(Location.HEAD_OFFICE, PATH_A1) == HQ
    assert step_office(Location.GROUP, PATH_A1) is None


@pytest.mark.parametrize(
    ("votes", "veto", "outcome"),
    [
        ([], False, Outcome.PENDING),
        ([A], False, Outcome.PENDING),  # 1 of 2 needed
        ([A, AC], False, Outcome.APPROVED),  # conditions count as approval
        ([R], False, Outcome.PENDING),  # 2 of the other 2 may still approve
        ([R, A], False, Outcome.PENDING),
        ([R, A, A], False, Outcome.APPROVED),
        ([R, R], False, Outcome.REJECTED),  # only 1 left: 2 of 3 is impossible
        ([A, R], True, Outcome.REJECTED),  # veto: one rejection decides
        ([A, RET], False, Outcome.RETURNED),
    ],
)
def test_committee_two_of_three(votes: list[Action], veto: bool, outcome: Outcome) -> None:
    assert tally(votes, quorum=2, committee_size=3, veto=veto).outcome is outcome


def test_a_single_approver_is_a_committee_of_one() -> None:
    assert tally([A], quorum=1, committee_size=1, veto=False).outcome is Outcome.APPROVED
    assert tally([R], quorum=1, committee_size=1, veto=False).outcome is Outcome.REJECTED
    assert tally([RET], quorum=1, committee_size=1, veto=False).outcome is Outcome.RETURNED
    three_of_five = tally([A, R, A], quorum=3, committee_size=5, veto=False)
    assert (three_of_five.outcome, three_of_five.votes_needed) == (Outcome.PENDING, 1)


def test_sla_due_time_and_overdue() -> None:
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    due = due_at(start, 24)
    assert due == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    on_time = sla_state(due, start + timedelta(hours=20))
    assert (on_time.overdue, on_time.remaining) == (False, timedelta(hours=4))
    late = sla_state(due, start + timedelta(hours=26, minutes=30))
    assert (late.overdue, late.remaining) == (True, -timedelta(hours=2, minutes=30))
    assert not sla_state(due, due).overdue  # due at, not yet past


def test_conditions_only_lower_and_merge_to_the_strictest() -> None:
    check_conditions(Conditions(4_000_000, 6), amount_minor=5_000_000, term_count=12)
    for bad, field in (
        (Conditions(6_000_000), "conditions.amount"),
        (Conditions(0), "conditions.amount"),
        (Conditions(term_count=13), "conditions.term_count"),
        (Conditions(), "conditions"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            check_conditions(bad, amount_minor=5_000_000, term_count=12)
        assert refused.value.field == field
    merged = merge_conditions([Conditions(4_000_000, None, False, "a"),
                               Conditions(4_500_000, 9, True, "b")])  # fmt: skip
    assert merged == Conditions(4_000_000, 9, True, "a\nb")
    assert merge_conditions([]) is None


def test_chain_configuration_is_checked() -> None:
    check_steps([BRANCH, RISK, COMMITTEE])
    cases = [
        ([], "steps"),
        ([COMMITTEE, BRANCH], "steps.0.final_up_to"),  # only the last may be unbounded
        ([RISK, BRANCH], "steps.1.final_up_to"),  # bands must rise
        ([StepSpec(1, "", "approver", Location.BRANCH)], "steps.0.level_name"),
        ([StepSpec(1, "C", "approver", Location.BRANCH, quorum=3, committee_size=2)],
         "steps.0.quorum"),
        ([StepSpec(1, "C", "approver", Location.BRANCH, quorum=1, committee_size=3,
                   members=(7, 8))], "steps.0.members"),
        ([StepSpec(1, "C", "approver", Location.BRANCH, sla_hours=0)], "steps.0.sla_hours"),
    ]  # fmt: skip
    for steps, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            check_steps(steps)
        assert refused.value.field == field

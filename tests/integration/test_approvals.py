"""Multi-level approval on the default chain, on SQLite and PostgreSQL.

The default chain (seeded the first time): branch manager (role approver, at the branch) final up
to 50,000.00; risk officer (role risk_officer, head office) final up to 200,000.00; risk committee
(role approver, head office) 2 of 3 above. So 30,000 needs one decision, 150,000 two, 500,000
three steps of which the last takes two committee votes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.origination import approvals
from microlend.origination.approval_views import Conditions
from microlend.origination.tables import Application
from tests.integration.approvals_support import add_user, status_of, under_review
from tests.seed import World


def act(world: World, username: str, application_id: int, action: str = "approve",
        opinion: str = "同意", conditions: Conditions | None = None,
        hours: int = 1) -> approvals.ApprovalView:  # fmt: skip
    with world.make_uow() as uow:
        view = approvals.act_on_application(
            uow, world.principal(username), application_id=application_id, action=action,
            opinion=opinion, conditions=conditions, now=world.now + timedelta(hours=hours),
        )  # fmt: skip
        uow.commit()
    return view


def inbox_of(world: World, username: str, hours: int = 2) -> list[int]:
    with world.make_uow(read_only=True) as uow:
        items = approvals.inbox(
            uow, world.principal(username), now=world.now + timedelta(hours=hours)
        )
    return [item.application_id for item in items]


def committee(world: World) -> None:
    for name in ("member1", "member2", "member3"):
        add_user(world, name, roles=["approver"], office="hq", scope="company")


def test_30000_needs_one_approval(world: World) -> None:
    app_id = under_review(world, amount="30000")
    assert inbox_of(world, "approver") == [app_id]
    assert inbox_of(world, "risk") == []  # the risk officer's step is not on this path
    view = act(world, "approver", app_id)
    assert view.status == "approved" and [s.status for s in view.steps] == ["approved"]
    row = status_of(world, app_id)
    assert row.status == "approved"
    assert (row.approved_amount_minor, row.approved_term_count) == (3_000_000, 12)
    assert row.approved_annual_rate == Decimal("12")
    assert inbox_of(world, "approver") == []


def test_150000_needs_two_approvals_branch_then_risk(world: World) -> None:
    app_id = under_review(world, amount="150000")
    first = act(world, "approver", app_id)
    assert [s.status for s in first.steps] == ["approved", "pending"]
    assert status_of(world, app_id).status == "under_review"
    assert inbox_of(world, "risk") == [app_id]
    done = act(world, "risk", app_id, opinion="风险可控", hours=3)
    assert done.status == "approved"
    with world.make_uow(read_only=True) as uow:
        history = approvals.approval_history(uow, world.principal("auditor"), application_id=app_id)
    assert [(h.level_name, h.actor_name, h.action, h.opinion) for h in history] == [
        ("Branch manager", "Approver", "approve", "同意"),
        ("Risk officer", "Risk", "approve", "风险可控"),
    ]


def test_500000_goes_to_the_committee_two_of_three(world: World) -> None:
    committee(world)
    app_id = under_review(world, amount="500000")
    act(world, "approver", app_id)
    act(world, "risk", app_id, hours=2)
    assert set(inbox_of(world, "member1", 3)) == {app_id}
    vote = act(world, "member1", app_id, hours=3)
    assert vote.steps[2].status == "pending" and vote.steps[2].approvals == 1
    assert status_of(world, app_id).status == "under_review"
    with pytest.raises(Forbidden) as twice:
        act(world, "member1", app_id, hours=4)
    assert twice.value.code == "approver_acted_already"
    final = act(world, "member2", app_id, hours=4)
    assert final.status == "approved" and final.steps[2].approvals == 2
    assert status_of(world, app_id).status == "approved"
    assert inbox_of(world, "member3", 5) == []


def test_committee_rejects_when_approval_has_become_impossible(world: World) -> None:
    committee(world)
    app_id = under_review(world, amount="500000")
    act(world, "approver", app_id)
    act(world, "risk", app_id, hours=2)
    act(world, "member1", app_id, "reject", "现金流不足", hours=3)
    assert status_of(world, app_id).status == "under_review"  # 2 of 3 still possible
    view = act(world, "member2", app_id, "reject", "抵押不足", hours=4)
    assert view.status == "rejected" and status_of(world, app_id).status == "rejected"


def test_a_referred_application_always_passes_the_risk_officer(world: World) -> None:
    app_id = under_review(world, amount="30000", referred=True)
    view = act(world, "approver", app_id)
    assert [s.level_name for s in view.steps] == ["Branch manager", "Risk officer"]
    assert view.status == "in_progress"
    assert act(world, "risk", app_id, hours=2).status == "approved"


def test_the_maker_cannot_approve(world: World) -> None:
    add_user(world, "maker", roles=["loan_officer", "approver"], office="a", scope="office")
    app_id = under_review(world, amount="30000", officer="maker")
    with pytest.raises(Forbidden) as refused:
        act(world, "maker", app_id)
    assert refused.value.code == "approver_is_maker"
    assert inbox_of(world, "maker") == []


def test_the_investigator_cannot_approve(world: World) -> None:
    add_user(world, "investigator", roles=["loan_officer", "approver"], office="a",
             scope="office")  # fmt: skip
    app_id = under_review(world, amount="30000", investigator="investigator")
    with pytest.raises(Forbidden) as refused:
        act(world, "investigator", app_id)
    assert refused.value.code == "approver_is_investigator"
    assert act(world, "approver", app_id).status == "approved"


def test_no_one_acts_twice_in_one_chain(world: World) -> None:
    add_user(world, "dual", roles=["approver", "risk_officer"], office="hq", scope="company")
    app_id = under_review(world, amount="150000")
    act(world, "dual", app_id)
    assert app_id not in inbox_of(world, "dual")
    with pytest.raises(Forbidden) as refused:
        act(world, "dual", app_id, hours=2)
    assert refused.value.code == "approver_acted_already"


def test_roles_and_offices_decide_who_acts_on_a_step(world: World) -> None:
    add_user(world, "approver_b", roles=["approver"], office="b", scope="office")
    add_user(world, "approver_a", roles=["approver"], office="a", scope="office_subtree")
    add_user(world, "risk_a", roles=["risk_officer"], office="a", scope="office_subtree")
    app_id = under_review(world, amount="150000", officer="officer_a1")
    with pytest.raises(NotFound):  # branch B does not see sub-branch A1's application
        act(world, "approver_b", app_id)
    assert inbox_of(world, "approver_b") == []
    with pytest.raises(Forbidden) as wrong_role:
        act(world, "risk", app_id)
    assert wrong_role.value.code == "approver_lacks_role"
    act(world, "approver_a", app_id)  # A's subtree reaches A1: the branch step
    assert inbox_of(world, "risk_a") == []
    with pytest.raises(Forbidden) as head_office:  # the risk step sits at the head office
        act(world, "risk_a", app_id, hours=2)
    assert head_office.value.code == "approver_out_of_scope"
    assert inbox_of(world, "risk") == [app_id]


def test_return_sends_it_back_and_the_chain_restarts(world: World) -> None:
    app_id = under_review(world, amount="150000")
    act(world, "approver", app_id)
    returned = act(world, "risk", app_id, "return", "补充流水", hours=2)
    assert returned.status == "returned"
    assert status_of(world, app_id).status == "investigating"
    assert inbox_of(world, "risk", 3) == []
    with world.make_uow() as uow:  # the officer adds the information; back under review
        row = uow.session.get_one(Application, app_id)
        row.status = "under_review"
        again = approvals.start_approval(
            uow, world.principal("officer_a"), application_id=app_id, referred=False,
            now=world.now + timedelta(days=1),
        )  # fmt: skip
        uow.commit()
    assert again.round == 2 and [s.status for s in again.steps] == ["pending", "waiting"]
    act(world, "approver", app_id, hours=25)  # a new pass: the branch manager acts again
    assert act(world, "risk", app_id, hours=26).status == "approved"
    with world.make_uow(read_only=True) as uow:
        history = approvals.approval_history(uow, world.principal("risk"), application_id=app_id)
    assert [(h.round, h.position, h.action) for h in history] == [
        (1, 1, "approve"), (1, 2, "return"), (2, 1, "approve"), (2, 2, "approve"),
    ]  # fmt: skip


def test_conditions_lower_the_amount_and_term(world: World) -> None:
    app_id = under_review(world, amount="150000")
    conditions = Conditions(amount=Decimal("120000"), term_count=9, extra_guarantor=True,
                            other="追加实际控制人担保")  # fmt: skip
    act(world, "approver", app_id, "approve_with_conditions", "有条件同意", conditions)
    act(world, "risk", app_id, "approve_with_conditions", "再降额",
        Conditions(amount=Decimal("100000")), hours=2)  # fmt: skip
    row = status_of(world, app_id)
    # the strictest of both: 100,000.00 (= 10,000,000 fen), 9 periods, the guarantor
    assert row.status == "conditionally_approved"
    assert (row.approved_amount_minor, row.approved_term_count) == (10_000_000, 9)
    with world.make_uow(read_only=True) as uow:
        overview = approvals.approval_overview(uow, world.principal("risk"), application_id=app_id)
    assert overview.merged_conditions == Conditions(
        Decimal("100000.00"), 9, True, "追加实际控制人担保"
    )


@pytest.mark.parametrize(
    ("action", "opinion", "conditions", "field"),
    [
        ("approve", "  ", None, "opinion"),
        ("approve_with_conditions", "ok", Conditions(amount=Decimal("40000")), "conditions.amount"),
        ("approve_with_conditions", "ok", Conditions(term_count=13), "conditions.term_count"),
        ("approve_with_conditions", "ok", None, "conditions"),
        ("approve", "ok", Conditions(other="x"), "conditions"),
        ("sign", "ok", None, "action"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(
    world: World, action: str, opinion: str, conditions: Conditions | None, field: str
) -> None:
    app_id = under_review(world, amount="30000")
    with pytest.raises(ValidationFailed) as refused:
        act(world, "approver", app_id, action, opinion, conditions)
    assert refused.value.field == field
    assert status_of(world, app_id).status == "under_review"
    assert inbox_of(world, "approver") == [app_id]


def test_rejection_is_final_and_audited(world: World) -> None:
    app_id = under_review(world, amount="150000")
    view = act(world, "approver", app_id, "reject", "第一还款来源不足")
    assert [s.status for s in view.steps] == ["rejected", "cancelled"]
    assert status_of(world, app_id).status == "rejected"
    with pytest.raises(Conflict):
        act(world, "risk", app_id, hours=2)
    with world.make_uow(read_only=True) as uow:
        records = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.command == "origination.approve")
            .order_by(AuditRecord.seq)
        ).all()  # fmt: skip
    assert [(r.username, r.outcome, r.entity_id) for r in records] == [
        ("approver", "ok", str(app_id)),
        ("risk", "failed", None),
    ]


def test_sla_due_times_in_the_inbox(world: World) -> None:
    app_id = under_review(world, amount="30000")  # branch step: 24 hours from world.now
    with world.make_uow(read_only=True) as uow:
        early = approvals.inbox(
            uow, world.principal("approver"), now=world.now + timedelta(hours=20)
        )
        late = approvals.inbox(
            uow, world.principal("approver"), now=world.now + timedelta(hours=30)
        )
    assert early[0].application_id == app_id and early[0].due_at == world.now + timedelta(hours=24)
    assert (early[0].overdue, early[0].remaining_seconds) == (False, 4 * 3600)
    assert (late[0].overdue, late[0].remaining_seconds) == (True, -6 * 3600)


def test_inbox_is_oldest_first(world: World) -> None:
    first = under_review(world, amount="30000")
    second = under_review(world, amount="40000")
    assert inbox_of(world, "approver") == [first, second]

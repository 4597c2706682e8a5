"""Approval chain configuration per company, chains chosen by office and product, and review
across companies of the group (跨公司审核), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden, NotFound, ValidationFailed
from microlend.origination import approval_chains, approvals
from microlend.origination.approval_chains import ChainView
from tests.integration.approvals_support import add_user, status_of, under_review
from tests.seed import World


def save(world: World, username: str, code: str, steps: list[dict[str, Any]],
         **options: Any) -> ChainView:  # fmt: skip
    with world.make_uow() as uow:
        view = approval_chains.save_chain(
            uow, world.principal(username), code=code, name=code.title(), steps=steps,
            now=world.now, **options,
        )  # fmt: skip
        uow.commit()
    assert isinstance(view, ChainView)
    return view


def act(world: World, username: str, application_id: int, hours: int = 1) -> str:
    with world.make_uow() as uow:
        view = approvals.act_on_application(
            uow, world.principal(username), application_id=application_id, action="approve",
            opinion="同意", conditions=None, now=world.now + timedelta(hours=hours),
        )  # fmt: skip
        uow.commit()
    return view.status


GROUP_STEP = {"level_name": "Group risk", "role": "approver", "location": "group", "sla_hours": 8}


def test_a_group_level_user_reviews_a_subsidiary_application(world: World) -> None:
    mld = world.other_company_id
    add_user(world, "mld_officer", roles=["loan_officer"], office="mld_hq", scope="company",
             by="mld_admin")  # fmt: skip
    add_user(world, "group_approver", roles=["approver"], office="hq", scope="group")
    save(world, "mld_admin", "default", [
        {"level_name": "MLD manager", "role": "approver", "location": "head_office",
         "final_up_to": "10000"},
        GROUP_STEP,
    ])  # fmt: skip
    app_id = under_review(world, amount="30000", officer="mld_officer", company_id=mld)
    with world.make_uow(read_only=True) as uow:
        # MLC's company-level approver does not see MLD's applications at all
        with pytest.raises(NotFound):
            approvals.current_approval(uow, world.principal("approver"), application_id=app_id)
        current = approvals.current_approval(
            uow, world.principal("group_approver"), application_id=app_id
        )
    assert current is not None and [s.location for s in current.steps] == ["head_office", "group"]
    # the first step is MLD's own: a group-level user of MLC holding the role reaches it too
    assert act(world, "group_approver", app_id) == "in_progress"
    add_user(world, "group_approver2", roles=["approver"], office="hq", scope="group")
    with world.make_uow(read_only=True) as uow:
        items = approvals.inbox(uow, world.principal("group_approver2"), now=world.now)
    assert [(i.application_id, i.company_id, i.level_name) for i in items] == [
        (app_id, mld, "Group risk")
    ]
    assert act(world, "group_approver2", app_id, hours=2) == "approved"
    assert status_of(world, app_id).status == "approved"


def test_a_company_level_user_cannot_take_a_group_step(world: World) -> None:
    save(world, "admin", "default", [GROUP_STEP])
    app_id = under_review(world, amount="30000")
    with pytest.raises(Forbidden) as refused:
        act(world, "approver", app_id)
    assert refused.value.code == "approver_out_of_scope"


def test_saving_makes_a_new_version_and_approvals_under_way_keep_theirs(world: World) -> None:
    first = under_review(world, amount="150000")  # seeds the default chain, version 1
    single = [{"level_name": "Director", "role": "approver", "location": "head_office"}]
    v2 = save(world, "admin", "default", single)
    assert (v2.version, [s.level_name for s in v2.steps]) == (2, ["Director"])
    second = under_review(world, amount="150000")
    act(world, "approver", first)
    assert status_of(world, first).status == "under_review"  # still two steps: risk next
    assert act(world, "approver", second) == "approved"  # one step on version 2
    with world.make_uow(read_only=True) as uow:
        history = approval_chains.list_chains(uow, world.principal("admin"), history=True)
    assert [(c.code, c.version, c.status) for c in history] == [
        ("default", 2, "active"),
        ("default", 1, "superseded"),
    ]
    assert history[1].steps[0].final_up_to == Decimal("50000.00")


def test_office_and_product_chains(world: World) -> None:
    save(world, "admin", "default", [{"level_name": "HQ", "role": "approver",
                                      "location": "head_office"}])  # fmt: skip
    save(world, "admin", "branch-a", [
        {"level_name": "Branch A", "role": "approver", "location": "parent", "sla_hours": 4},
    ], office_id=world.offices["a"])  # fmt: skip
    in_a1 = under_review(world, amount="30000", officer="officer_a1")
    in_b = under_review(world, amount="30000", officer="officer_b")
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("approver")
        a1 = approvals.current_approval(uow, actor, application_id=in_a1)
        b = approvals.current_approval(uow, actor, application_id=in_b)
    assert a1 is not None and b is not None
    assert (a1.chain_code, a1.steps[0].office_id) == ("branch-a", world.offices["a"])
    assert (b.chain_code, b.steps[0].office_id) == ("default", world.offices["hq"])
    save(world, "admin", "biz", [{"level_name": "Biz", "role": "approver",
                                  "location": "branch"}], product_code="IND-BIZ")  # fmt: skip
    product_app = under_review(world, amount="30000", officer="officer_a1")
    with world.make_uow(read_only=True) as uow:
        chosen = approvals.current_approval(uow, actor, application_id=product_app)
    assert chosen is not None and chosen.chain_code == "biz"


def test_a_referred_application_needs_a_chain_with_risk_review(world: World) -> None:
    save(world, "admin", "default", [{"level_name": "HQ", "role": "approver",
                                      "location": "head_office"}])  # fmt: skip
    with pytest.raises(Exception) as refused:
        under_review(world, amount="30000", referred=True)
    assert getattr(refused.value, "code", None) == "chain_without_risk_review"


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([], "steps"),
        ([{"level_name": "X", "role": "nobody", "location": "branch"}], "steps.role"),
        ([{"level_name": "X", "role": "approver", "location": "moon"}], "steps.0.location"),
        ([{"level_name": "X", "role": "approver", "location": "branch", "final_up_to": "-1"}],
         "steps.0.final_up_to"),
        ([{"level_name": "C", "role": "approver", "location": "branch", "quorum": 2,
           "members": ["MEMBERS"]}], "steps.0.members"),
    ],
)  # fmt: skip
def test_bad_chains_are_refused(world: World, steps: list[dict[str, Any]], field: str) -> None:
    for step in steps:
        if step.get("members") == ["MEMBERS"]:  # two users, one of whom is no approver
            step["members"] = [world.user_ids["approver"], world.user_ids["risk"]]
    with pytest.raises(ValidationFailed) as refused:
        save(world, "admin", "bad", steps)
    assert refused.value.field == field


def test_committee_with_named_members(world: World) -> None:
    ids = [add_user(world, f"member{n}", roles=["approver"], office="hq", scope="company")
           for n in (1, 2, 3)]  # fmt: skip
    add_user(world, "outsider", roles=["approver"], office="hq", scope="company")
    save(world, "admin", "default", [
        {"level_name": "Committee", "role": "approver", "location": "head_office",
         "quorum": 2, "members": ids, "veto": True},
    ])  # fmt: skip
    app_id = under_review(world, amount="30000")
    with pytest.raises(Forbidden) as refused:
        act(world, "outsider", app_id)
    assert refused.value.code == "not_committee_member"
    assert act(world, "member1", app_id) == "in_progress"
    with world.make_uow() as uow:
        view = approvals.act_on_application(
            uow, world.principal("member3"), application_id=app_id, action="reject",
            opinion="一票否决", conditions=None, now=world.now,
        )  # fmt: skip
        uow.commit()
    assert view.status == "rejected"  # veto: one rejection decides


def test_only_chain_managers_configure_and_it_is_audited(world: World) -> None:
    with pytest.raises(Forbidden):
        save(world, "approver", "default", [GROUP_STEP])
    save(world, "admin", "default", [GROUP_STEP])
    with world.make_uow() as uow:
        approval_chains.retire_chain(uow, world.principal("admin"), code="default", now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        outcomes = uow.session.execute(
            select(AuditRecord.command, AuditRecord.username, AuditRecord.outcome)
            .where(AuditRecord.command.like("origination.chains.%"))
            .order_by(AuditRecord.seq)
        ).all()
        assert approval_chains.list_chains(uow, world.principal("approver")) == []
    assert [tuple(row) for row in outcomes] == [
        ("origination.chains.manage", "approver", "denied"),
        ("origination.chains.manage", "admin", "ok"),
        ("origination.chains.retire", "admin", "ok"),
    ]
    with pytest.raises(Exception) as none_left:  # retired, and not re-seeded
        under_review(world, amount="30000")
    assert getattr(none_left.value, "code", None) == "no_approval_chain"

"""Two committee members vote at the same moment: both votes count, and the second one to commit
sees the first (the application row is locked by each vote), so the step closes approved."""

from __future__ import annotations

import threading
from datetime import timedelta

from microlend.origination import approvals
from tests.integration.approvals_support import add_user, status_of, under_review
from tests.seed import World


def test_two_simultaneous_committee_votes_both_count(world: World) -> None:
    for name in ("member1", "member2", "member3"):
        add_user(world, name, roles=["approver"], office="hq", scope="company")
    app_id = under_review(world, amount="500000")
    for username, hours in (("approver", 1), ("risk", 2)):
        with world.make_uow() as uow:
            approvals.act_on_application(
                uow, world.principal(username), application_id=app_id, action="approve",
                opinion="同意", conditions=None, now=world.now + timedelta(hours=hours),
            )  # fmt: skip
            uow.commit()
    principals = {name: world.principal(name) for name in ("member1", "member2")}
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def vote(username: str) -> None:
        try:
            barrier.wait(timeout=10)
            with world.make_uow() as uow:
                approvals.act_on_application(
                    uow, principals[username], application_id=app_id, action="approve",
                    opinion=f"{username} 同意", conditions=None,
                    now=world.now + timedelta(hours=3),
                )  # fmt: skip
                uow.commit()
        except BaseException as error:  # reported below, on the main thread
            failures.append(error)

    threads = [threading.Thread(target=vote, args=(name,)) for name in principals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert status_of(world, app_id).status == "approved"
    with world.make_uow(read_only=True) as uow:
        history = approvals.approval_history(uow, world.principal("risk"), application_id=app_id)
    assert sorted(h.actor_name for h in history if h.level_name == "Risk committee") == [
        "Member1",
        "Member2",
    ]

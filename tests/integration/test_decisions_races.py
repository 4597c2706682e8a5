"""Two decisions seeding a company's default rules and scorecard at once (PostgreSQL): the one
that loses the race on the unique version uses the winner's, instead of failing."""

from __future__ import annotations

import threading
import time

import pytest

from microlend.origination import rules, scorecards
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def test_the_second_seeder_uses_the_first_ones_defaults(world: World) -> None:
    seeded = threading.Event()
    found: dict[str, tuple[int, int]] = {}

    def first() -> None:
        with world.make_uow() as uow:
            rule_set = rules.rule_set_in_force(uow, world.company_id, now=world.now)
            card = scorecards.scorecard_in_force(uow, world.company_id, "individual",
                                                 now=world.now)  # fmt: skip
            found["first"] = (rule_set.id, card.id)
            seeded.set()
            time.sleep(0.5)  # the second one reads nothing committed and waits on the index
            uow.commit()

    def second() -> None:
        seeded.wait(10)
        with world.make_uow() as uow:
            rule_set = rules.rule_set_in_force(uow, world.company_id, now=world.now)
            card = scorecards.scorecard_in_force(uow, world.company_id, "individual",
                                                 now=world.now)  # fmt: skip
            found["second"] = (rule_set.id, card.id)
            uow.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert found["first"] == found["second"]
    with world.make_uow(read_only=True) as uow:
        history = rules.rule_set_history(uow, world.principal("risk"))
    assert [v.version for v in history] == [1]

"""Loans living a random life keep the books: three loans over seven months of random commands
(``tests/integration/loan_walk.py``), the live 对账 after every command and close of business
every night. Seeds fixed, so that a failure is found again; ``MICROLEND_WALK_SEEDS`` (e.g.
``100-140``) walks more of them."""

from __future__ import annotations

import os
from datetime import date

import pytest

from microlend.db.uow import SessionFactory
from tests.integration.loan_walk import NOTHING, Walk
from tests.seed import World


def _seeds() -> list[int]:
    asked = os.environ.get("MICROLEND_WALK_SEEDS")
    if not asked:
        return [1, 3, 43]  # among them, walks that found the defects fixed in session 15
    first, _, last = asked.partition("-")
    return list(range(int(first), int(last or first) + 1))


@pytest.mark.parametrize("seed", _seeds())
def test_the_books_hold_through_a_random_life(
    world: World, session_factory: SessionFactory, seed: int
) -> None:
    walk = Walk.start(world, session_factory, seed)
    walk.run(date(2025, 8, 31))
    done = [line for line in walk.log if "refused" not in line and f" {NOTHING}" not in line]
    assert len(done) >= 10, walk.report("the walk did too little to prove anything")

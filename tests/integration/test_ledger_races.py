"""Two threads posting at once on PostgreSQL: voucher numbers stay gapless and unique, one
event key still makes one voucher, and a close waits for the posts in flight."""

from __future__ import annotations

from datetime import date

import pytest

from microlend.accounting import service as ledger
from tests.integration.test_races import in_two_threads
from tests.ledger_support import event, post
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
DAY = date(2025, 3, 3)


def test_concurrent_posts_get_gapless_numbers(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "warm-up", DAY, fee="1"))  # books seeded

    def post_many(index: int) -> object:
        return [
            post(world, finance, event(world, "fee_charge", f"t{index}:{n}", DAY, fee="1")).number
            for n in range(15)
        ]

    first, second = in_two_threads(post_many)
    assert isinstance(first, list) and isinstance(second, list)
    expected = [f"2025-03-{n:06d}" for n in range(2, 32)]
    assert sorted(first + second) == expected
    with world.make_uow(read_only=True) as uow:
        assert ledger.check_ledger(uow, finance) == []


def test_the_same_event_posted_twice_at_once_makes_one_voucher(world: World) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "warm-up", DAY, fee="1"))

    def post_same(index: int) -> object:
        return post(world, finance, event(world, "disbursement", "d:race", DAY, principal="10")).id

    first, second = in_two_threads(post_same)
    assert isinstance(first, int) and first == second
    with world.make_uow(read_only=True) as uow:
        assert len(ledger.list_vouchers(uow, finance).items) == 2


def test_two_first_posts_of_a_company_seed_its_books_once(world: World) -> None:
    finance = world.principal("finance")

    def first_post(index: int) -> object:
        return post(
            world, finance, event(world, "fee_charge", f"first:{index}", DAY, fee="1")
        ).number

    numbers = in_two_threads(first_post)
    assert sorted(numbers) == ["2025-03-000001", "2025-03-000002"]  # type: ignore[type-var]
    with world.make_uow(read_only=True) as uow:
        codes = [account.code for account in ledger.list_accounts(uow, finance)]
    assert len(codes) == len(set(codes)) and "1002" in codes

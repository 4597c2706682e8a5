"""Two threads on PostgreSQL: two admins creating the same product code, two revising at once."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from microlend.kernel.errors import Conflict
from microlend.products import service as products
from microlend.products.views import ProductView
from tests.integration.test_products import TERMS, create
from tests.integration.test_races import in_two_threads
from tests.seed import World

pytestmark = pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)


def test_the_same_code_created_twice_at_once_makes_one_product(world: World) -> None:
    def work(index: int) -> object:
        return create(world, ("admin", "admin2")[index], code="RACE")

    results = in_two_threads(work)
    made = [r for r in results if isinstance(r, ProductView)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].code == "product_code_taken"


def test_two_revisions_at_once_make_versions_2_and_3(world: World) -> None:
    view = create(world)

    def work(index: int) -> object:
        terms = dataclasses.replace(TERMS, max_rate=Decimal(18 + index))
        with world.make_uow() as uow:
            revised = products.revise_product(
                uow,
                world.principal(("admin", "admin2")[index]),
                product_id=view.id,
                terms=terms,
                now=world.now,
            )
            uow.commit()
        return revised

    results = in_two_threads(work)
    assert sorted(r.current_version for r in results if isinstance(r, ProductView)) == [2, 3]
    with world.make_uow(read_only=True) as uow:
        full = products.get_product(uow, world.principal("admin"), product_id=view.id)
    assert [v.version for v in full.versions] == [3, 2, 1]

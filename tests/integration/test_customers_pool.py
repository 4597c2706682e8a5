"""The pool across the group's companies (shared or kept), the pool lists and the collision
list (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.customers import pool, pool_lists
from microlend.customers import service as customers
from microlend.customers.tables import Collision, Customer
from microlend.customers.views import CustomerView
from microlend.kernel.errors import Conflict, Forbidden, NotFound
from microlend.kernel.principal import Principal
from tests.seed import World

ZHANG = "11010519491231002X"  # check digits by hand in tests/unit/customers/test_identity.py
LI = "440524188001010014"


def register(world: World, username: str, number: str = ZHANG, name: str = "张三") -> int:
    with world.make_uow() as uow:
        view = customers.register_customer(uow, world.principal(username), kind="individual",
                                           id_number=number, name=name, now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def mld_officer(world: World) -> Principal:
    """A user of the group's second company (第二小贷) who may register and claim."""
    return dataclasses.replace(world.principal("mld_admin"), permissions=frozenset(PERMISSIONS))


def release(world: World, customer_id: int) -> None:
    with world.make_uow() as uow:
        pool.release_customer(uow, world.principal("officer_a"), customer_id=customer_id,
                              now=world.now)  # fmt: skip
        uow.commit()


def share_group(world: World, shared: bool) -> None:
    with world.make_uow() as uow:
        group_admin = auth.system_principal(uow, company_id=world.company_id,
                                            permissions=frozenset(PERMISSIONS))  # fmt: skip
        pool.configure_group_pool(uow, group_admin, shared=shared, now=world.now)
        uow.commit()


def claim(world: World, actor: Principal, customer_id: int) -> object:
    with world.make_uow() as uow:
        claimed = pool.claim_customer(uow, actor, customer_id=customer_id, now=world.now)
        uow.commit()
    return claimed


def test_by_default_each_company_keeps_its_pool(world: World) -> None:
    customer_id = register(world, "officer_a")
    release(world, customer_id)
    with world.make_uow(read_only=True) as uow:
        settings = pool.pool_settings(uow, world.principal("officer_a"))
    assert (settings.group_shared, settings.company_shared, settings.shared) == (False, None, False)
    assert settings.protection_days == 90 and settings.sharing_companies == ()
    with pytest.raises(NotFound):
        claim(world, mld_officer(world), customer_id)
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        customers.register_customer(uow, mld_officer(world), kind="individual",
                                    id_number=ZHANG, name="张三", now=world.now)  # fmt: skip
    assert refused.value.code == "customer_in_other_pool"
    with world.make_uow(read_only=True) as uow:
        assert uow.session.scalars(select(Collision.channel)).all() == ["register"]
        assert uow.session.scalars(select(Customer.id)).all() == [customer_id]


def test_a_shared_group_pool_lets_the_other_company_claim(world: World) -> None:
    customer_id = register(world, "officer_a")
    release(world, customer_id)
    share_group(world, True)
    with world.make_uow(read_only=True) as uow:
        settings = pool.pool_settings(uow, world.principal("officer_a"))
    assert settings.shared and settings.sharing_companies == ("小贷公司", "第二小贷")
    claimed = claim(world, mld_officer(world), customer_id)
    assert isinstance(claimed, CustomerView)
    assert (claimed.company_id, claimed.owner_id) == (
        world.other_company_id, world.user_ids["mld_admin"])  # fmt: skip


def test_a_company_may_keep_its_pool_in_a_sharing_group(world: World) -> None:
    customer_id = register(world, "officer_a")
    release(world, customer_id)
    share_group(world, True)
    with world.make_uow() as uow:  # 小贷公司 opts out
        pool.configure_pool(uow, world.principal("admin"), protection_days=30,
                            shared_in_group=False, now=world.now)  # fmt: skip
        uow.commit()
    with pytest.raises(NotFound):
        claim(world, mld_officer(world), customer_id)
    with world.make_uow(read_only=True) as uow:
        settings = pool.pool_settings(uow, world.principal("officer_a"))
    assert (settings.group_shared, settings.company_shared, settings.shared) == (True, False, False)
    assert settings.protection_days == 30


def test_the_group_setting_needs_a_group_wide_user(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(Forbidden) as refused:
        pool.configure_group_pool(uow, world.principal("admin"), shared=True, now=world.now)
    assert refused.value.code == "group_scope_required"


def test_the_pool_lists_mine_my_office_and_the_shared_pool(world: World) -> None:
    mine = register(world, "officer_a")
    lapsed = register(world, "officer_a", LI, "李四")
    colleague = register(world, "officer_a", "110105194912310011", "王五")
    with world.make_uow() as uow:
        row = uow.session.get(Customer, lapsed)
        other = uow.session.get(Customer, colleague)
        assert row is not None and other is not None
        row.last_activity_on = date(2024, 12, 1)  # 90 days of protection lapse on 2025-03-02
        other.owner_id = world.user_ids["manager_a"]  # held by a colleague in branch A
        uow.commit()
    with world.make_uow(read_only=True) as uow:

        def listed(username: str, view: str) -> list[int]:
            page = pool_lists.pool_customers(uow, world.principal(username), view=view)
            return [entry.customer.id for entry in page.items]

        assert listed("officer_a", "mine") == [lapsed, mine]
        assert listed("manager_a", "mine") == [colleague]
        assert listed("officer_a", "office") == [colleague, lapsed, mine]
        assert listed("officer_a1", "shared") == [lapsed]
        entry = pool_lists.pool_customers(uow, world.principal("officer_b"), view="shared").items[0]
    assert (entry.in_pool, entry.owner_name, entry.office_name) == (True, "Officer_A", "Branch A")
    assert entry.protection_ends == date(2025, 3, 2)
    assert entry.customer.id_number != LI  # officer_b may not see personal data unmasked


def test_the_collision_list_names_who_collided_with_whom(world: World) -> None:
    customer_id = register(world, "officer_a")
    with world.make_uow() as uow, pytest.raises(Conflict):
        customers.register_customer(uow, world.principal("officer_b"), kind="individual",
                                    id_number=ZHANG, name="张三", now=world.now)  # fmt: skip
    with world.make_uow(read_only=True) as uow:
        for username in ("officer_b", "officer_a"):  # who tried, and who holds
            (seen,) = pool_lists.list_collisions(uow, world.principal(username)).items
            assert (seen.customer_id, seen.customer_name) == (customer_id, "张三")
            assert (seen.attempted_by_name, seen.holder_name) == ("Officer_B", "Officer_A")
        assert pool_lists.list_collisions(uow, world.principal("officer_a1")).items == []

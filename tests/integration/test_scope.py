"""Data scopes: two branches, and no list, detail, search or export of one reaches the other."""

from __future__ import annotations

import pytest

from microlend.auth import service as auth
from microlend.kernel.errors import NotFound
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeNode
from tests.seed import PASSWORD, World


@pytest.fixture
def branches(world: World) -> World:
    """Staff at A, A1 and B; a branch manager at B who sees only B."""
    admin = world.principal("admin")
    with world.make_uow() as uow:
        for number, office in (("E-A", "a"), ("E-A1", "a1"), ("E-B", "b")):
            orgs.create_staff(
                uow,
                admin,
                office_id=world.offices[office],
                employee_no=number,
                name=f"Staff {number}",
                phone="13912345678",
                now=world.now,
            )
        manager_b = auth.create_user(
            uow,
            admin,
            username="manager_b",
            password=PASSWORD,
            display_name="Manager B",
            office_id=world.offices["b"],
            roles=["manager"],
            scope="office",
            now=world.now,
        )
        assert isinstance(manager_b, auth.UserView)
        world.user_ids["manager_b"] = manager_b.id
        uow.commit()
    return world


def visible_users(world: World, viewer: Principal, q: str | None = None) -> set[str]:
    with world.make_uow(read_only=True) as uow:
        listed = {u.username for u in auth.list_users(uow, viewer, limit=500, q=q).items}
        exported = {u.username for u in auth.export_users(uow, viewer, q=q, batch=2)}
    assert listed == exported
    return listed


def codes(nodes: list[OfficeNode]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found |= {node.office.code} | codes(list(node.children))
    return found


def test_branch_b_sees_nothing_of_branch_a(branches: World) -> None:
    world, viewer = branches, branches.principal("manager_b")
    assert visible_users(world, viewer) == {"officer_b", "manager_b"}
    assert visible_users(world, viewer, q="officer") == {"officer_b"}
    assert visible_users(world, viewer, q="officer_a") == set()
    with world.make_uow(read_only=True) as uow:
        with pytest.raises(NotFound):
            auth.get_user(uow, viewer, user_id=world.user_ids["officer_a"])
        with pytest.raises(NotFound):
            orgs.get_office(uow, viewer, office_id=world.offices["a"])
        offices = orgs.list_offices(uow, viewer, limit=500, q="Branch").items
        tree = orgs.office_tree(uow, viewer)
        staff = orgs.list_staff(uow, viewer, limit=500).items
        searched = orgs.list_staff(uow, viewer, q="E-A").items
    assert {o.code for o in offices} == {"B"} and codes(tree) == {"B"}
    assert {s.employee_no for s in staff} == {"E-B"} and searched == []


def test_a_subtree_scope_sees_the_sub_branch_but_not_the_sibling(branches: World) -> None:
    world, viewer = branches, branches.principal("manager_a")
    assert visible_users(world, viewer) == {"officer_a", "officer_a1", "manager_a"}
    with world.make_uow(read_only=True) as uow:
        tree = orgs.office_tree(uow, viewer)
        staff = orgs.list_staff(uow, viewer, limit=500).items
        with pytest.raises(NotFound):
            auth.get_user(uow, viewer, user_id=world.user_ids["officer_b"])
    assert [node.office.code for node in tree] == ["A"] and codes(tree) == {"A", "A1"}
    assert {s.employee_no for s in staff} == {"E-A", "E-A1"}


def test_company_scope_sees_every_branch_but_no_other_company(branches: World) -> None:
    world = branches
    everyone = visible_users(world, world.principal("manager"))
    assert {"officer_a", "officer_b", "officer_a1", "admin"} <= everyone
    assert "mld_admin" not in everyone
    assert "mld_admin" not in visible_users(world, world.principal("auditor"))
    assert "mld_admin" in visible_users(world, world.principal("group_auditor"))


def test_own_scope_sees_only_the_users_own_row(branches: World) -> None:
    world, admin = branches, branches.principal("admin")
    with world.make_uow() as uow:
        auth.grant_roles(
            uow,
            admin,
            user_id=world.user_ids["manager_b"],
            roles=["manager"],
            scope="own",
            now=world.now,
        )
        uow.commit()
    viewer = world.principal("manager_b", fresh=True)
    assert visible_users(world, viewer) == {"manager_b"}


def test_pages_continue_where_the_cursor_left_off(branches: World) -> None:
    world, viewer = branches, branches.principal("manager")
    seen: list[str] = []
    cursor = None
    with world.make_uow(read_only=True) as uow:
        while True:
            page = auth.list_users(uow, viewer, cursor=cursor, limit=3)
            seen += [u.username for u in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == len(visible_users(world, viewer))


def test_personal_data_is_masked_without_pii_view(branches: World) -> None:
    world, admin = branches, branches.principal("admin")
    with world.make_uow() as uow:
        auth.save_role(
            uow,
            admin,
            code="hr_clerk",
            name_en="HR clerk",
            name_zh="人事",
            permissions=["auth.user.view", "orgs.staff.view", "pii.view"],
            now=world.now,
        )
        clerk = auth.create_user(
            uow,
            admin,
            username="clerk",
            password=PASSWORD,
            display_name="Clerk",
            office_id=world.offices["hq"],
            roles=["hr_clerk"],
            scope="company",
            now=world.now,
        )
        assert isinstance(clerk, auth.UserView)
        world.user_ids["clerk"] = clerk.id
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        masked = auth.get_user(uow, world.principal("manager"), user_id=world.user_ids["officer_a"])
        shown = auth.get_user(uow, world.principal("clerk"), user_id=world.user_ids["officer_a"])
        masked_staff = orgs.list_staff(uow, world.principal("manager"), q="E-B").items[0]
        shown_staff = orgs.list_staff(uow, world.principal("clerk"), q="E-B").items[0]
    assert (masked.phone, shown.phone) == ("138****0001", "13800000001")
    assert (masked_staff.phone, shown_staff.phone) == ("139****5678", "13912345678")

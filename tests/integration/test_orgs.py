"""Companies and the office tree."""

from __future__ import annotations

import pytest

from microlend.auth import service as auth
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeView
from tests.seed import World


def test_the_tree_has_any_depth_and_subtrees_are_found_by_path(world: World) -> None:
    admin = world.principal("admin")
    with world.make_uow() as uow:
        deep = orgs.create_office(
            uow,
            admin,
            parent_id=world.offices["a1"],
            code="A1X",
            name="Sub-sub-branch",
            now=world.now,
        )
        uow.commit()
    assert isinstance(deep, OfficeView)
    assert deep.depth == 3
    with world.make_uow(read_only=True) as uow:
        subtree = orgs.office_subtree_ids(uow, office_id=world.offices["a"])
        tree = orgs.office_tree(uow, admin)
    assert subtree == {world.offices["a"], world.offices["a1"], deep.id}
    [root] = tree
    assert root.office.code == "HQ"
    assert [child.office.code for child in root.children] == ["A", "B"]
    branch_a = root.children[0]
    assert branch_a.children[0].children[0].office.code == "A1X"


def test_an_office_code_is_unique_within_the_company(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(Conflict) as caught:
        orgs.create_office(
            uow,
            world.principal("admin"),
            parent_id=world.offices["hq"],
            code="A",
            name="Again",
            now=world.now,
        )
    assert caught.value.field == "code"


def test_a_bad_code_names_the_field(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        orgs.create_office(
            uow,
            world.principal("admin"),
            parent_id=world.offices["hq"],
            code="no spaces",
            name="X",
            now=world.now,
        )
    assert caught.value.field == "code"


def test_an_office_needs_the_permission(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(Forbidden):
        orgs.create_office(
            uow,
            world.principal("officer_a"),
            parent_id=world.offices["a"],
            code="A9",
            name="X",
            now=world.now,
        )


def test_a_parent_outside_the_scope_is_not_found(world: World) -> None:
    mld_admin = world.principal("mld_admin")
    with world.make_uow() as uow, pytest.raises(NotFound) as caught:
        orgs.create_office(
            uow, mld_admin, parent_id=world.offices["a"], code="X1", name="X", now=world.now
        )
    assert caught.value.field == "parent_id"


def test_each_company_keeps_its_own_business_date_and_currency(world: World) -> None:
    with world.make_uow(read_only=True) as uow:
        companies = orgs.list_companies(uow, world.principal("group_auditor"))
        own = orgs.list_companies(uow, world.principal("auditor"))
    assert {c.code for c in companies} == {"MLC", "MLD"}
    assert [c.code for c in own] == ["MLC"]
    assert all(
        c.currency == "CNY" and c.business_date.isoformat() == "2025-03-03" for c in companies
    )


def test_the_operator_of_a_company_sees_its_group_from_its_head_office(world: World) -> None:
    """The command line's and close of business's operator (``system_principal``): the group's
    two companies, the company's own head office; a company that does not exist has none."""
    with world.make_uow(read_only=True) as uow:
        ours = auth.system_principal(uow, company_id=world.company_id, permissions=frozenset())
        theirs = auth.system_principal(
            uow, company_id=world.other_company_id, permissions=frozenset()
        )
        with pytest.raises(LookupError):
            auth.system_principal(uow, company_id=99_999, permissions=frozenset())
        their_head = orgs.list_companies_by_id(uow, company_ids=[world.other_company_id])
    group = {world.company_id, world.other_company_id}
    assert (ours.company_ids, ours.office_id, ours.scope) == (group, world.offices["hq"], "group")
    assert (theirs.company_ids, theirs.office_id) == (group, their_head[0].head_office_id)
    assert theirs.office_id != ours.office_id

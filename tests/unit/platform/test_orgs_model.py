"""Pure rules of orgs: codes, tree paths, building trees."""

from __future__ import annotations

import pytest

from microlend.kernel.errors import ValidationFailed
from microlend.orgs.model import OfficeView, build_tree, checked_code, child_path, is_within


def office(id: int, parent: int | None, path: str, code: str) -> OfficeView:
    return OfficeView(id, 1, parent, code, code, path, path.count("/") - 2, True)


def test_paths_nest() -> None:
    root = child_path(None, 1)
    branch = child_path(root, 4)
    assert (root, branch) == ("/1/", "/1/4/")
    assert is_within(child_path(branch, 9), branch) and not is_within("/1/40/", branch)


@pytest.mark.parametrize("code", ["", "a b", "-x", "x" * 31, "中文"])
def test_bad_codes(code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        checked_code(code)
    assert caught.value.field == "code"


def test_a_tree_is_built_from_flat_offices_and_orphans_become_roots() -> None:
    offices = [
        office(1, None, "/1/", "HQ"),
        office(3, 1, "/1/3/", "B"),
        office(2, 1, "/1/2/", "A"),
        office(5, 2, "/1/2/5/", "A1"),
        office(9, 7, "/1/7/9/", "X"),
    ]
    roots = build_tree(offices)
    assert [root.office.code for root in roots] == ["HQ", "X"]
    assert [child.office.code for child in roots[0].children] == ["A", "B"]
    assert roots[0].children[0].children[0].office.code == "A1"

"""The contract document names what the records keep as codes in its own words."""

from __future__ import annotations

from microlend.customers.model import IdKind
from microlend.origination.contract_document import ID_KINDS


def test_the_contract_names_every_kind_of_identity_document() -> None:
    assert set(ID_KINDS) == {kind.value for kind in IdKind}
    assert all("_" not in name for name in ID_KINDS.values())

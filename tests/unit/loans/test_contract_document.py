"""The contracts rebuilt from loan documents are kept by content: never one for another."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.loans.contract_document import content_key, contract_document, contract_of
from tests.unit.products.test_terms import terms

D = Decimal


def _document(amount: str = "12000", rate: str = "12") -> dict[str, Any]:
    document, _ = contract_document(
        terms(),
        amount=D(amount),
        term_count=12,
        annual_rate=D(rate),
        method="equal_principal",
        disbursement_date=date(2025, 3, 3),
        first_due_date=None,
    )
    loaded: dict[str, Any] = json.loads(json.dumps(document))  # as read from the database
    return loaded


def test_the_same_content_is_the_same_contract() -> None:
    first, again = _document(), _document()
    assert first is not again
    assert contract_of(first) is contract_of(again)


def test_documents_that_differ_anywhere_are_other_contracts() -> None:
    base = _document()
    other_amount = _document(amount="12000.01")
    other_rate = _document(rate="12.5")
    moved = copy.deepcopy(base)
    moved["schedule"][5]["due_date"] = "2025-09-04"
    contracts = {id(contract_of(d)) for d in (base, other_amount, other_rate, moved)}
    assert len(contracts) == 4
    assert contract_of(other_amount).terms.principal == D("12000.01")
    assert contract_of(other_rate).terms.annual_rate == D("12.5")
    assert contract_of(moved).schedule.installments[5].due_date == date(2025, 9, 4)
    assert contract_of(base).schedule.installments[5].due_date != date(2025, 9, 4)


def test_values_equal_in_python_but_of_other_types_have_other_keys() -> None:
    keys = {content_key({"x": value}) for value in (1, True, 1.0, "1", [1], None, 0, False)}
    assert len(keys) == 8


def test_a_value_marshal_does_not_write_falls_back_to_repr() -> None:
    key = content_key({"amount": Decimal("1.00")})
    assert key == repr({"amount": Decimal("1.00")})
    assert key != content_key({"amount": "1.00"})

"""A contract document read as text (as the loan lock reads it) is decoded once per content and
gives the same contract as the document decoded on its own."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from microlend.loans.contract_document import contract_document, contract_of, read_document
from tests.unit.products.test_terms import terms

D = Decimal


def _text(amount: str) -> str:
    document, _contract = contract_document(
        terms(),
        amount=D(amount),
        term_count=12,
        annual_rate=D("12"),
        method="equal_principal",
        disbursement_date=date(2025, 1, 15),
        first_due_date=None,
    )
    return json.dumps(document)


def test_the_same_text_is_the_same_document() -> None:
    text = _text("12000")
    first = read_document(text)
    assert first == json.loads(text)
    assert read_document("" + text) is first  # an equal text read again: no new decoding


def test_a_shared_document_gives_the_contract_of_its_content() -> None:
    text = _text("13000")
    shared = read_document(text)
    alone = json.loads(text)
    assert contract_of(shared) is contract_of(shared)
    assert contract_of(shared) == contract_of(alone)
    other = read_document(_text("14000"))
    assert contract_of(other) != contract_of(shared)
    assert contract_of(other).terms.principal == D("14000")

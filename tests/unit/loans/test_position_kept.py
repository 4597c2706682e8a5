"""Positions of untouched installments are kept by the identity of their amounts: the same
record for the same amounts, never one made of equal amounts written otherwise."""

from __future__ import annotations

import dataclasses
import importlib
from datetime import date
from decimal import Decimal

from microlend.loans.contract_document import contract_of
from microlend.loans.engine import LoanBook, Repayment, position_of, replay
from microlend.loans.engine.position import INTEREST, PRINCIPAL
from tests.unit.loans.test_contract_document import _document

D = Decimal
position_module = importlib.import_module("microlend.loans.engine.position")


def _book(as_of: date = date(2025, 5, 12)) -> LoanBook:
    contract = contract_of(_document())
    events = [Repayment("e2", date(2025, 4, 3), 2, D("1120.00"), channel="bank", reference="")]
    return replay(contract, events, as_of)


def test_kept_positions_are_the_computed_ones() -> None:
    book = _book()
    first = position_of(book)
    again = position_of(book)
    position_module._UNTOUCHED.clear()
    fresh = position_of(book)
    assert first == again == fresh
    assert repr(first) == repr(fresh)
    # the installments not yet due are shared; the one repaid is made again
    assert again.installments[5] is first.installments[5]
    assert again.installments[0] is not first.installments[0]


def test_equal_amounts_written_otherwise_are_not_aliased() -> None:
    book = _book()
    kept = position_of(book).installments[6]
    row = book.rows[6]
    row.charged[PRINCIPAL] = D("1000.0")  # equal to 1000.00, another text
    assert row.charged[PRINCIPAL] == kept.charged.principal
    other = position_of(book).installments[6]
    assert other is not kept
    assert str(other.charged.principal) == "1000.0"
    assert str(other.outstanding.principal) == "1000.0"


def test_a_payment_or_the_day_changes_the_position() -> None:
    book = _book()
    before = position_of(book).installments[6]
    row = book.rows[6]
    row.paid = {**row.paid, INTEREST: D("1.00")}
    paid = position_of(book).installments[6]
    assert paid.paid.interest == D("1.00")
    assert paid.outstanding.interest == before.outstanding.interest - D("1.00")
    later = dataclasses.replace(book, today=row.due_date)
    row.paid = {**row.paid, INTEREST: position_module.ZERO}
    due = position_of(later).installments[6]
    assert due.status != before.status

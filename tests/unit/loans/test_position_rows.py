"""An installment's position is made from its row as it is on the day: the same figures each
time, its amounts as the row writes them, a payment or a later day seen at once."""

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


def test_the_position_is_the_same_each_time() -> None:
    book = _book()
    first = position_of(book)
    again = position_of(book)
    assert first == again
    assert repr(first) == repr(again)


def test_amounts_are_as_the_row_writes_them() -> None:
    book = _book()
    before = position_of(book).installments[6]
    row = book.rows[6]
    row.charged[PRINCIPAL] = D("1000.0")  # equal to 1000.00, another text
    assert row.charged[PRINCIPAL] == before.charged.principal
    other = position_of(book).installments[6]
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

"""A posting's view made from the posting is the view of the row stored for it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from microlend.loans import tables
from microlend.loans.account_store import posting_row
from microlend.loans.contract_document import contract_of
from microlend.loans.engine import Prepayment, Repayment, replay
from microlend.loans.views import fresh_posting_view, posting_view
from tests.unit.loans.test_contract_document import _document

D = Decimal
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def test_fresh_view_is_the_stored_rows_view() -> None:
    contract = contract_of(_document())
    events = [
        Repayment("e2", date(2025, 3, 10), 2, D("10.00"), channel="bank", reference="A"),
        Repayment("e3", date(2025, 4, 20), 3, D("1250.37"), channel="bank", reference="B"),
        Repayment("e4", date(2025, 5, 3), 4, D("3000"), channel="cash", reference=""),
        Prepayment("e5", date(2025, 5, 20), 5, D("2000.5")),
    ]
    book = replay(contract, events, date(2025, 6, 1))
    loan = SimpleNamespace(id=7, company_id=1, currency="CNY")
    assert len(book.postings) > 4  # with credit applied on later due dates
    for posting in book.postings:
        vouchers: dict[str, Any] = {f"loan:7:{posting.event_id}:v2": {"cash": "1.00"}}
        row = posting_row(cast(tables.Loan, loan), posting, 2, vouchers, NOW)
        stored = posting_view(cast(tables.LoanPosting, SimpleNamespace(**row)), "CNY")
        fresh = fresh_posting_view(posting, 2, vouchers, "CNY")
        assert fresh == stored
        assert repr(fresh) == repr(stored)

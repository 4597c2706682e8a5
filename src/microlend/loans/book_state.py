"""The engine's book in storage (``loan_engine_states.state``): a loan's account after its last
event, from which a later event is applied without replaying the history (``engine.resume``).

The document keeps every installment's charged, paid, waived and capitalised amounts, the
penalty held in grace, the credit balance, the day, and the terms in force where a prepayment,
a tranche or a reschedule changed them (only the fields those change; a book whose terms differ
otherwise is not stored, and its loan is replayed from its events). Amounts are kept as the
``Decimal``'s own text, so a restored book is the replayed one exactly.

``after`` lists the postings stored with a value date after the book's day (credit applied on
later due dates by an earlier command), with what they did and their vouchers: the postings a
later event can still change.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.loans.calculator.model import Fee, Terms
from microlend.loans.calculator.servicing_terms import Component
from microlend.loans.engine import LoanBook, LoanContract
from microlend.loans.engine.book import COMPONENTS, ZERO, Row
from microlend.loans.records import Kept

VERSION = 2
_NOTHING = ["0", "0", "0", "0"]  # the components of a row nothing was waived or paid on
_DECIMAL_FIELDS = ("principal", "annual_rate", "installment_multiple")
_INTS = ("term", "grace_principal_periods", "grace_interest_periods")
_DATES = ("disbursement_date", "first_due_date")
_CHANGEABLE = frozenset({*_DECIMAL_FIELDS, *_INTS, *_DATES, "method", "fees"})
PENALTY, FEE, INTEREST, PRINCIPAL = COMPONENTS


def dump(book: LoanBook) -> dict[str, Any] | None:
    """The stored form of ``book`` (None when its terms changed beyond what is kept)."""
    terms = _terms_document(book.contract.terms, book.terms)
    if terms is None:
        return None
    return {
        "version": VERSION,
        "today": book.today.isoformat(),
        "credit": str(book.credit),
        "rescheduled": book.rescheduled,
        "first_open": book.first_open,
        "terms": terms,
        "rows": [_row_document(row) for row in book.rows],
    }


def load(contract: LoanContract, document: dict[str, Any]) -> LoanBook:
    """The book ``dump`` stored, on ``contract`` (with no postings: they are in storage)."""
    changed = document["terms"]
    terms = dataclasses.replace(contract.terms, **_terms_fields(changed)) if changed else None
    book = LoanBook(
        contract,
        date.fromisoformat(document["today"]),
        [_row(raw) for raw in document["rows"]],
        terms or contract.terms,
        credit=_DECIMALS[document["credit"]],
        rescheduled=bool(document["rescheduled"]),
    )
    book.reindex()
    book.first_open = int(document["first_open"])
    return book


def readable(document: dict[str, Any] | None) -> bool:
    return document is not None and document.get("version") == VERSION


def _row_document(row: Row) -> list[Any]:
    """[n, due, accrual start, accrual end (day ordinals), settlement, penalty in grace,
    charged, paid, waived, capitalised (each the components' amounts, 0 when all are 0)]."""
    return [
        row.n,
        row.due_date.toordinal(),
        row.accrual_start.toordinal(),
        row.accrual_end.toordinal(),
        int(row.settlement),
        str(row.penalty_in_grace),
        _amounts_document(row.charged),
        _amounts_document(row.paid),
        _amounts_document(row.waived),
        _amounts_document(row.capitalised),
    ]


def _amounts_document(amounts: dict[Component, Decimal]) -> list[str] | int:
    penalty, fee, interest, principal = (
        amounts[PENALTY],
        amounts[FEE],
        amounts[INTEREST],
        amounts[PRINCIPAL],
    )
    if penalty is ZERO and fee is ZERO and interest is ZERO and principal is ZERO:
        return 0  # nothing paid or waived: the common case, told without writing the texts
    texts = [str(penalty), str(fee), str(interest), str(principal)]
    return 0 if texts == _NOTHING else texts


def _row(raw: list[Any]) -> Row:
    n, due, start, end, settlement, grace, charged, paid, waived, capitalised = raw
    return Row(
        n,
        _DAYS[due],
        _DAYS[start],
        _DAYS[end],
        _amounts(charged),
        _amounts(paid),
        _amounts(waived),
        _amounts(capitalised),
        _DECIMALS[grace],
        bool(settlement),
    )


def _decimal_of(text: str) -> Decimal:
    return ZERO if text == "0" else Decimal(text)


# Amount texts and day ordinals read before, as their values (immutable, so shared): the states
# of a loan's commands repeat the same amounts; "0" is the engine's own ``ZERO``.
_DECIMALS = Kept(_decimal_of)
_DAYS = Kept(date.fromordinal)
_NO_AMOUNTS = dict.fromkeys(COMPONENTS, ZERO)


def _amounts(raw: list[str] | int) -> dict[Component, Decimal]:
    if raw.__class__ is not list:  # nothing paid or waived: the common case
        return _NO_AMOUNTS.copy()
    values = _DECIMALS
    penalty, fee, interest, principal = raw
    return {
        PENALTY: values[penalty],
        FEE: values[fee],
        INTEREST: values[interest],
        PRINCIPAL: values[principal],
    }


def _terms_document(agreed: Terms, in_force: Terms) -> dict[str, Any] | None:
    if in_force is agreed:
        return {}
    changed: dict[str, Any] = {}
    for spec in dataclasses.fields(Terms):
        name = spec.name
        value = getattr(in_force, name)
        if value == getattr(agreed, name):
            continue
        if name not in _CHANGEABLE:
            return None
        changed[name] = _field_document(name, value)
    return changed


def _field_document(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "fees":
        return [
            [fee.name, str(fee.charged), _text(fee.amount), _text(fee.percent), str(fee.base)]
            for fee in value
        ]
    if name in _DATES:
        return value.isoformat()
    if name in _INTS:
        return int(value)
    return str(value)  # a Decimal, or the method's code


def _terms_fields(changed: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, raw in changed.items():
        if raw is None:
            fields[name] = None
        elif name == "fees":
            fields[name] = tuple(
                Fee(fee_name, charged, _decimal(amount), _decimal(percent), base)
                for fee_name, charged, amount, percent, base in raw
            )
        elif name in _DATES:
            fields[name] = date.fromisoformat(raw)
        elif name in _DECIMAL_FIELDS:
            fields[name] = Decimal(raw)
        else:
            fields[name] = raw  # ints and the method (Terms coerces its enums)
    return fields


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)

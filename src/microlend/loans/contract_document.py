"""The loan's own copy of its terms (``loans.contract``) and the engine contract rebuilt from it.

The document keeps the product terms the loan was approved with (the product's own document
format), the loan's amount, term, rate, method and dates, and the schedule generated at
disbursement, installment by installment. Rebuilding never regenerates the schedule: the stored
one is the contract (a later change to the calculator cannot move a loan's installments).
"""

from __future__ import annotations

import json
import marshal
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.loans.calculator.model import Installment, Schedule
from microlend.loans.calculator.schedule import build_schedule
from microlend.loans.engine import LoanContract
from microlend.products.model import ProductTerms, loan_terms
from microlend.products.schemas import document_of, terms_from_document

VERSION = 1


def contract_document(
    product: ProductTerms,
    *,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: str,
    disbursement_date: date,
    first_due_date: date | None,
) -> tuple[dict[str, Any], LoanContract]:
    """The document of a new loan and its contract (the schedule is built once, here)."""
    loan = {
        "amount": str(amount),
        "term_count": term_count,
        "annual_rate": str(annual_rate),
        "method": method,
        "disbursement_date": disbursement_date.isoformat(),
        "first_due_date": first_due_date.isoformat() if first_due_date else None,
    }
    terms = _terms(product, loan)
    schedule = build_schedule(terms)
    document = {
        "version": VERSION,
        "product_terms": document_of(product),
        "loan": loan,
        "upfront_fee": str(schedule.upfront_fee),
        "schedule": [_installment_doc(i) for i in schedule.installments],
    }
    return document, _contract(product, terms, schedule)


_BUILT: dict[bytes | str, LoanContract] = {}  # by the document's content: a contract is immutable
_BUILT_MAX = 4096


def content_key(document: dict[str, Any]) -> bytes | str:
    """A key that two documents share only when their content is the same, types included:
    their ``marshal`` bytes (``marshal.loads`` gives the content back, so different contents
    cannot share bytes; the same content may give other bytes, which only misses the cache),
    or their ``repr`` when a value is not one ``marshal`` writes. A third of ``repr``'s cost."""
    try:
        return marshal.dumps(document)
    except ValueError:
        return repr(document)


@dataclass
class _Read:
    """A document read as text, and its contract once built."""

    document: dict[str, Any]
    contract: LoanContract | None = None


_READ: dict[str, _Read] = {}  # by the stored text
_READ_MAX = 1024
_SHARED: dict[int, _Read] = {}  # by the id of a document ``_READ`` holds (alive while held)


def read_document(text: str) -> dict[str, Any]:
    """The document stored as ``text`` (``loans.contract`` read as text, as the loan lock reads
    it), decoded once per content: the same text gives the same dict, shared by every command
    that reads it, so it is read, never changed in place (a loan's contract is replaced whole,
    never edited). ``contract_of`` knows a shared document by its identity (no ``repr``)."""
    found = _READ.get(text)
    if found is None:
        if len(_READ) >= _READ_MAX:
            _READ.clear()
            _SHARED.clear()
        found = _READ[text] = _Read(json.loads(text))
        _SHARED[id(found.document)] = found
    return found.document


def contract_of(document: dict[str, Any]) -> LoanContract:
    """The engine's contract, exactly as agreed (terms, stored schedule, servicing settings).
    Built once per document content (``content_key``, or the identity of a document that
    ``read_document`` shares; a contract is frozen): a command on a loan does not parse its
    product terms again."""
    shared = _SHARED.get(id(document))
    if shared is not None and shared.document is document:
        if shared.contract is None:
            shared.contract = _built(document)
        return shared.contract
    return _built(document)


def _built(document: dict[str, Any]) -> LoanContract:
    key = content_key(document)
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        found = _BUILT[key] = _contract_of(document)
    return found


def _contract_of(document: dict[str, Any]) -> LoanContract:
    product = terms_from_document(document["product_terms"])
    terms = _terms(product, document["loan"])
    installments = tuple(_installment(raw) for raw in document["schedule"])
    schedule = Schedule(terms, installments, Decimal(document["upfront_fee"]))
    return _contract(product, terms, schedule)


def product_terms_of(document: dict[str, Any]) -> ProductTerms:
    return terms_from_document(document["product_terms"])


def _contract(product: ProductTerms, terms: Any, schedule: Schedule) -> LoanContract:
    return LoanContract.open(
        terms,
        penalty=product.penalty,
        allocation=product.allocation_order,
        prepayment_mode=product.prepayment_mode,
        schedule=schedule,
    )


def _terms(product: ProductTerms, loan: dict[str, Any]) -> Any:
    first = loan.get("first_due_date")
    return loan_terms(
        product,
        amount=Decimal(loan["amount"]),
        term_count=int(loan["term_count"]),
        annual_rate=Decimal(loan["annual_rate"]),
        method=loan["method"],
        disbursement_date=date.fromisoformat(loan["disbursement_date"]),
        first_due_date=date.fromisoformat(first) if first else None,
    )


def _installment_doc(i: Installment) -> dict[str, Any]:
    return {
        "n": i.n,
        "due_date": i.due_date.isoformat(),
        "principal": str(i.principal),
        "interest": str(i.interest),
        "fee": str(i.fee),
        "total": str(i.total),
        "balance": str(i.balance),
        "accrual_start": i.accrual_start.isoformat(),
        "accrual_end": i.accrual_end.isoformat(),
    }


def _installment(raw: dict[str, Any]) -> Installment:
    return Installment(
        n=int(raw["n"]),
        due_date=date.fromisoformat(raw["due_date"]),
        principal=Decimal(raw["principal"]),
        interest=Decimal(raw["interest"]),
        fee=Decimal(raw["fee"]),
        total=Decimal(raw["total"]),
        balance=Decimal(raw["balance"]),
        accrual_start=date.fromisoformat(raw["accrual_start"]),
        accrual_end=date.fromisoformat(raw["accrual_end"]),
    )

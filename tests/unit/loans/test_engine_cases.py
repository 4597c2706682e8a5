"""The loan account engine against the worked examples of tests/cases/loan_*.json.

Each file holds a contract (terms in the ``microlend schedule`` JSON shape, penalty, allocation
order, prepayment mode), the events, and checks worked out by hand: postings (allocation lines
per installment and component), the position and installments on a date, and for a back-dated
event the postings it changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from microlend.loans.calculator.schemas import parse_terms
from microlend.loans.calculator.servicing_terms import Component, PenaltyTerms, PrepaymentMode
from microlend.loans.engine import (
    LoanBook,
    LoanContract,
    LoanEvent,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Waiver,
    position_of,
    post,
    replay,
)
from tests.unit.loans.cases import case_files, load

NEVER_USED = date(1900, 1, 1)
AMOUNT_FIELDS = ("principal", "interest", "fee", "penalty")


def contract_of(document: dict[str, Any]) -> LoanContract:
    penalty = document["penalty"]
    return LoanContract.open(
        parse_terms(document["terms"], default_disbursement=NEVER_USED),
        penalty=PenaltyTerms(
            multiplier=Decimal(penalty["multiplier"]),
            base=penalty["base"],
            grace_days=penalty["grace_days"],
            compound=penalty["compound"],
        ),
        allocation=document["allocation"],
        prepayment_mode=document["prepayment_mode"],
    )


def event_of(document: dict[str, Any]) -> LoanEvent:
    ident, on = document["id"], date.fromisoformat(document["date"])
    sequence, kind = document["sequence"], document["type"]
    amount = Decimal(document.get("amount", "0"))
    if kind == "repayment":
        return Repayment(ident, on, sequence, amount)
    if kind == "prepayment":
        mode = document.get("mode")
        fee = Decimal(document.get("fee", "0"))
        return Prepayment(ident, on, sequence, amount, PrepaymentMode(mode) if mode else None, fee)
    if kind == "waiver":
        return Waiver(ident, on, sequence, Component(document["component"]), amount)
    if kind == "reschedule":
        rate, first_due = document.get("annual_rate"), document.get("first_due_date")
        return Reschedule(
            ident,
            on,
            sequence,
            term=document["term"],
            annual_rate=None if rate is None else Decimal(rate),
            first_due_date=None if first_due is None else date.fromisoformat(first_due),
            capitalise_arrears=document.get("capitalise_arrears", False),
        )
    assert kind == "refund", kind
    return Refund(ident, on, sequence, amount)


@pytest.mark.parametrize("path", case_files("loan_"), ids=lambda p: p.stem)
def test_worked_example(path: Path) -> None:
    case = load(path)
    contract = contract_of(case["contract"])
    events = {e["id"]: event_of(e) for e in case["events"]}
    for check in case["expected"]:
        as_of = date.fromisoformat(check["as_of"])
        chosen = check.get("events", list(events))
        if "post" in check:
            new = events[check["post"]]
            history = [events[i] for i in chosen if events[i] is not new]
            result = post(contract, history, new, as_of)
            assert list(result.changed) == check["changed"]
            book = result.after
        else:
            book = replay(contract, [events[i] for i in chosen], as_of)
        _check_postings(book, check.get("postings", {}))
        _check_position(book, check.get("position", {}))
        _check_installments(book, check.get("installments", []))


def _check_postings(book: LoanBook, expected: dict[str, Any]) -> None:
    postings = {p.event_id: p for p in book.postings}
    for ident, want in expected.items():
        got = postings[ident]
        lines = [
            [ln.installment, ln.bucket.value, ln.component.value, ln.amount] for ln in got.lines
        ]
        assert lines == [[n, b, c, Decimal(a)] for n, b, c, a in want["lines"]], ident
        assert got.credit_change == Decimal(want["credit_change"]), ident
        for field in ("prepaid_principal", "new_principal"):
            if field in want:
                assert getattr(got, field) == Decimal(want[field]), (ident, field)


def _check_position(book: LoanBook, expected: dict[str, Any]) -> None:
    here = position_of(book)
    for name, want in expected.items():
        got = getattr(here, name)
        if isinstance(want, dict):
            assert {f: getattr(got, f) for f in want} == {f: Decimal(v) for f, v in want.items()}, (
                name
            )
        elif name in ("status",):
            assert got.value == want
        elif name == "next_due_date":
            assert got == date.fromisoformat(want)
        elif isinstance(want, int):
            assert got == want, name
        else:
            assert got == Decimal(want), name


def _check_installments(book: LoanBook, expected: list[list[Any]]) -> None:
    rows = {row.n: row for row in position_of(book).installments}
    for n, due, principal, interest, fee, penalty, status in expected:
        row = rows[n]
        charged = row.charged
        got = [
            row.due_date.isoformat(),
            charged.principal,
            charged.interest,
            charged.fee,
            charged.penalty,
        ]
        want = [due, Decimal(principal), Decimal(interest), Decimal(fee), Decimal(penalty)]
        assert got == want, n
        assert row.status.value == status, n

"""Stored loan events to the engine's events, money between minor units and ``Decimal``, and the
stored form of an engine posting."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from microlend.kernel.money import minor_digits
from microlend.loans import tables
from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.calculator.servicing_terms import Component, PrepaymentMode
from microlend.loans.engine import (
    Acceleration,
    AllocationLine,
    LoanEvent,
    Posting,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Reversal,
    Tranche,
    Waiver,
)

# Event kinds stored beside the engine's: the start of the contract, and the off-balance moves.
DISBURSEMENT = "disbursement"
WRITE_OFF = "write_off"
RECOVERY = "recovery"
TRANCHE = "tranche"  # a later part of a loan paid out in tranches (分次放款)
ACCELERATION = "acceleration"  # the loan called due (宣布提前到期)
NOT_REPLAYED = frozenset({DISBURSEMENT, WRITE_OFF, RECOVERY})


def money(units: int, currency: str = "CNY") -> Decimal:
    """Stored minor units as an amount (``Money.from_minor(units, currency).amount``)."""
    if type(units) is int:  # the usual case: kept (an amount is immutable, so shared)
        return _kept(_AMOUNTS, currency, _money)[units]
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError("minor units must be an int")
    return _money(units, currency)


def minor(amount: Decimal, currency: str = "CNY") -> int:
    """An amount exact to the minor unit, in minor units (``Money.of(...).to_minor()``); the
    units of a ``Decimal`` are kept for the next time (``minor_units``)."""
    if type(amount) is not Decimal:  # an int; a float (or a bool) is refused, never looked up
        return _minor(amount, currency)
    return minor_units(currency)[amount]


def fresh_minor(amount: Decimal, currency: str = "CNY") -> int:
    """``minor`` of an amount just computed (a sum, a difference): converted, not kept (a new
    ``Decimal``'s hash costs more than its conversion)."""
    return _minor(amount, currency)


def minor_units(currency: str) -> Kept[Decimal, int]:
    """``minor`` of the currency's ``Decimal`` amounts, kept: ``minor_units(currency)[amount]``.
    For amounts met again and again, as the shared ones a loan's stored engine state is read
    into (``book_state``), whose hash is kept with them."""
    return _kept(_UNITS, currency, _minor)


K = TypeVar("K")
V = TypeVar("V")


class Kept(dict[K, V]):
    """What ``convert`` makes of each key, kept once made (at most 100,000): for immutable
    values met again and again."""

    def __init__(self, convert: Callable[[K], V]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: K) -> V:
        value = self.convert(key)
        if len(self) >= 100_000:
            self.clear()
        self[key] = value
        return value


_AMOUNTS: dict[str, Kept[int, Decimal]] = {}
_UNITS: dict[str, Kept[Decimal, int]] = {}


def _kept(
    tables: dict[str, Kept[K, V]], currency: str, convert: Callable[[K, str], V]
) -> Kept[K, V]:
    """The currency's table of ``convert``."""
    table = tables.get(currency)
    if table is None:
        table = tables[currency] = Kept(lambda key: convert(key, currency))
    return table


def _money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_digits(currency))


def _minor(amount: Decimal, currency: str) -> int:
    if not isinstance(amount, Decimal):
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"an amount is a Decimal or an int, not {type(amount).__name__}")
        amount = Decimal(amount)
    scaled = amount.scaleb(minor_digits(currency))
    units = int(scaled)
    if units != scaled:
        raise ValueError(f"{amount} {currency} is not exact in minor units; quantize it first")
    return units


def engine_id(sequence: int) -> str:
    return f"e{sequence}"


def engine_event(row: tables.LoanEvent, currency: str, by_id: dict[int, int]) -> LoanEvent | None:
    """The engine's event of a stored row (None for the kinds the engine does not replay);
    ``by_id`` maps stored event ids to their sequence (for reversals)."""
    d: dict[str, Any] = row.detail or {}
    eid, day, seq = engine_id(row.sequence), row.value_date, row.sequence
    amount = money(row.amount_minor, currency)
    if row.kind == "repayment":
        return Repayment(
            eid,
            day,
            seq,
            amount=amount,
            channel=row.channel,
            reference=row.external_reference or "",
        )
    if row.kind == "prepayment":
        mode = d.get("mode")
        return Prepayment(
            eid,
            day,
            seq,
            amount=amount,
            mode=PrepaymentMode(mode) if mode else None,
            fee=Decimal(d.get("fee", "0")),
            channel=row.channel,
            reference=row.external_reference or "",
        )
    if row.kind == "waiver":
        return Waiver(eid, day, seq, component=Component(d["component"]), amount=amount)
    if row.kind == "refund":
        return Refund(eid, day, seq, amount=amount)
    if row.kind == "reversal":
        assert row.reverses_event_id is not None
        return Reversal(eid, day, seq, target_id=engine_id(by_id[row.reverses_event_id]))
    if row.kind == TRANCHE:
        return Tranche(eid, day, seq, amount=amount)
    if row.kind == "reschedule":
        fields: Any = reschedule_fields(d)
        return Reschedule(eid, day, seq, **fields)
    if row.kind == ACCELERATION:
        return Acceleration(eid, day, seq)
    return None


def reschedule_fields(d: dict[str, Any]) -> dict[str, Any]:
    first = d.get("first_due_date")
    return {
        "term": int(d["term"]),
        "annual_rate": Decimal(d["annual_rate"]) if d.get("annual_rate") else None,
        "method": RepaymentMethod(d["method"]) if d.get("method") else None,
        "first_due_date": date.fromisoformat(first) if first else None,
        "grace_principal_periods": int(d.get("grace_principal_periods", 0)),
        "capitalise_arrears": bool(d.get("capitalise_arrears", False)),
    }


def engine_events(rows: Iterable[tables.LoanEvent], currency: str) -> list[LoanEvent]:
    rows = list(rows)
    by_id = {row.id: row.sequence for row in rows}
    found = [engine_event(row, currency, by_id) for row in rows if row.kind not in NOT_REPLAYED]
    return [event for event in found if event is not None]


def lines_document(posting: Posting) -> list[dict[str, Any]]:
    return [
        {
            "installment": line.installment,
            "due_date": line.due_date.isoformat(),
            "bucket": str(line.bucket),
            "component": str(line.component),
            "amount": str(line.amount),
        }
        for line in posting.lines
    ]


def _line_key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["installment"], line["bucket"], line["component"], Decimal(line["amount"]))


def _posting_line_key(line: AllocationLine) -> tuple[Any, ...]:
    """``_line_key`` of the line's ``lines_document`` entry (its amount is the same Decimal)."""
    return (line.installment, str(line.bucket), str(line.component), line.amount)


def posting_signature(posting: Posting, currency: str) -> tuple[Any, ...]:
    """What a posting does, comparable with a stored one (``stored_signature``)."""
    return (
        str(posting.kind),
        posting.value_date,
        minor(posting.cash_in, currency),
        minor(posting.cash_out, currency),
        fresh_minor(posting.credit_change, currency),
        tuple(sorted(_posting_line_key(line) for line in posting.lines)),
    )


def signature_text(posting: Posting, currency: str) -> str:
    """What a posting does, as text kept beside the engine's book (``book_state``)."""
    return _signature_json(posting_signature(posting, currency), currency)


def row_signature_text(row: tables.LoanPosting, currency: str) -> str:
    """``signature_text`` of a stored posting."""
    return _signature_json(stored_signature(row), currency)


def _signature_json(signature: tuple[Any, ...], currency: str) -> str:
    kind, day, cash_in, cash_out, credit, lines = signature
    shown = [[n, bucket, part, fresh_minor(amount, currency)] for n, bucket, part, amount in lines]
    return json.dumps([kind, day.isoformat(), cash_in, cash_out, credit, shown])


def stored_signature(row: tables.LoanPosting) -> tuple[Any, ...]:
    return (
        row.kind,
        row.value_date,
        row.cash_in_minor,
        row.cash_out_minor,
        row.credit_change_minor,
        tuple(sorted(_line_key(line) for line in row.lines)),
    )

"""Vouchers of business events staged with the command's other rows (``post_staged``): on
PostgreSQL written by its last statement (``voucher_statement``), which locks the period rows
and numbers them there, so that posting costs no round trip of its own and a period row is held
from that statement to the commit.

The posting rules and accounts are the ones this process last read for the event type and
product (read on first use, after the count of changes to the company's books); the statement
checks the count against the books' and, if they changed since, writes none of these vouchers:
they are posted again here, after reading the books. A period held by this transaction already
(its row read, its numbers counted here), SQLite, or a key staged twice: the vouchers are
staged by ``post_many`` instead.

The vouchers' numbers and ids are not known before the statement: ``post_staged`` returns
nothing (the loans' callers keep the events' keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from microlend.accounting import books, journal, postings, voucher_statement
from microlend.accounting.model import (
    LedgerEvent,
    LineDraft,
    check_balanced,
    event_lines,
    period_of,
)
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation
from microlend.kernel.principal import Principal


@dataclass(frozen=True)
class _Known:
    """The posting rules of an event type and product, with their accounts, as last read, and
    the count of changes to the books they were read after."""

    rules: dict[str, tuple[str, str]]
    accounts: dict[str, books.AccountState]
    version: int


_KnownKey = tuple[int, str, str | None]  # company, event type, product code
_KNOWN: WeakKeyDictionary[Any, dict[_KnownKey, _Known]] = WeakKeyDictionary()  # by engine


def post_staged(
    uow: UnitOfWork, actor: Principal, *, events: list[LedgerEvent], now: datetime
) -> None:
    """``post_many`` for ``events``, their vouchers written with the rows staged in
    ``uow.staged`` (a closed period, or a key posted with other amounts, is refused then: the
    command fails whole)."""
    postings.check_events(actor, events)
    if events and not _staged(uow, actor, events, now):
        postings.post_many(uow, actor, events=events, now=now, staged=uow.staged)


def _staged(uow: UnitOfWork, actor: Principal, events: list[LedgerEvent], now: datetime) -> bool:
    if uow.dialect != "postgresql":
        return False
    keys = [(event.company_id, event.idempotency_key) for event in events]
    months = {(event.company_id, period_of(event.business_date)) for event in events}
    if len(set(keys)) < len(keys) or any(journal.held_period(uow, *m) for m in months):
        return False
    if not voucher_statement.pending_keys(uow).isdisjoint(keys):
        return False
    rows = [_row(uow, actor, event, now) for event in events]
    check = partial(_verdict, uow, actor, events, now)
    uow.staged.statement(journal.VOUCHERS, rows, voucher_statement.STATEMENT, check=check)
    return True


def _row(uow: UnitOfWork, actor: Principal, event: LedgerEvent, now: datetime) -> dict[str, Any]:
    """The voucher of ``event`` as ``voucher_statement`` reads it (with the count of changes to
    the books its rules were read at)."""
    known, lines, accounts = _drafted(uow, event, now)
    draft = journal.VoucherDraft(
        company_id=event.company_id,
        office_id=event.office_id,
        business_date=event.business_date,
        kind=event.type,
        summary=event.summary or event.type,
        lines=lines,
        idempotency_key=event.idempotency_key,
    )
    return {
        "company_id": event.company_id,
        "office_id": event.office_id,
        "period": period_of(event.business_date),
        "business_date": event.business_date,
        "entered_at": now,
        "kind": draft.kind,
        "summary": draft.summary[:300],
        "idempotency_key": event.idempotency_key,
        "fingerprint": draft.fingerprint(),
        "reverses_id": None,
        "created_by": actor.username,
        "created_by_id": actor.user_id,
        "lines": journal.line_rows(draft, lines, accounts),
        "books_version": known.version,
    }


def _drafted(
    uow: UnitOfWork, event: LedgerEvent, now: datetime
) -> tuple[_Known, list[LineDraft], list[books.Postable]]:
    """The event's rules, lines and their accounts; a refusal by what the process knew is
    checked against the books first."""
    for fresh in (False, True):
        known = _known(uow, event, now, fresh=fresh)
        try:
            lines = check_balanced(event_lines(event, known.rules))
            codes = [line.account_code for line in lines]
            return (
                known,
                lines,
                [books.postable_of(code, known.accounts.get(code)) for code in codes],
            )
        except RuleViolation:
            if fresh:
                raise
    raise AssertionError("unreachable")


def _known(uow: UnitOfWork, event: LedgerEvent, now: datetime, *, fresh: bool) -> _Known:
    cache = _KNOWN.setdefault(uow.session.get_bind(), {})
    key = (event.company_id, event.type, event.dims.product_code)
    found = None if fresh else cache.get(key)
    if found is None:
        # the count first, then the rules and accounts, read anew (what this transaction read of
        # them before may be older than the count)
        books.forget_chart(uow, event.company_id)
        version = books.books_version(uow, event.company_id)
        rules = dict(postings.event_rules(uow, event, now))
        codes = {code for pair in rules.values() for code in pair}
        accounts = books.account_states(uow, event.company_id, codes)
        found = cache[key] = _Known(rules, accounts, version)
    return found


def _verdict(
    uow: UnitOfWork,
    actor: Principal,
    events: list[LedgerEvent],
    now: datetime,
    returned: list[Any],
) -> None:
    """What ``voucher_statement`` returned: the books changed (post the events again, reading
    them), a closed period, a key of other amounts (refused), or nothing (written)."""
    found = voucher_statement.problems(returned)
    if any(kind == "stale" for kind, *_ in found):
        _KNOWN.pop(uow.session.get_bind(), None)
        for company in sorted({event.company_id for event in events}):
            books.forget_chart(uow, company)
        postings.post_many(uow, actor, events=events, now=now)
        return
    for kind, _company, first, second in found:
        if kind == "closed":
            raise journal.closed_error(str(first), second)
        raise Conflict(
            "event %(first)s was posted with different amounts",
            code="event_key_reused",
            extra={"voucher": second},
            params={"first": first},
        )

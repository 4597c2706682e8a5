"""The events a bank file's references made already, and what replaying them returns.

A file's lines are looked up by channel and external reference together (``existing``: one
query for the file), and the outcomes of the events found are read together too
(``Replays``: their postings and whether a reversal took them back, two queries for the file),
so that a re-sent file costs a few statements however long it is. The loans are locked when
they are read (nothing else can repost or reverse their events meanwhile); only a line of the
same file can change a posting (a back-dated payment reposts the later events), which the
caller asks for afresh (``repayments.outcome``) instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, func, select, true
from sqlalchemy.orm import aliased

from microlend.db.uow import UnitOfWork
from microlend.loans import tables
from microlend.loans.records import engine_id
from microlend.loans.views import EventOutcome, event_view, loan_view, posting_view

Pair = tuple[str, str]  # channel, external reference


def existing(
    uow: UnitOfWork, company_id: int, pairs: Iterable[Pair]
) -> dict[Pair, tables.LoanEvent]:
    """The events the channel and external reference ``pairs`` made already (one query)."""
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    if uow.session.get_bind().dialect.name == "postgresql":
        channels, references = [channel for channel, _ in wanted], [ref for _, ref in wanted]
        params = {"company_id": company_id, "channels": channels, "references": references}
        rows = uow.session.scalars(_PROBE, params)
    else:
        rows = uow.session.scalars(
            select(tables.LoanEvent).where(
                tables.LoanEvent.company_id == company_id,
                tables.LoanEvent.channel.in_(sorted({channel for channel, _ in wanted})),
                tables.LoanEvent.external_reference.in_(sorted({ref for _, ref in wanted})),
            )
        )
    found = {(row.channel, str(row.external_reference)): row for row in rows}
    return {pair: found[pair] for pair in wanted if pair in found}


def _probe() -> Any:
    """On PostgreSQL, one probe of the unique index (company, channel, reference) per pair:
    the pairs as two array parameters (one statement text for any number of lines), each
    looked up by a lateral subquery. A plain ``IN`` may let the planner read every event of
    the company's channel, a cost that grows with the table."""
    event = tables.LoanEvent
    wanted = (
        func.unnest(
            bindparam("channels", type_=ARRAY(String)),
            bindparam("references", type_=ARRAY(String)),
        )
        .table_valued("channel", "reference")
        .render_derived(name="wanted")
    )
    probe = (
        select(event)
        .where(
            event.company_id == bindparam("company_id"),
            event.channel == wanted.c.channel,
            event.external_reference == wanted.c.reference,
        )
        .limit(1)  # the unique index holds at most one; the limit keeps the probe lateral
        .lateral("found")
    )
    return select(aliased(event, probe)).select_from(wanted).join(probe, true())


_PROBE = _probe()


class Replays:
    """The stored postings of ``events`` and the ones of them reversed, read when first asked."""

    def __init__(self, uow: UnitOfWork, events: Iterable[tables.LoanEvent]) -> None:
        self.uow, self.events = uow, list(events)
        self.read: tuple[dict[tuple[int, str], tables.LoanPosting], frozenset[int]] | None = None

    def outcome(self, loan: tables.Loan, row: tables.LoanEvent) -> EventOutcome:
        """``repayments.outcome(..., replayed=True)`` of ``row``, an event of ``loan`` that no
        line of the file changed."""
        if self.read is None:
            self.read = self._postings(), self._reversed()
        postings, reversed_ids = self.read
        posting = postings.get((loan.id, engine_id(row.sequence)))
        return EventOutcome(
            loan_view(loan),
            event_view(row, loan.currency, frozenset({row.id}) & reversed_ids),
            posting_view(posting, loan.currency) if posting else None,
            True,
        )

    def _postings(self) -> dict[tuple[int, str], tables.LoanPosting]:
        posting = tables.LoanPosting
        loan_ids = sorted({row.loan_id for row in self.events})
        posting_ids = sorted({engine_id(row.sequence) for row in self.events})
        rows = self.uow.session.scalars(
            select(posting).where(
                posting.loan_id.in_(loan_ids), posting.posting_id.in_(posting_ids)
            )
        )
        return {(row.loan_id, row.posting_id): row for row in rows}

    def _reversed(self) -> frozenset[int]:
        event = tables.LoanEvent
        ids = sorted(row.id for row in self.events)
        taken = select(event.reverses_event_id).where(event.reverses_event_id.in_(ids))
        return frozenset(int(found) for found in self.uow.session.scalars(taken) if found)

"""A loan's statement of account (贷款对账单) for a period: what the borrower owed when it began,
every transaction in it with how it was applied, and what they owed when it ended — what a
borrower asks for to check their own books, and what an enterprise's auditor confirms at the
year's end.

The opening and closing figures are the engine's positions at the end of the day before the
period and of its last day (replayed from the events, as the loan page's position), so the
statement can be drawn for any past period and agrees with the loan page for the same day.
A transaction is listed on its value date: money lent (the disbursement and each tranche) and
paid back (a refund of the credit balance) as money out; repayments, prepayments and recoveries
as money in, split by component as the loan's postings apply them now; waivers and
restructurings with what they forgave or capitalised; the credit balance used on a due date.
A reversed transaction is listed with the reversal that took it back (its money negated), and
neither counts in the period's totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, history
from microlend.loans.document_render import parties, render_document
from microlend.loans.engine import Position, position
from microlend.loans.queries import VIEW, events, get_loan, postings
from microlend.loans.views import (
    COMPONENTS,
    MONEY_IN,
    MONEY_OUT,
    PAYING,
    EventView,
    LoanView,
    PostingView,
    by_component,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class Balance:
    """What the borrower owed at the end of a day."""

    principal: Decimal  # all principal not repaid, due or not
    owed: Decimal  # interest, fee and penalty due and unpaid
    overdue: Decimal  # everything due before that day and unpaid, principal included
    accrued: Decimal  # interest of the running period, not yet due
    credit: Decimal  # paid in beyond what was owed

    @classmethod
    def of(cls, here: Position) -> Balance:
        owed = here.overdue + here.due_today
        return cls(
            principal=here.outstanding_principal,
            owed=owed.interest + owed.fee + owed.penalty,
            overdue=here.overdue_amount,
            accrued=here.accrued_interest,
            credit=here.credit_balance,
        )


@dataclass(frozen=True)
class StatementLine:
    value_date: date
    kind: str
    reference: str
    money_in: Decimal
    money_out: Decimal
    applied: dict[str, Decimal]  # by component: paid, or forgiven (waiver), capitalised
    credit_change: Decimal
    reversed: bool = False  # taken back by a later reversal (listed too)

    @property
    def counts(self) -> bool:
        """Whether the line counts in the period's totals (a reversal and what it took back
        cancel out)."""
        return not self.reversed and self.kind != "reversal"


@dataclass(frozen=True)
class Statement:
    loan: LoanView
    start: date
    end: date
    opening: Balance | None  # None: the period begins with the loan
    closing: Balance
    lines: list[StatementLine]
    totals: dict[str, Decimal]  # ``TOTALS``: the lines that count (``StatementLine.counts``)


TOTALS = ("money_in", "money_out", *COMPONENTS, "credit_change")


def _totals(lines: list[StatementLine]) -> dict[str, Decimal]:
    """The period's money in and out, credit change, and each component paid (by money in and
    by the credit balance; not what was forgiven or capitalised)."""
    found = dict.fromkeys(TOTALS, ZERO)
    for line in lines:
        if not line.counts:
            continue
        for name in ("money_in", "money_out", "credit_change"):
            found[name] += getattr(line, name)
        if line.kind in PAYING:
            for name in COMPONENTS:
                found[name] += line.applied[name]
    return found


def _credit_line(posting: PostingView) -> StatementLine:
    """The credit balance used on a due date (no event of its own)."""
    applied = by_component(posting.lines)
    return StatementLine(
        posting.value_date, posting.kind, "", ZERO, ZERO, applied, posting.credit_change
    )


def _line(
    event: EventView, posting: PostingView | None, taken_back: EventView | None
) -> StatementLine:
    moved = taken_back or event  # a reversal moves the money of what it takes back, negated
    sign = -1 if taken_back is not None else 1
    return StatementLine(
        value_date=event.value_date,
        kind=event.kind,
        reference=event.external_reference or "",
        money_in=sign * moved.amount if moved.kind in MONEY_IN else ZERO,
        money_out=sign * moved.amount if moved.kind in MONEY_OUT else ZERO,
        applied=by_component(posting.lines if posting is not None else ()),
        credit_change=posting.credit_change if posting is not None else ZERO,
        reversed=event.reversed,
    )


def _period(
    uow: UnitOfWork, loan: tables.Loan, start: date | None, end: date | None
) -> tuple[date, date]:
    today = business_date(uow, loan.company_id)
    last = end or today
    first = max(start or loan.disbursement_date, loan.disbursement_date)
    if last > today:
        raise ValidationFailed("is after the business date", field="end")
    if last < first:
        raise ValidationFailed("is before the start of the period", field="end")
    return first, last


def statement(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    start: date | None = None,
    end: date | None = None,
) -> Statement:
    """The statement of ``loan_id`` from ``start`` (default, and at the earliest, the day it was
    disbursed) to ``end`` (default the business date; not after it)."""
    require(actor, VIEW)
    row = get_scoped(uow.session, actor, tables.Loan, loan_id)
    first, last = _period(uow, row, start, end)
    by_id = {p.posting_id: p for p in postings(uow, actor, loan_id=row.id)}
    listed = events(uow, actor, loan_id=row.id)
    by_event = {e.id: e for e in listed}
    lines = [
        _line(
            e,
            by_id.get("disbursement" if e.kind == "disbursement" else f"e{e.sequence}"),
            by_event.get(e.reverses_event_id) if e.reverses_event_id else None,
        )
        for e in listed
        if first <= e.value_date <= last
    ]
    lines += [
        _credit_line(p)
        for p in by_id.values()
        if p.kind == "credit_application" and first <= p.value_date <= last
    ]
    lines.sort(key=lambda line: line.value_date)  # stable: events in sequence within a day
    contract, history_events = history(uow, row)  # read once for both days
    before = first - timedelta(days=1)
    opening = (
        Balance.of(position(contract, history_events, before))
        if first > row.disbursement_date
        else None
    )
    closing = Balance.of(position(contract, history_events, last))
    loan = get_loan(uow, actor, loan_id=row.id)
    return Statement(loan, first, last, opening, closing, lines, _totals(lines))


def statement_html(
    uow: UnitOfWork,
    actor: Principal,
    *,
    loan_id: int,
    start: date | None = None,
    end: date | None = None,
) -> str:
    """The statement as a printable page."""
    found = statement(uow, actor, loan_id=loan_id, start=start, end=end)
    row = uow.session.get_one(tables.Loan, found.loan.id)  # in scope: the statement read it
    named = parties(uow, row)
    return render_document(
        "statement.html",
        s=found,
        COMPONENTS=COMPONENTS,
        TOTALS=TOTALS,
        lender=named.lender,
        borrower=named.borrower.name,
        opening_day=found.start - timedelta(days=1),
        printed_on=business_date(uow, row.company_id),
    )

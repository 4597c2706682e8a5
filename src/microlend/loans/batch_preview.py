"""What a bank file of repayments would do, before it is posted (the web import's first step).

Each line is read as ``batch.repay_batch`` reads it (``batch.line_of``: the loan found by number
in the actor's scope, the value date, the channel) and checked as far as it can be without
posting: the amount in the loan's currency, the value date not after the business date, the loan
still taking payments, a bank reference given and not repeated in the file, and a reference
posted already (the same request: it is replayed, not paid twice; another request under it: a
problem). Lines a bank's result file marks as failed are skipped. Nothing is locked or written:
``repay_batch`` checks everything again when the file is posted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.customers.tables import Customer
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, DomainError, Refusal
from microlend.kernel.fingerprint import digest
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, unserviceable
from microlend.loans.batch import Line, line_of
from microlend.loans.batch_file import COLUMNS, no_reference, succeeded
from microlend.loans.batch_replays import existing
from microlend.loans.repayments import REPAY, amount_of, value_date_of


@dataclass(frozen=True)
class LoanFacts:
    id: int
    number: str
    currency: str
    status: str
    borrower: str


@dataclass(frozen=True)
class PreviewLine:
    """A line of the file: as read, what it would post, and why it cannot."""

    number: int
    row: Mapping[str, str]
    loan: LoanFacts | None = None
    amount: Decimal | None = None
    value_date: date | None = None  # the business date when the line gives none
    channel: str = ""
    skipped: bool = False  # the bank's status says the debit failed
    already_posted: bool = False  # its reference made this very repayment already
    problems: tuple[Refusal, ...] = ()


@dataclass(frozen=True)
class FilePreview:
    lines: list[PreviewLine]
    business_date: date

    @property
    def to_post(self) -> list[PreviewLine]:
        """The lines ``repay_batch`` is given (those posted already are replayed by it)."""
        return [line for line in self.lines if not line.skipped]

    @property
    def refused(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.problems]

    @property
    def ready(self) -> bool:
        return bool(self.to_post) and not self.refused

    def items(self) -> list[dict[str, str]]:
        return [{name: str(line.row.get(name) or "") for name in COLUMNS} for line in self.to_post]

    def totals(self) -> dict[str, object]:
        new = [ln for ln in self.to_post if not ln.already_posted and not ln.problems]
        amounts: dict[str, Decimal] = {}
        for line in new:
            if line.loan is not None and line.amount is not None:
                currency = line.loan.currency
                amounts[currency] = amounts.get(currency, Decimal(0)) + line.amount
        return {
            "lines": len(self.lines),
            "to_post": len(new),
            "already_posted": sum(1 for ln in self.to_post if ln.already_posted),
            "skipped": len(self.lines) - len(self.to_post),
            "with_problems": len(self.refused),
            "amounts": amounts,
        }


def preview_repayments(
    uow: UnitOfWork, actor: Principal, rows: Sequence[Mapping[str, str]]
) -> FilePreview:
    """What posting ``rows`` (``batch_file.rows_of``) would do, line by line."""
    require(actor, REPAY)
    loans = _loans(uow, actor, {str(row.get("loan_number") or "").strip() for row in rows})
    by_number = {number: facts.id for number, facts in loans.items()}
    facts_of = {facts.id: facts for facts in loans.values()}
    today = business_date(uow, actor.company_id)
    read: list[tuple[int, Mapping[str, str], Line | Refusal | None]] = []
    for number, row in enumerate(rows, start=1):
        if not succeeded(row):
            read.append((number, row, None))
            continue
        try:
            read.append((number, row, line_of(number, row, by_number, set())))
        except DomainError as error:
            read.append((number, row, Refusal.of(error)))
    lines = [ln for _, _, ln in read if isinstance(ln, Line)]
    pairs = [(ln.channel, ln.reference) for ln in lines if ln.reference]
    posted = existing(uow, actor.company_id, pairs)
    first_of: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.reference:
            first_of.setdefault((line.channel, line.reference), line.number)
    repeated = Counter((ln.channel, ln.reference) for ln in lines if ln.reference)
    out = []
    for number, row, item in read:
        if item is None:
            out.append(PreviewLine(number, row, skipped=True))
        elif isinstance(item, Refusal):
            known = loans.get(str(row.get("loan_number") or "").strip())
            out.append(PreviewLine(number, row, known, problems=(item,)))
        else:
            key = (item.channel, item.reference or "")
            first = first_of.get(key, number) if repeated[key] > 1 else number
            facts = facts_of[item.loan_id]
            out.append(_checked(item, row, facts, today, posted.get(key), first))
    return FilePreview(out, today)


def _checked(
    line: Line,
    row: Mapping[str, str],
    facts: LoanFacts,
    today: date,
    found: tables.LoanEvent | None,
    first: int,
) -> PreviewLine:
    """Line ``line`` on its loan, checked; ``found`` the event its reference made already,
    ``first`` the first line of the file with its reference."""
    problems: list[DomainError] = []
    amount = value_date = None
    try:
        amount = amount_of(line.payload["amount"], facts.currency)
    except DomainError as error:
        problems.append(error)
    try:
        value_date = value_date_of(line.payload["value_date"], today)
    except DomainError as error:
        problems.append(error)
    if not line.reference:
        problems.append(no_reference())
    elif first != line.number:
        problems.append(
            Conflict(
                "the same reference as line %(first)s", params={"first": first}, code="repeated"
            )
        )
    same = found is not None and (found.loan_id, found.request_digest) == (
        line.loan_id,
        digest(line.request),
    )
    if found is not None and not same:
        problems.append(Conflict("the external reference was used for another request"))
    if not same and (refusal := unserviceable(facts.number, facts.status)):
        problems.append(refusal)
    return PreviewLine(
        line.number,
        row,
        facts,
        amount,
        value_date,
        line.channel,
        already_posted=same,
        problems=tuple(Refusal.of(error) for error in problems),
    )


def _loans(uow: UnitOfWork, actor: Principal, numbers: set[str]) -> dict[str, LoanFacts]:
    """The loans of ``numbers`` the actor may see, with their borrowers' names (one query)."""
    if not numbers:
        return {}
    loan = tables.Loan
    stmt: Any = (
        select(loan.id, loan.number, loan.currency, loan.status, Customer.name)
        .join(Customer, Customer.id == loan.customer_id)
        .where(loan.company_id == actor.company_id, loan.number.in_(sorted(numbers)))
    )
    rows = uow.session.execute(apply_scope(stmt, actor, loan))
    return {
        number: LoanFacts(loan_id, number, currency, status, name)
        for loan_id, number, currency, status, name in rows
    }

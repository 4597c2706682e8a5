"""The journal: every voucher is written here, by ``record_voucher``.

Writing a voucher locks the company's period row (``ledger_periods``, created on first use), which
both refuses a closed period and hands out the next gapless number (凭证号) of the month. On SQLite
``BEGIN IMMEDIATE`` already serializes writers; on PostgreSQL the row lock does it, and a close
waits for the postings in flight. An idempotency key is looked up before and again under the
lock, so that two racing posts of one event give one voucher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from microlend.accounting import books
from microlend.accounting.model import (
    Dims,
    LineDraft,
    Side,
    check_balanced,
    period_of,
    voucher_number,
)
from microlend.accounting.tables import LedgerPeriod, Voucher, VoucherLine
from microlend.accounting.views import LineView, VoucherView
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation
from microlend.kernel.fingerprint import digest
from microlend.kernel.money import Money

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class VoucherDraft:
    """Everything a voucher is made of, before it gets its number."""

    company_id: int
    office_id: int
    business_date: date
    kind: str
    summary: str
    lines: list[LineDraft]
    idempotency_key: str | None = None
    reverses_id: int | None = None

    def fingerprint(self) -> str:
        """What makes two posts of one key "the same": date, kind, office and lines."""
        return digest(
            {
                "date": self.business_date,
                "kind": self.kind,
                "office": self.office_id,
                "lines": sorted(
                    [
                        line.account_code,
                        line.side.value,
                        line.amount_minor,
                        line.currency,
                        line.office_id,
                    ]
                    for line in self.lines
                ),
            }
        )


def _insert_period(uow: UnitOfWork, company_id: int, period: str) -> None:
    values = {"company_id": company_id, "period": period, "status": OPEN, "last_number": 0}
    dialect = postgresql if uow.dialect == "postgresql" else sqlite
    stmt: Any = dialect.insert(LedgerPeriod).values(**values)
    uow.session.execute(stmt.on_conflict_do_nothing(index_elements=["company_id", "period"]))


def held_period(uow: UnitOfWork, company_id: int, period: str) -> LedgerPeriod | None:
    """The period row if this transaction already locked it."""
    locks: dict[tuple[int, str], LedgerPeriod] = uow.session.info.get(books.LOCKS_KEY, {})
    return locks.get((company_id, period))


def locked_period(uow: UnitOfWork, company_id: int, period: str) -> LedgerPeriod:
    """The period row, created if new, locked for this transaction."""
    held = held_period(uow, company_id, period)
    if held is not None:
        return held
    stmt = (
        select(LedgerPeriod)
        .where(LedgerPeriod.company_id == company_id, LedgerPeriod.period == period)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = uow.session.scalars(stmt).one_or_none()
    if row is None:
        _insert_period(uow, company_id, period)
        row = uow.session.scalars(stmt).one()
    uow.session.info.setdefault(books.LOCKS_KEY, {})[(company_id, period)] = row
    return row


def refuse_closed(
    uow: UnitOfWork, company_id: int, row: LedgerPeriod, *, checked: bool = False
) -> None:
    """No posting into a closed period, nor into one before the latest closed period
    (``checked``: the later periods were looked at already in this transaction)."""
    if row.status == CLOSED:
        raise RuleViolation(
            f"period {row.period} is closed", code="period_closed", extra={"period": row.period}
        )
    if checked:
        return
    later = uow.session.scalar(
        select(LedgerPeriod.period).where(
            LedgerPeriod.company_id == company_id,
            LedgerPeriod.status == CLOSED,
            LedgerPeriod.period > row.period,
        )
    )
    if later is not None:
        raise RuleViolation(
            f"period {later} is closed, so {row.period} is too",
            code="period_closed",
            extra={"period": row.period},
        )


def find_by_key(uow: UnitOfWork, company_id: int, key: str) -> Voucher | None:
    return uow.session.scalars(
        select(Voucher).where(Voucher.company_id == company_id, Voucher.idempotency_key == key)
    ).one_or_none()


def _replayed(uow: UnitOfWork, existing: Voucher, draft: VoucherDraft) -> VoucherView:
    if existing.fingerprint != draft.fingerprint():
        raise Conflict(
            f"event {draft.idempotency_key} was posted with different amounts",
            code="event_key_reused",
            extra={"voucher": existing.number},
        )
    return load_view(uow, existing)


def record_voucher(
    uow: UnitOfWork,
    draft: VoucherDraft,
    *,
    created_by: str,
    created_by_id: int | None,
    now: datetime,
) -> VoucherView:
    """Write ``draft`` as the next voucher of its period (or return the one its key made)."""
    company = draft.company_id
    if draft.idempotency_key is not None:
        existing = find_by_key(uow, company, draft.idempotency_key)
        if existing is not None:
            return _replayed(uow, existing, draft)
    lines = check_balanced(draft.lines)
    chart = books.chart(uow, company)
    accounts = [chart.postable(line.account_code) for line in lines]
    month = period_of(draft.business_date)
    already_held = held_period(uow, company, month) is not None
    period = locked_period(uow, company, month)
    refuse_closed(uow, company, period, checked=already_held)
    if draft.idempotency_key is not None and not already_held:
        existing = find_by_key(uow, company, draft.idempotency_key)
        if existing is not None:
            return _replayed(uow, existing, draft)
    period.last_number += 1
    voucher = Voucher(
        company_id=company,
        office_id=draft.office_id,
        number=voucher_number(period.period, period.last_number),
        period=period.period,
        business_date=draft.business_date,
        entered_at=now,
        kind=draft.kind,
        summary=draft.summary[:300],
        idempotency_key=draft.idempotency_key,
        fingerprint=draft.fingerprint() if draft.idempotency_key else None,
        reverses_id=draft.reverses_id,
        created_by=created_by,
        created_by_id=created_by_id,
    )
    uow.session.add(voucher)
    uow.session.flush()
    rows = [
        {
            "voucher_id": voucher.id,
            "line_no": number,
            "company_id": company,
            "office_id": line.office_id,
            "business_date": draft.business_date,
            "account_id": account.id,
            "side": line.side.value,
            "amount_minor": line.amount_minor,
            "currency": line.currency,
            "product_code": line.dims.product_code,
            "loan_id": line.dims.loan_id,
            "customer_id": line.dims.customer_id,
            "memo": line.memo[:200],
        }
        for number, (line, account) in enumerate(zip(lines, accounts, strict=True), start=1)
    ]
    uow.session.execute(insert(VoucherLine), rows)
    return _view_of(voucher, tuple(_line_view(row, chart) for row in rows))


def _line_view(row: dict[str, Any], chart: books.Chart) -> LineView:
    account = chart.by_id[row["account_id"]]
    return LineView(
        line_no=row["line_no"],
        account_code=account.code,
        account_name=account.name_zh,
        side=row["side"],
        amount=Money.from_minor(row["amount_minor"], row["currency"]).amount,
        currency=row["currency"],
        office_id=row["office_id"],
        product_code=row["product_code"],
        loan_id=row["loan_id"],
        customer_id=row["customer_id"],
        memo=row["memo"],
    )


def voucher_view(voucher: Voucher, rows: list[VoucherLine], chart: books.Chart) -> VoucherView:
    fields = [
        "line_no",
        "account_id",
        "side",
        "amount_minor",
        "currency",
        "office_id",
        "product_code",
        "loan_id",
        "customer_id",
        "memo",
    ]
    ordered = sorted(rows, key=lambda row: row.line_no)
    lines = tuple(_line_view({f: getattr(row, f) for f in fields}, chart) for row in ordered)
    return _view_of(voucher, lines)


def _view_of(voucher: Voucher, lines: tuple[LineView, ...]) -> VoucherView:
    return VoucherView(
        id=voucher.id,
        company_id=voucher.company_id,
        office_id=voucher.office_id,
        number=voucher.number,
        period=voucher.period,
        business_date=voucher.business_date,
        entered_at=voucher.entered_at,
        kind=voucher.kind,
        summary=voucher.summary,
        idempotency_key=voucher.idempotency_key,
        reverses_id=voucher.reverses_id,
        created_by=voucher.created_by,
        lines=lines,
    )


def load_view(uow: UnitOfWork, voucher: Voucher) -> VoucherView:
    rows = list(
        uow.session.scalars(select(VoucherLine).where(VoucherLine.voucher_id == voucher.id))
    )
    return voucher_view(voucher, rows, books.chart(uow, voucher.company_id))


def drafts_of(uow: UnitOfWork, voucher: Voucher) -> list[LineDraft]:
    """A stored voucher's lines as drafts (to reverse them)."""
    chart = books.chart(uow, voucher.company_id)
    rows = uow.session.scalars(
        select(VoucherLine)
        .where(VoucherLine.voucher_id == voucher.id)
        .order_by(VoucherLine.line_no)
    )
    return [
        LineDraft(
            chart.code_of(row.account_id),
            Side(row.side),
            row.amount_minor,
            row.currency,
            row.office_id,
            Dims(row.product_code, row.loan_id, row.customer_id),
            row.memo,
        )
        for row in rows
    ]

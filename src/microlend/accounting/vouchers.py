"""Reading the journal: one voucher, a page of vouchers, an account's detail (明细账)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from microlend.accounting import books, journal
from microlend.accounting.report_model import ChartEntry, ancestors, decimal, rolled_up
from microlend.accounting.reports import EARLIEST, Reach, chart_entries, movements, reach
from microlend.accounting.tables import LedgerAccount, Voucher, VoucherLine
from microlend.accounting.views import VoucherView
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped, scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound
from microlend.kernel.principal import Principal, require

VIEW = "accounting.view"


@dataclass(frozen=True)
class DetailEntry:
    business_date: date
    voucher_id: int
    number: str
    summary: str
    account_code: str
    office_id: int
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, debit-positive


@dataclass(frozen=True)
class AccountDetail:
    code: str
    name_zh: str
    name_en: str
    currency: str
    date_from: date
    date_to: date
    opening: Decimal
    entries: tuple[DetailEntry, ...]
    closing: Decimal


def get_voucher(uow: UnitOfWork, actor: Principal, *, voucher_id: int) -> VoucherView:
    require(actor, VIEW)
    return journal.load_view(uow, get_scoped(uow.session, actor, Voucher, voucher_id))


def reversal_of(uow: UnitOfWork, actor: Principal, *, voucher_id: int) -> VoucherView | None:
    """The voucher that reverses ``voucher_id``, if it has been reversed."""
    require(actor, VIEW)
    original = get_scoped(uow.session, actor, Voucher, voucher_id)
    reversal = uow.session.scalar(select(Voucher).where(Voucher.reverses_id == original.id))
    return None if reversal is None else journal.load_view(uow, reversal)


def _voucher_query(
    actor: Principal,
    *,
    company_id: int | None,
    period: str | None,
    date_from: date | None,
    date_to: date | None,
    kind: str | None,
) -> Select[Any]:
    stmt = apply_scope(select(Voucher), actor, Voucher)
    stmt = stmt.where(Voucher.company_id == (company_id or actor.company_id))
    if period:
        stmt = stmt.where(Voucher.period == period)
    if date_from:
        stmt = stmt.where(Voucher.business_date >= date_from)
    if date_to:
        stmt = stmt.where(Voucher.business_date <= date_to)
    if kind:
        stmt = stmt.where(Voucher.kind == kind)
    return stmt


def list_vouchers(
    uow: UnitOfWork,
    actor: Principal,
    *,
    company_id: int | None = None,
    period: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[VoucherView]:
    """Vouchers the actor may see, in the order they were entered, with their lines."""
    require(actor, VIEW)
    stmt = _voucher_query(
        actor, company_id=company_id, period=period, date_from=date_from, date_to=date_to, kind=kind
    )
    rows = uow.session.scalars(paginate(stmt, Voucher.id, cursor=cursor, limit=limit)).all()
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    return Page(_views(uow, list(page.items)), page.next_cursor)


def _views(uow: UnitOfWork, vouchers: list[Voucher]) -> list[VoucherView]:
    if not vouchers:
        return []
    lines: dict[int, list[VoucherLine]] = {voucher.id: [] for voucher in vouchers}
    for line in uow.session.scalars(
        select(VoucherLine).where(VoucherLine.voucher_id.in_(sorted(lines)))
    ):
        lines[line.voucher_id].append(line)
    return [
        journal.voucher_view(voucher, lines[voucher.id], books.chart(uow, voucher.company_id))
        for voucher in vouchers
    ]


def export_vouchers(
    uow: UnitOfWork,
    actor: Principal,
    *,
    date_from: date,
    date_to: date,
    company_id: int | None = None,
    batch: int = 500,
) -> Iterator[VoucherView]:
    """Every visible voucher of the range, streamed in batches (for the CSV export)."""
    cursor: str | None = None
    while True:
        page = list_vouchers(
            uow,
            actor,
            company_id=company_id,
            date_from=date_from,
            date_to=date_to,
            cursor=cursor,
            limit=batch,
        )
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _descendants(code: str, chart: dict[str, ChartEntry]) -> list[str]:
    return [other for other in chart if code in ancestors(other, chart)]


def account_detail(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    company_id: int | None = None,
    office_id: int | None = None,
) -> AccountDetail:
    """明细账: the lines of an account (and its sub-accounts) with a running balance."""
    where = reach(uow, actor, company_id=company_id, office_id=office_id)
    chart = chart_entries(uow, where, where.company_ids[0])
    if code not in chart:
        raise NotFound(
            "no account %(code)s", code="account_not_found", field="code", params={"code": code}
        )
    day_before = date_from
    moved = movements(uow, actor, where, currency=currency, date_from=day_before, date_to=date_to)
    opening = rolled_up(moved, chart).get(code)
    opening_units = opening.opening if opening else 0
    entries = _entries(uow, actor, where, _descendants(code, chart), currency, date_from, date_to)
    running, out = opening_units, []
    for line, voucher, account_code in entries:
        signed = line.amount_minor if line.side == "D" else -line.amount_minor
        running += signed
        debit = line.amount_minor if line.side == "D" else 0
        credit = line.amount_minor if line.side == "C" else 0
        out.append(
            DetailEntry(
                line.business_date,
                voucher.id,
                voucher.number,
                voucher.summary,
                account_code,
                line.office_id,
                decimal(debit, currency),
                decimal(credit, currency),
                decimal(running, currency),
            )
        )
    return AccountDetail(
        code,
        chart[code].name_zh,
        chart[code].name_en,
        currency,
        date_from,
        date_to,
        decimal(opening_units, currency),
        tuple(out),
        decimal(running, currency),
    )


def _entries(
    uow: UnitOfWork,
    actor: Principal,
    where: Reach,
    codes: list[str],
    currency: str,
    date_from: date,
    date_to: date,
) -> list[tuple[VoucherLine, Voucher, str]]:
    stmt = (
        select(VoucherLine, Voucher, LedgerAccount.code)
        .join(Voucher, Voucher.id == VoucherLine.voucher_id)
        .join(LedgerAccount, LedgerAccount.id == VoucherLine.account_id)
        .where(
            VoucherLine.company_id.in_(where.company_ids),
            LedgerAccount.code.in_(codes),
            VoucherLine.currency == currency,
            VoucherLine.business_date >= max(date_from, EARLIEST),
            VoucherLine.business_date <= date_to,
        )
        .order_by(VoucherLine.business_date, Voucher.id, VoucherLine.line_no)
    )
    stmt = stmt.where(scope_condition(actor, VoucherLine))
    if where.office_ids is not None:
        stmt = stmt.where(VoucherLine.office_id.in_(where.office_ids))
    return [(line, voucher, code) for line, voucher, code in uow.session.execute(stmt)]

"""Reports from the voucher lines: trial balance, account detail, balance sheet, income
statement — per office (with its sub-offices), per company, or consolidated over the group.

Consolidation adds the companies' accounts by code (each company has its own chart, seeded alike);
inter-company balances are not eliminated. Every query goes through the data scope.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, select

from microlend.accounting.model import YEAR_END_CLOSE, AccountType, Side
from microlend.accounting.period_balances import SIGNED, after_kept, kept_openings, latest_kept
from microlend.accounting.report_model import (
    BalanceSheet,
    ChartEntry,
    IncomeStatement,
    Movement,
    StatementLine,
    TrialBalance,
    ancestors,
    decimal,
    rolled_up,
    tb_row,
    total_row,
)
from microlend.accounting.tables import LedgerAccount, Voucher, VoucherLine
from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs import service as orgs

VIEW = "accounting.view"
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Reach:
    """Which books a report reads: companies, and offices (``None``: all of them)."""

    company_ids: tuple[int, ...]
    office_ids: tuple[int, ...] | None


def reach(
    uow: UnitOfWork,
    actor: Principal,
    *,
    company_id: int | None = None,
    office_id: int | None = None,
    consolidated: bool = False,
) -> Reach:
    """The actor's company by default; one office and its sub-offices; or the whole group."""
    require(actor, VIEW)
    if consolidated:
        companies = tuple(sorted(actor.company_ids))
    else:
        company = company_id or actor.company_id
        if not actor.sees_company(company):
            raise NotFound(
                "company %(company)s not found",
                code="company_not_found",
                params={"company": company},
            )
        companies = (company,)
    if office_id is None:
        return Reach(companies, None)
    office = orgs.find_office(uow, office_id=office_id)
    if office.company_id not in companies or not actor.sees_office(office.company_id, office_id):
        raise NotFound(
            "office %(office_id)s not found",
            code="office_not_found",
            field="office_id",
            params={"office_id": office_id},
        )
    return Reach(companies, tuple(sorted(orgs.office_subtree_ids(uow, office_id=office_id))))


_CHART = select(
    LedgerAccount.id,
    LedgerAccount.company_id,
    LedgerAccount.code,
    LedgerAccount.name_zh,
    LedgerAccount.name_en,
    LedgerAccount.type,
    LedgerAccount.parent_id,
).where(LedgerAccount.company_id.in_(bindparam("companies", expanding=True)))


def chart_entries(uow: UnitOfWork, where: Reach, first: int) -> dict[str, ChartEntry]:
    """The chart of the reach's companies by code (the first company's names where they differ);
    its rows, not ORM instances (close of business reads it several times a night)."""
    rows = uow.session.execute(_CHART, {"companies": list(where.company_ids)}).all()
    codes = {row.id: row.code for row in rows}
    ids: dict[str, tuple[int, ...]] = {}
    for row in rows:
        ids[row.code] = (*ids.get(row.code, ()), row.id)
    chart: dict[str, ChartEntry] = {}
    for row in sorted(rows, key=lambda row: (row.company_id != first, row.company_id)):
        if row.code not in chart:
            parent = codes.get(row.parent_id) if row.parent_id is not None else None
            chart[row.code] = ChartEntry(
                row.code, row.name_zh, row.name_en, AccountType(row.type), parent, ids[row.code]
            )
    return chart


def movements(
    uow: UnitOfWork,
    actor: Principal,
    where: Reach,
    *,
    currency: str,
    date_from: date,
    date_to: date,
    skip_kind: str | None = None,
    accounts: Collection[int] | None = None,
) -> dict[str, Movement]:
    """Per account code (of the ledger accounts ``accounts`` only, if given: by id, so that the
    planner knows how many lines each has and the lines' (company, account, date) index serves;
    by code through a join it took a nearly empty account, the allowance 1304, for the average
    one and read every line): balance before ``date_from``, debits
    and credits up to ``date_to``. The balance before ``date_from`` starts from the balances kept
    at the end of the latest closed month before it (``period_balances``), whose lines are not
    read again. With ``skip_kind`` (the income statement's: the year-end closing voucher) the
    lines of that kind of voucher are left out, and so is the balance before ``date_from``
    (0: no line before it is read; kept balances hold every kind)."""
    kept = {} if skip_kind is not None else latest_kept(uow, where.company_ids, date_from)
    before = VoucherLine.business_date < date_from
    debit = and_(~before, VoucherLine.side == Side.DEBIT.value)
    credit = and_(~before, VoucherLine.side == Side.CREDIT.value)
    stmt = (
        select(
            LedgerAccount.code,
            func.sum(case((before, SIGNED), else_=0)),
            func.sum(case((debit, VoucherLine.amount_minor), else_=0)),
            func.sum(case((credit, VoucherLine.amount_minor), else_=0)),
        )
        .join(LedgerAccount, LedgerAccount.id == VoucherLine.account_id)
        .where(
            VoucherLine.company_id.in_(where.company_ids),
            VoucherLine.currency == currency,
            VoucherLine.business_date <= date_to,
            after_kept(kept, where.company_ids),
            scope_condition(actor, VoucherLine),
        )
        .group_by(LedgerAccount.code)
    )
    if where.office_ids is not None:
        stmt = stmt.where(VoucherLine.office_id.in_(where.office_ids))
    if accounts is not None:
        stmt = stmt.where(VoucherLine.account_id.in_(accounts))
    if skip_kind is not None:
        stmt = stmt.join(Voucher, Voucher.id == VoucherLine.voucher_id).where(
            Voucher.kind != skip_kind, ~before
        )
    moved = {
        code: Movement(int(opening or 0), int(debits or 0), int(credits or 0))
        for code, opening, debits, credits in uow.session.execute(stmt)
    }
    openings = kept_openings(
        uow, actor, kept, currency=currency, office_ids=where.office_ids, accounts=accounts
    )
    for code, balance in openings.items():
        moved[code] = moved.get(code, Movement()) + Movement(opening=balance)
    return moved


def _check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ValidationFailed("date_from is after date_to", field="date_from")


def trial_balance(
    uow: UnitOfWork,
    actor: Principal,
    *,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    company_id: int | None = None,
    office_id: int | None = None,
    consolidated: bool = False,
    codes: Collection[str] | None = None,
) -> TrialBalance:
    """科目余额表 for ``date_from``..``date_to``: opening, debits, credits, closing per account;
    with ``codes``, of those accounts and their sub-accounts only (their lines alone are read;
    an account above them shows their part only)."""
    _check_range(date_from, date_to)
    where = reach(uow, actor, company_id=company_id, office_id=office_id, consolidated=consolidated)
    chart = chart_entries(uow, where, company_id or actor.company_id)
    moved = movements(
        uow,
        actor,
        where,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        accounts=None if codes is None else _subtree_ids(codes, chart),
    )
    totals = rolled_up(moved, chart)
    rows = []
    for code in sorted(totals):
        entry = chart[code]
        level = len(_path(code, chart)) - 1
        rows.append(tb_row(entry, level, totals[code], currency))
    return TrialBalance(
        company_ids=where.company_ids,
        office_ids=where.office_ids,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        rows=tuple(rows),
        totals=total_row(rows, currency),
    )


def _path(code: str, chart: dict[str, ChartEntry]) -> list[str]:
    path, current = [code], chart[code].parent_code
    while current is not None:
        path.append(current)
        current = chart[current].parent_code
    return path


def _statement_lines(
    totals: dict[str, Movement],
    chart: dict[str, ChartEntry],
    kind: AccountType,
    sign: int,
    currency: str,
) -> tuple[StatementLine, ...]:
    lines = []
    for code in sorted(totals):
        entry = chart[code]
        if entry.type is kind and entry.parent_code is None and totals[code].closing:
            amount = decimal(sign * totals[code].closing, currency)
            lines.append(StatementLine(code, entry.name_zh, entry.name_en, amount))
    return tuple(lines)


def balance_sheet(
    uow: UnitOfWork,
    actor: Principal,
    *,
    as_of: date,
    currency: str = "CNY",
    company_id: int | None = None,
    office_id: int | None = None,
    consolidated: bool = False,
) -> BalanceSheet:
    """资产负债表 at ``as_of``; the year's profit not yet closed shows under equity."""
    if as_of == date.max:
        raise ValidationFailed("a date before 9999-12-31", field="as_of")
    where = reach(uow, actor, company_id=company_id, office_id=office_id, consolidated=consolidated)
    chart = chart_entries(uow, where, company_id or actor.company_id)
    moved = movements(
        uow, actor, where, currency=currency, date_from=as_of + timedelta(days=1), date_to=as_of
    )
    totals = rolled_up(moved, chart)
    assets = _statement_lines(totals, chart, AccountType.ASSET, 1, currency)
    liabilities = _statement_lines(totals, chart, AccountType.LIABILITY, -1, currency)
    equity = _statement_lines(totals, chart, AccountType.EQUITY, -1, currency)
    profit_units = -sum(
        totals[code].closing
        for code, entry in chart.items()
        if code in totals
        and entry.parent_code is None
        and entry.type in (AccountType.INCOME, AccountType.EXPENSE)
    )
    profit = decimal(profit_units, currency)
    zero = decimal(0, currency)
    return BalanceSheet(
        as_of=as_of,
        currency=currency,
        assets=assets,
        liabilities=liabilities,
        equity=equity,
        total_assets=sum((line.amount for line in assets), zero),
        total_liabilities=sum((line.amount for line in liabilities), zero),
        total_equity=sum((line.amount for line in equity), zero) + profit,
        unclosed_profit=profit,
    )


def income_statement(
    uow: UnitOfWork,
    actor: Principal,
    *,
    date_from: date,
    date_to: date,
    currency: str = "CNY",
    company_id: int | None = None,
    office_id: int | None = None,
    consolidated: bool = False,
) -> IncomeStatement:
    """利润表 for the range; the year-end closing voucher is left out (it moves, not earns)."""
    _check_range(date_from, date_to)
    where = reach(uow, actor, company_id=company_id, office_id=office_id, consolidated=consolidated)
    chart = chart_entries(uow, where, company_id or actor.company_id)
    moved = movements(
        uow,
        actor,
        where,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        skip_kind=YEAR_END_CLOSE,
    )
    totals = rolled_up(moved, chart)
    income = _statement_lines(totals, chart, AccountType.INCOME, -1, currency)
    expenses = _statement_lines(totals, chart, AccountType.EXPENSE, 1, currency)
    zero = decimal(0, currency)
    total_income = sum((line.amount for line in income), zero)
    total_expenses = sum((line.amount for line in expenses), zero)
    return IncomeStatement(
        date_from=date_from,
        date_to=date_to,
        currency=currency,
        income=income,
        expenses=expenses,
        total_income=total_income,
        total_expenses=total_expenses,
        net_profit=total_income - total_expenses,
    )


def account_balance(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    as_of: date,
    currency: str = "CNY",
    company_id: int | None = None,
) -> Decimal:
    """An account's debit-positive balance (with its sub-accounts) at the end of ``as_of``. Only
    the lines of those accounts are read (the lines' index leads with company and account):
    close of business asks for the provision account's every night, and summing the whole
    journal for it grew with every voucher ever posted."""
    where = reach(uow, actor, company_id=company_id)
    chart = chart_entries(uow, where, company_id or actor.company_id)
    subtree = _subtree_ids([code], chart)
    if not subtree:
        return decimal(0, currency)
    after = as_of + timedelta(days=1)  # every line up to ``as_of`` is before it
    moved = movements(
        uow, actor, where, currency=currency, date_from=after, date_to=as_of, accounts=subtree
    )
    return decimal(rolled_up(moved, chart).get(code, Movement()).closing, currency)


def _subtree_ids(codes: Collection[str], chart: dict[str, ChartEntry]) -> list[int]:
    """The ledger accounts (ids) of the chart that are one of ``codes`` or below one."""
    wanted = set(codes)
    return [
        account
        for code, entry in chart.items()
        if wanted.intersection(ancestors(code, chart))
        for account in entry.ids
    ]

"""Balances kept at the end of closed months (期末余额), so that a balance is not a sum of the
whole journal.

A month's close writes, for every account, office and currency that ever had a line, the
debit-positive balance at the month's last day (``keep``): the latest kept month's balances and
the lines after that month up to this one's end (``balances_at``, which the year-end close reads
too). A reopen removes them (``drop``). No line can be dated in a closed month or before one
(``journal.refuse_closed``), so a kept balance never changes while it exists, and a report's
opening balance at a date is the latest kept month before that date plus the lines after the
month (``latest_kept``, ``after_kept``, ``kept_openings``): with months closed as they end, at
most the open months' lines are read, however long the company's history. A month closed
without balances (before migration 0029) is simply not used: reports read the lines back to the
latest month that has them, or to the first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from microlend.accounting.model import Side, period_end, period_of
from microlend.accounting.tables import LedgerAccount, LedgerPeriodBalance, VoucherLine
from microlend.db.base import IdType
from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal

Kept = dict[int, str]  # company id -> the latest month with kept balances before a date


SIGNED: Any = case(  # a voucher line's amount, debit-positive
    (VoucherLine.side == Side.DEBIT.value, VoucherLine.amount_minor),
    else_=-VoucherLine.amount_minor,
)


def balances_at(uow: UnitOfWork, company_id: int, through: date) -> Subquery:
    """Per office, account and currency, the debit-positive balance at the end of ``through``:
    the latest month before ``through``'s with kept balances, plus the lines after that month
    up to ``through`` (every line up to it if no month has any)."""
    base = _latest(uow, company_id, period_of(through))
    lines = select(
        VoucherLine.office_id,
        VoucherLine.account_id,
        VoucherLine.currency,
        SIGNED.label("balance"),
    ).where(VoucherLine.company_id == company_id, VoucherLine.business_date <= through)
    if base is not None:
        lines = lines.where(VoucherLine.business_date > period_end(base))
    carried = select(
        LedgerPeriodBalance.office_id,
        LedgerPeriodBalance.account_id,
        LedgerPeriodBalance.currency,
        LedgerPeriodBalance.balance_minor.label("balance"),
    ).where(LedgerPeriodBalance.company_id == company_id, LedgerPeriodBalance.period == base)
    both = union_all(lines, carried).subquery()
    key = (both.c.office_id, both.c.account_id, both.c.currency)
    return select(*key, func.sum(both.c.balance).label("balance")).group_by(*key).subquery()


def keep(uow: UnitOfWork, company_id: int, period: str) -> None:
    """Write the balances at the end of ``period``, which this transaction has just closed."""
    found = balances_at(uow, company_id, period_end(period))
    rows = select(
        literal(company_id, IdType),
        literal(period),
        found.c.office_id,
        found.c.account_id,
        found.c.currency,
        found.c.balance,
    )
    columns = ["company_id", "period", "office_id", "account_id", "currency", "balance_minor"]
    uow.session.execute(insert(LedgerPeriodBalance).from_select(columns, rows))


def drop(uow: UnitOfWork, company_id: int, period: str) -> None:
    """Remove the balances of ``period`` (reopened; the months after it are open already)."""
    uow.session.execute(
        delete(LedgerPeriodBalance).where(
            LedgerPeriodBalance.company_id == company_id, LedgerPeriodBalance.period >= period
        )
    )


_LATEST = select(func.max(LedgerPeriodBalance.period)).where(
    LedgerPeriodBalance.company_id == bindparam("company_id"),
    LedgerPeriodBalance.period < bindparam("before"),
)


def _latest(uow: UnitOfWork, company_id: int, before: str) -> str | None:
    """The latest month before ``before`` with kept balances (an index probe per company)."""
    return uow.session.scalar(_LATEST, {"company_id": company_id, "before": before})


def latest_kept(uow: UnitOfWork, company_ids: Collection[int], day: date) -> Kept:
    """Per company, the latest month ending before ``day`` with kept balances (if any)."""
    found = {company: _latest(uow, company, period_of(day)) for company in company_ids}
    return {company: period for company, period in found.items() if period is not None}


def after_kept(kept: Kept, company_ids: Collection[int]) -> ColumnElement[bool]:
    """The voucher lines the kept balances do not hold: each company's after its kept month."""
    return or_(
        false(),
        *(
            and_(VoucherLine.company_id == company, VoucherLine.business_date > period_end(period))
            for company, period in kept.items()
        ),
        VoucherLine.company_id.in_([company for company in company_ids if company not in kept]),
    )


def kept_openings(
    uow: UnitOfWork,
    actor: Principal,
    kept: Kept,
    *,
    currency: str,
    office_ids: Collection[int] | None,
    accounts: Collection[int] | None,
) -> dict[str, int]:
    """Per account code, the kept balances of ``kept``'s months (of ``accounts`` only, if given),
    in the actor's data scope."""
    if not kept:
        return {}
    months = [
        and_(LedgerPeriodBalance.company_id == company, LedgerPeriodBalance.period == period)
        for company, period in kept.items()
    ]
    stmt: Any = (
        select(LedgerAccount.code, func.sum(LedgerPeriodBalance.balance_minor))
        .join(LedgerAccount, LedgerAccount.id == LedgerPeriodBalance.account_id)
        .where(
            or_(*months),
            LedgerPeriodBalance.currency == currency,
            scope_condition(actor, LedgerPeriodBalance),
        )
        .group_by(LedgerAccount.code)
    )
    if office_ids is not None:
        stmt = stmt.where(LedgerPeriodBalance.office_id.in_(office_ids))
    if accounts is not None:
        stmt = stmt.where(LedgerPeriodBalance.account_id.in_(accounts))
    return {code: int(total) for code, total in uow.session.execute(stmt) if total}

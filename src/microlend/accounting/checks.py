"""``ledger check``: the invariants of the journal, verified from the stored rows.

Every voucher has at least two lines and balances per currency; each company's voucher numbers
of a period run 1..n without a gap, and n is the period's counter; the balances kept at the end
of a closed month (``period_balances``) are the sums of the lines up to its last day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, cast, func, select, true

from microlend.accounting.period_balances import SIGNED
from microlend.accounting.tables import LedgerPeriod, LedgerPeriodBalance, Voucher, VoucherLine
from microlend.accounting.views import CheckProblem
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require


def check_ledger(uow: UnitOfWork, actor: Principal) -> list[CheckProblem]:
    """Every broken invariant in the books of the actor's visible companies (empty: all good)."""
    require(actor, "accounting.view")
    companies = sorted(actor.company_ids)
    return (
        _unbalanced(uow, companies)
        + _short(uow, companies)
        + _gaps(uow, companies)
        + _kept_balances(uow, companies)
    )


def unbalanced_vouchers(
    uow: UnitOfWork, *, company_id: int, business_date: date
) -> list[CheckProblem]:
    """The company's vouchers of one business date that do not balance per currency (a system
    query, no actor: close of business reconciles with it)."""
    return _unbalanced(uow, [company_id], business_date)


def _unbalanced(
    uow: UnitOfWork, companies: list[int], business_date: date | None = None
) -> list[CheckProblem]:
    rows = uow.session.execute(
        select(
            Voucher.company_id, Voucher.id, Voucher.number, VoucherLine.currency, func.sum(SIGNED)
        )
        .join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
        .where(Voucher.company_id.in_(companies))
        .where(true() if business_date is None else Voucher.business_date == business_date)
        .group_by(Voucher.company_id, Voucher.id, Voucher.number, VoucherLine.currency)
        .having(func.sum(SIGNED) != 0)
        .order_by(Voucher.id)
    ).all()
    return [
        CheckProblem(
            company, voucher_id, number, "unbalanced", f"{currency} off by {net} minor units"
        )
        for company, voucher_id, number, currency, net in rows
    ]


def _short(uow: UnitOfWork, companies: list[int]) -> list[CheckProblem]:
    count = func.count(VoucherLine.id)
    rows = uow.session.execute(
        select(Voucher.company_id, Voucher.id, Voucher.number, count)
        .outerjoin(VoucherLine, VoucherLine.voucher_id == Voucher.id)
        .where(Voucher.company_id.in_(companies))
        .group_by(Voucher.company_id, Voucher.id, Voucher.number)
        .having(count < 2)
        .order_by(Voucher.id)
    ).all()
    return [
        CheckProblem(company, voucher_id, number, "too_short", f"{lines} line(s)")
        for company, voucher_id, number, lines in rows
    ]


def _gaps(uow: UnitOfWork, companies: list[int]) -> list[CheckProblem]:
    problems: list[CheckProblem] = []
    periods = uow.session.scalars(
        select(LedgerPeriod).where(LedgerPeriod.company_id.in_(companies))
    ).all()
    for period in periods:
        numbers = uow.session.scalars(
            select(Voucher.number).where(
                Voucher.company_id == period.company_id, Voucher.period == period.period
            )
        ).all()
        sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
        expected = list(range(1, period.last_number + 1))
        if sequence != expected:
            missing = sorted(set(expected) - set(sequence))[:10]
            message = (
                f"{period.period}: {len(sequence)} voucher(s), counter at {period.last_number}"
                f", missing {missing}"
            )
            problems.append(CheckProblem(period.company_id, None, None, "gap", message))
    return problems


def _kept_balances(uow: UnitOfWork, companies: list[int]) -> list[CheckProblem]:
    """Each kept month's balances against the lines up to its end (one pass over the lines: their
    sums per month, added up in order)."""
    Key = tuple[int, int, int, str]  # company, office, account, currency
    kept: dict[tuple[str, int], dict[Key, int]] = {}  # (month, company) -> balances
    for row in uow.session.scalars(
        select(LedgerPeriodBalance).where(LedgerPeriodBalance.company_id.in_(companies))
    ):
        key = (row.company_id, row.office_id, row.account_id, row.currency)
        kept.setdefault((row.period, row.company_id), {})[key] = row.balance_minor
    if not kept:
        return []
    month = func.substr(cast(VoucherLine.business_date, String), 1, 7)
    key_columns = (VoucherLine.company_id, VoucherLine.office_id, VoucherLine.account_id)
    moved = uow.session.execute(
        select(month, *key_columns, VoucherLine.currency, func.sum(SIGNED))
        .where(VoucherLine.company_id.in_(companies))
        .group_by(month, *key_columns, VoucherLine.currency)
        .order_by(month)
    ).all()
    problems: list[CheckProblem] = []
    running: dict[Key, int] = {}
    added = 0
    for period, company in sorted(kept):
        for line_month, line_company, office, account, currency, amount in moved[added:]:
            if line_month > period:
                break
            line: Key = (line_company, office, account, currency)
            running[line] = running.get(line, 0) + int(amount)
            added += 1
        balances = kept[(period, company)]
        keys = {line for line in running if line[0] == company} | balances.keys()
        wrong = [line for line in keys if running.get(line, 0) != balances.get(line, 0)]
        if wrong:
            message = f"{period}: {len(wrong)} kept balance(s) differ from the lines"
            problems.append(CheckProblem(company, None, None, "kept_balance", message))
    return problems

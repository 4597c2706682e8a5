"""``ledger check``: the invariants of the journal, verified from the stored rows.

Every voucher has at least two lines and balances per currency; each company's voucher numbers
of a period run 1..n without a gap, and n is the period's counter.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, true

from microlend.accounting.model import Side
from microlend.accounting.tables import LedgerPeriod, Voucher, VoucherLine
from microlend.accounting.views import CheckProblem
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require


def check_ledger(uow: UnitOfWork, actor: Principal) -> list[CheckProblem]:
    """Every broken invariant in the books of the actor's visible companies (empty: all good)."""
    require(actor, "accounting.view")
    companies = sorted(actor.company_ids)
    return _unbalanced(uow, companies) + _short(uow, companies) + _gaps(uow, companies)


def unbalanced_vouchers(
    uow: UnitOfWork, *, company_id: int, business_date: date
) -> list[CheckProblem]:
    """The company's vouchers of one business date that do not balance per currency (a system
    query, no actor: close of business reconciles with it)."""
    return _unbalanced(uow, [company_id], business_date)


def _unbalanced(
    uow: UnitOfWork, companies: list[int], business_date: date | None = None
) -> list[CheckProblem]:
    signed = case(
        (VoucherLine.side == Side.DEBIT.value, VoucherLine.amount_minor),
        else_=-VoucherLine.amount_minor,
    )
    rows = uow.session.execute(
        select(
            Voucher.company_id, Voucher.id, Voucher.number, VoucherLine.currency, func.sum(signed)
        )
        .join(VoucherLine, VoucherLine.voucher_id == Voucher.id)
        .where(Voucher.company_id.in_(companies))
        .where(true() if business_date is None else Voucher.business_date == business_date)
        .group_by(Voucher.company_id, Voucher.id, Voucher.number, VoucherLine.currency)
        .having(func.sum(signed) != 0)
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

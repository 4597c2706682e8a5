"""Periods: month close (月结) in order, reopening (its own permission, audited), and the
year-end closing of income and expense into 4103 本年利润 and on to 4104 利润分配."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from microlend.accounting import books, journal, period_balances
from microlend.accounting.journal import CLOSED, OPEN
from microlend.accounting.model import (
    YEAR_END_CLOSE,
    AccountType,
    LineDraft,
    Side,
    checked_period,
    period_end,
)
from microlend.accounting.tables import LedgerAccount, LedgerPeriod
from microlend.accounting.views import PeriodView, VoucherView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Company

CLOSE, REOPEN, CLOSE_YEAR = (
    "accounting.period.close",
    "accounting.period.reopen",
    "accounting.year.close",
)
PROFIT, RETAINED = "4103", "4104"


def _view(uow: UnitOfWork, row: LedgerPeriod) -> PeriodView:
    return PeriodView(
        company_id=row.company_id,
        period=row.period,
        status=row.status,
        voucher_count=row.last_number,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
    )


def list_periods(
    uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
) -> list[PeriodView]:
    require(actor, "accounting.view")
    company = company_id or actor.company_id
    if not actor.sees_company(company):
        return []
    rows = uow.session.scalars(
        select(LedgerPeriod).where(LedgerPeriod.company_id == company).order_by(LedgerPeriod.period)
    ).all()
    return [_view(uow, row) for row in rows]


@command(CLOSE, entity_type="ledger_period", summary=lambda p: f"close period {p['period']}")
def _close(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    period = checked_period(str(payload["period"]))
    journal.guard_months(uow, actor.company_id, closing=True)
    row = journal.locked_period(uow, actor.company_id, period)
    if row.status == CLOSED:
        raise RuleViolation(
            "period %(period)s is already closed", code="period_closed", params={"period": period}
        )
    earlier = uow.session.scalar(
        select(LedgerPeriod.period).where(
            LedgerPeriod.company_id == actor.company_id,
            LedgerPeriod.status == OPEN,
            LedgerPeriod.period < period,
            LedgerPeriod.last_number > 0,
        )
    )
    if earlier is not None:
        raise RuleViolation(
            "close %(earlier)s first", code="earlier_period_open", params={"earlier": earlier}
        )
    _require_days_closed(uow, actor.company_id, period)
    row.status, row.closed_at, row.closed_by = CLOSED, now, actor.username
    uow.session.flush()
    period_balances.keep(uow, actor.company_id, period)
    return Done(
        entity_id=row.id, value=_view(uow, row), change={"period": period, "status": CLOSED}
    )


def _require_days_closed(uow: UnitOfWork, company_id: int, period: str) -> None:
    """A month closes only after close of business closed its last day (the business date is
    past it): its accruals, penalty and provisions are vouchers dated in it, and a close of
    business on a day of a closed month could post none of them."""
    last_day = period_end(period)
    today = uow.session.scalar(select(Company.business_date).where(Company.id == company_id))
    if today is not None and today <= last_day:
        raise RuleViolation(
            "close of business has not closed %(last_day)s yet (business date %(today)s)",
            code="period_days_open",
            extra={"period": period, "business_date": today.isoformat()},
            params={"last_day": last_day, "today": today},
        )


def close_period(
    uow: UnitOfWork, actor: Principal, *, period: str, now: datetime
) -> PeriodView | Pending:
    """Close month ``period`` (YYYY-MM) of the actor's company, once close of business closed its
    last day: no posting into it any more."""
    outcome = run_command(uow, actor, CLOSE, {"period": period}, now=now)
    return value_or_pending(outcome, PeriodView)


@command(REOPEN, entity_type="ledger_period", summary=lambda p: f"reopen period {p['period']}")
def _reopen(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    period = checked_period(str(payload["period"]))
    journal.guard_months(uow, actor.company_id, closing=True)
    row = journal.locked_period(uow, actor.company_id, period)
    if row.status != CLOSED:
        raise RuleViolation(
            "period %(period)s is not closed", code="period_open", params={"period": period}
        )
    later = uow.session.scalar(
        select(LedgerPeriod.period).where(
            LedgerPeriod.company_id == actor.company_id,
            LedgerPeriod.status == CLOSED,
            LedgerPeriod.period > period,
        )
    )
    if later is not None:
        raise RuleViolation(
            "reopen %(later)s first", code="later_period_closed", params={"later": later}
        )
    row.status, row.closed_at, row.closed_by = OPEN, None, None
    uow.session.flush()
    period_balances.drop(uow, actor.company_id, period)
    change = {"period": period, "status": OPEN, "reason": payload.get("reason", "")}
    return Done(entity_id=row.id, value=_view(uow, row), change=change)


def reopen_period(
    uow: UnitOfWork, actor: Principal, *, period: str, reason: str, now: datetime
) -> PeriodView | Pending:
    """Reopen a closed month (permission ``accounting.period.reopen``; audited with the reason)."""
    outcome = run_command(uow, actor, REOPEN, {"period": period, "reason": reason}, now=now)
    return value_or_pending(outcome, PeriodView)


def _profit_and_loss(
    uow: UnitOfWork, company_id: int, through: date
) -> list[tuple[int, str, str, int]]:
    """(office, currency, account code, debit-positive balance) of income and expense accounts
    at the end of ``through`` (``period_balances.balances_at``)."""
    found = period_balances.balances_at(uow, company_id, through)
    rows = uow.session.execute(
        select(found.c.office_id, found.c.currency, LedgerAccount.code, found.c.balance)
        .join(LedgerAccount, LedgerAccount.id == found.c.account_id)
        .where(LedgerAccount.type.in_([AccountType.INCOME.value, AccountType.EXPENSE.value]))
        .order_by(found.c.office_id, found.c.currency, LedgerAccount.code)
    ).all()
    return [(office, currency, code, int(total)) for office, currency, code, total in rows if total]


def closing_lines(balances: list[tuple[int, str, str, int]]) -> list[LineDraft]:
    """Zero each income and expense balance against 4103, then carry 4103's net to 4104."""
    lines: list[LineDraft] = []
    profit: dict[tuple[int, str], int] = {}
    for office, currency, code, balance in balances:
        side = Side.CREDIT if balance > 0 else Side.DEBIT
        amount = abs(balance)
        lines.append(LineDraft(code, side, amount, currency, office))
        lines.append(LineDraft(PROFIT, side.opposite, amount, currency, office))
        profit[(office, currency)] = profit.get((office, currency), 0) - balance
    for (office, currency), amount in sorted(profit.items()):
        if amount == 0:
            continue
        gain = amount > 0
        lines.append(
            LineDraft(PROFIT, Side.DEBIT if gain else Side.CREDIT, abs(amount), currency, office)
        )
        lines.append(
            LineDraft(RETAINED, Side.CREDIT if gain else Side.DEBIT, abs(amount), currency, office)
        )
    return lines


@command(
    CLOSE_YEAR, permission=CLOSE, entity_type="voucher", summary=lambda p: f"close year {p['year']}"
)
def _close_year(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    year, company = int(payload["year"]), actor.company_id
    year_end = date(year, 12, 31)
    key = f"year_end:{year}"
    existing = journal.find_by_key(uow, company, key)
    if existing is not None:
        view = journal.load_view(uow, existing)
        return Done(entity_id=view.id, value=view, change={"number": view.number})
    books.seed_books(uow, company_id=company, now=now)
    lines = closing_lines(_profit_and_loss(uow, company, year_end))
    if not lines:
        raise RuleViolation(
            "nothing to close in %(year)s", code="nothing_to_close", params={"year": year}
        )
    draft = journal.VoucherDraft(
        company_id=company,
        office_id=actor.office_id,
        business_date=year_end,
        kind=YEAR_END_CLOSE,
        summary=f"{year} 年末结转损益",
        lines=lines,
        idempotency_key=key,
    )
    view = journal.record_voucher(
        uow, draft, created_by=actor.username, created_by_id=actor.user_id, now=now
    )
    return Done(entity_id=view.id, value=view, change={"number": view.number})


def close_year(
    uow: UnitOfWork, actor: Principal, *, year: int, now: datetime
) -> VoucherView | Pending:
    """Post the year-end closing voucher (dated 31 December; December must still be open):
    every income and expense account to zero into 4103, and 4103's net into 4104."""
    if not 1900 <= year <= 9998:
        raise ValidationFailed("a year like 2025", field="year")
    outcome = run_command(uow, actor, CLOSE_YEAR, {"year": year}, now=now)
    return value_or_pending(outcome, VoucherView)


def year_closed(uow: UnitOfWork, company_id: int, year: int) -> bool:
    return journal.find_by_key(uow, company_id, f"year_end:{year}") is not None

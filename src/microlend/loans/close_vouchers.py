"""The vouchers of the loans' close of business for a company and date (a company step after the
partitioned ones): the ``loan_accruals`` rows of the day, posted per loan or summarised per office,
product and currency (``accounting.settings.accrual_vouchers``):

* ``interest_accrual``: ``interest`` Dr 1132 / Cr 6011, ``interest_back`` the reverse (the booked
  interest of a loan turned non-accrual), ``interest_off_balance`` (memo 7001/7002);
* ``overdue_transfer``: ``principal`` Dr 130302 / Cr 130301, ``principal_back`` the reverse;
* ``penalty_accrual``: ``penalty`` Dr 122102 / Cr 6051.

Keys are deterministic (``{type}:{company}:{office}:{product}:{currency}:{date}`` or
``{type}:loan:{loan}:{date}``), so a re-run replays the same vouchers and posts nothing twice. The
accrual step marks every row it writes ``close:{date}`` (posted by the company's run of that
date); a loan closed inline posts its own rows and marks them ``close:loan:{loan}:{date}``, which
the company's run leaves out. The company's run rewrites no row: at a million loans that update
alone would cost seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select, update

from microlend.accounting import books
from microlend.accounting import service as ledger
from microlend.accounting.settings import AccrualVouchers, accrual_vouchers
from microlend.accounting.tables import PostingRule
from microlend.auth.service import system_principal
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.loans.ledger_roles import summary_word
from microlend.loans.records import money
from microlend.loans.tables_close import LoanAccrual

EXTRA_RULES = (
    ("overdue_transfer", "principal_back", "130301", "130302"),
    ("interest_accrual", "interest_back", "6011", "1132"),
)
PERMISSIONS = frozenset({"accounting.view"})
A = LoanAccrual


def eod_principal(uow: UnitOfWork, company_id: int) -> Principal:
    return system_principal(uow, company_id=company_id, permissions=PERMISSIONS, name="system@eod")


def ensure_close_rules(uow: UnitOfWork, company_id: int, now: datetime) -> None:
    """The company's books, and the rules close of business needs beyond the defaults."""
    books.seed_books(uow, company_id=company_id, now=now)
    have = set(
        uow.session.execute(
            select(PostingRule.event_type, PostingRule.role).where(
                PostingRule.company_id == company_id, PostingRule.product_code == ""
            )
        ).all()
    )
    chart = books.chart(uow, company_id)
    added = False
    for event_type, role, debit, credit in EXTRA_RULES:
        if (event_type, role) not in have:
            uow.session.add(
                PostingRule(
                    company_id=company_id,
                    event_type=event_type,
                    product_code="",
                    role=role,
                    debit_account_id=chart.postable(debit).id,
                    credit_account_id=chart.postable(credit).id,
                )
            )
            added = True
    if added:
        uow.session.flush()
        books.forget_chart(uow, company_id)
        uow.session.info.pop(books.RULES_KEY, None)


def _amounts(sums: Sequence[int], cur: str) -> dict[str, Any]:
    interest, interest_back, off, penalty, to, back = sums
    return {
        "interest_accrual": {
            "interest": money(interest, cur),
            "interest_back": money(interest_back, cur),
            "interest_off_balance": money(off, cur),
        },
        "overdue_transfer": {"principal": money(to, cur), "principal_back": money(back, cur)},
        "penalty_accrual": {"penalty": money(penalty, cur)},
    }


def _sums() -> Sequence[Any]:
    moved, interest = A.overdue_principal_minor, A.interest_minor
    return (
        func.sum(case((interest > 0, interest), else_=0)),
        func.sum(case((interest < 0, -interest), else_=0)),
        func.sum(A.off_balance_minor),
        func.sum(A.penalty_minor),
        func.sum(case((moved > 0, moved), else_=0)),
        func.sum(case((moved < 0, -moved), else_=0)),
    )


def company_mark(day: date) -> str:
    """The ``voucher_key`` of the rows the company's close of business of ``day`` posts (the
    accrual step writes it on every row)."""
    return f"close:{day.isoformat()}"


def loan_mark(loan_id: int, day: date) -> str:
    """The ``voucher_key`` of a loan's rows posted alone (the inline close of one loan)."""
    return f"close:loan:{loan_id}:{day.isoformat()}"


def post_day(
    uow: UnitOfWork, company_id: int, day: date, *, now: datetime, loan_id: int | None = None
) -> Counts:
    """Post the day's ``loan_accruals`` rows that the company's close of business carries.

    Without ``loan_id``: every row marked ``close:{day}`` (``company_mark``), per loan or in
    summary as the company books accruals. The vouchers' keys are deterministic, so posting
    again replays them (nothing is posted twice); the rows are not rewritten.

    ``loan_id``: only that loan's rows, with per-loan keys whatever the company's setting (the
    inline close of one loan before a command); they are marked ``close:loan:{loan}:{day}``, so
    the company's run leaves them out. ``now`` stamps the vouchers; their amounts and dates are
    the business date's."""
    pending = [
        A.company_id == company_id,
        A.business_date == day,
        or_(A.voucher_key.is_(None), A.voucher_key == company_mark(day)),
    ]
    if loan_id is not None:
        pending.append(A.loan_id == loan_id)
    per_loan = loan_id is not None
    if not per_loan:
        per_loan = accrual_vouchers(uow, company_id) is AccrualVouchers.PER_LOAN
    group = (
        (A.loan_id, A.office_id, A.product_code, A.currency)
        if per_loan
        else (A.office_id, A.product_code, A.currency)
    )
    rows = uow.session.execute(select(*group, *_sums()).where(*pending).group_by(*group)).all()
    if not rows:
        return {}
    events = [event for row in rows for event in _events(company_id, day, row, per_loan)]
    if events:
        ensure_close_rules(uow, company_id, now)
        ledger.post_many(uow, eod_principal(uow, company_id), events=events, now=now)
    if loan_id is not None:
        uow.session.execute(
            update(A).where(*pending).values(voucher_key=loan_mark(loan_id, day)),
            execution_options={"synchronize_session": False},
        )
    return {"vouchers": len(events)}


def _events(company_id: int, day: date, row: Any, per_loan: bool) -> list[ledger.LedgerEvent]:
    """The vouchers of one group of rows (one loan, or one office, product and currency)."""
    loan = row[0] if per_loan else None
    office, product, currency = row[-9:-6]
    sums = [int(v or 0) for v in row[-6:]]
    where = f"loan:{loan}" if per_loan else f"{company_id}:{office}:{product}:{currency}"
    events = []
    for event_type, roles in _amounts(sums, currency).items():
        kept = {role: amount for role, amount in roles.items() if amount > 0}
        if kept:
            events.append(
                ledger.LedgerEvent(
                    type=event_type,
                    company_id=company_id,
                    office_id=office,
                    business_date=day,
                    amounts=kept,
                    idempotency_key=f"{event_type}:{where}:{day.isoformat()}",
                    currency=currency,
                    summary=f"日终 {summary_word(event_type)} {day.isoformat()}",
                    dims=ledger.Dims(product_code=product, loan_id=loan),
                )
            )
    return events

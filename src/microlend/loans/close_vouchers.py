"""The vouchers of the loans' close of business for a company and date (a company step after the
partitioned ones): the ``loan_accruals`` rows of the day that no voucher carries yet, posted per
loan or summarised per office, product and currency (``accounting.settings.accrual_vouchers``):

* ``interest_accrual``: ``interest`` Dr 1132 / Cr 6011, ``interest_off_balance`` (memo 7001/7002);
* ``overdue_transfer``: ``principal`` Dr 130302 / Cr 130301, ``principal_back`` the reverse;
* ``penalty_accrual``: ``penalty`` Dr 122102 / Cr 6051.

Keys are deterministic (``{type}:{company}:{office}:{product}:{currency}:{date}`` or
``{type}:loan:{loan}:{date}``) and the rows are marked with them, so a re-run posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, select, update

from microlend.accounting import books
from microlend.accounting import service as ledger
from microlend.accounting.settings import AccrualVouchers, accrual_vouchers
from microlend.accounting.tables import PostingRule
from microlend.auth.service import system_principal
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.loans.records import money
from microlend.loans.tables_close import LoanAccrual

EXTRA_RULES = (("overdue_transfer", "principal_back", "130301", "130302"),)
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


def _amounts(interest: int, off: int, penalty: int, to: int, back: int, cur: str) -> dict[str, Any]:
    return {
        "interest_accrual": {
            "interest": money(interest, cur),
            "interest_off_balance": money(off, cur),
        },
        "overdue_transfer": {"principal": money(to, cur), "principal_back": money(back, cur)},
        "penalty_accrual": {"penalty": money(penalty, cur)},
    }


def _sums() -> Sequence[Any]:
    moved = A.overdue_principal_minor
    return (
        func.sum(A.interest_minor),
        func.sum(A.off_balance_minor),
        func.sum(A.penalty_minor),
        func.sum(case((moved > 0, moved), else_=0)),
        func.sum(case((moved < 0, -moved), else_=0)),
    )


def post_day(uow: UnitOfWork, company_id: int, day: date) -> Counts:
    now = datetime.now(UTC)  # stamps only; amounts and dates are the business date's
    pending = (A.company_id == company_id, A.business_date == day, A.voucher_key.is_(None))
    if uow.session.execute(select(A.id).where(*pending).limit(1)).first() is None:
        return {}
    ensure_close_rules(uow, company_id, now)
    actor = eod_principal(uow, company_id)
    per_loan = accrual_vouchers(uow, company_id) is AccrualVouchers.PER_LOAN
    group = (
        (A.loan_id, A.office_id, A.product_code, A.currency)
        if per_loan
        else (A.office_id, A.product_code, A.currency)
    )
    rows = uow.session.execute(select(*group, *_sums()).where(*pending).group_by(*group)).all()
    vouchers = 0
    for row in rows:
        loan_id = row[0] if per_loan else None
        office, product, currency = row[-8:-5]
        interest, off, penalty, to, back = (int(v or 0) for v in row[-5:])
        amounts = _amounts(interest, off, penalty, to, back, currency)
        for event_type, roles in amounts.items():
            kept = {role: amount for role, amount in roles.items() if amount > 0}
            if not kept:
                continue
            where = f"loan:{loan_id}" if per_loan else f"{company_id}:{office}:{product}:{currency}"
            ledger.post(
                uow,
                actor,
                event=ledger.LedgerEvent(
                    type=event_type,
                    company_id=company_id,
                    office_id=office,
                    business_date=day,
                    amounts=kept,
                    idempotency_key=f"{event_type}:{where}:{day.isoformat()}",
                    currency=currency,
                    summary=f"日终 {event_type} {day.isoformat()}",
                    dims=ledger.Dims(product_code=product, loan_id=loan_id),
                ),
                now=now,
            )
            vouchers += 1
    uow.session.execute(
        update(A).where(*pending).values(voucher_key=f"close:{day.isoformat()}"),
        execution_options={"synchronize_session": False},
    )
    return {"vouchers": vouchers}

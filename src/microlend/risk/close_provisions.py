"""Provisions posted (company step of PROVISIONS): the allowance of every loan, summed per
currency and category into ``loan_provisions`` for the date, and the change of the allowance
against the ledger's 1304 贷款损失准备 posted as one voucher per company, currency and day:
Dr 6702 信用减值损失 / Cr 1304 when it grows (``provision``), the reverse when it falls
(``provision_release``), by the company's posting rules. 6702, not 6701 资产减值损失: the expected
credit losses of loans at amortised cost are credit impairment losses under the revised CAS 22
(财会〔2017〕7号) and a line of their own in the income statement (财会〔2018〕36号); companies
founded before that default keep their rules until their accountants repoint them. Measured
against the GL balance, write-offs and recoveries (which move 1304 too) are taken into account,
also in a currency whose loans have all closed or been written off (its allowance goes to 0),
and a re-run finds nothing to post."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from microlend.accounting import service as ledger
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_vouchers import eod_principal
from microlend.loans.records import money
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanProvision, LoanRisk
from microlend.products.tables import Product

R = LoanRisk


def post_provisions(uow: UnitOfWork, company_id: int, day: date, *, now: datetime) -> Counts:
    """``now`` stamps the voucher; its amounts and dates are the business date's."""
    rows = uow.session.execute(
        select(
            Loan.currency,
            R.category,
            func.count(),
            func.sum(R.exposure_minor),
            func.sum(R.allowance_minor),
        )
        .join(Loan, Loan.id == R.loan_id)
        .where(R.company_id == company_id, R.exposure_minor > 0)
        .group_by(Loan.currency, R.category)
    ).all()
    uow.session.execute(
        delete(LoanProvision).where(
            LoanProvision.company_id == company_id, LoanProvision.business_date == day
        )
    )
    # every currency the company lends in (a loan's is its product's, which a product keeps),
    # so that an allowance left in the ledger after its last loan closed or was written off
    # (no exposure, so no row above) is released
    currencies = select(Product.currency).where(Product.company_id == company_id).distinct()
    targets: dict[str, int] = dict.fromkeys(uow.session.scalars(currencies), 0)
    if rows:
        uow.session.execute(
            insert(LoanProvision),
            [
                {
                    "company_id": company_id,
                    "business_date": day,
                    "currency": cur,
                    "category": cat,
                    "loans": int(n),
                    "exposure_minor": int(exp),
                    "allowance_minor": int(allow),
                }
                for cur, cat, n, exp, allow in rows
            ],
        )
        for cur, _cat, _n, _exp, allow in rows:
            targets[cur] = targets.get(cur, 0) + int(allow)
    if not targets:
        return {}
    actor = eod_principal(uow, company_id)
    vouchers = 0
    for currency, target_minor in sorted(targets.items()):
        target = money(target_minor, currency)
        held = -ledger.account_balance(
            uow, actor, code="1304", as_of=day, currency=currency, company_id=company_id
        )
        change = target - held
        if change == 0:
            continue
        kind = "provision" if change > 0 else "provision_release"
        ledger.post(
            uow,
            actor,
            event=ledger.LedgerEvent(
                type=kind,
                company_id=company_id,
                office_id=actor.office_id,
                business_date=day,
                amounts={"provision": abs(change)},
                idempotency_key=f"provision:{company_id}:{currency}:{day.isoformat()}:{target}",
                currency=currency,
                summary=f"日终 贷款损失准备 {day.isoformat()}",
            ),
            now=now,
        )
        vouchers += 1
    return {"provision_vouchers": vouchers, "allowance_minor": sum(targets.values())}


def allowance_total(uow: UnitOfWork, company_id: int) -> Decimal:
    total = uow.session.execute(
        select(func.coalesce(func.sum(R.allowance_minor), 0)).where(R.company_id == company_id)
    ).scalar_one()
    return money(int(total))

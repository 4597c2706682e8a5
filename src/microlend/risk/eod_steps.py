"""The risk context's close-of-business steps: five-category classification with IFRS 9 stage,
bucket and the allowance per loan (CLASSIFICATION, one pass), and the provision voucher
(PROVISIONS)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.db.eod import CLASSIFICATION, PROVISIONS, Step
from microlend.db.uow import UnitOfWork
from microlend.loans.eod_steps import loan_bounds
from microlend.risk.close_classification import classify
from microlend.risk.close_provisions import allowance_total, post_provisions

STEPS = [
    Step.partitioned("risk.classify", CLASSIFICATION, run=classify, bounds=loan_bounds),
    Step.company("risk.post_provisions", PROVISIONS + 5, run=post_provisions),
]


def subledger_balances(uow: UnitOfWork, company_id: int, as_of: date) -> dict[str, Decimal]:
    """The allowance (1304, a credit: negative) the loans carry."""
    return {"1304": -allowance_total(uow, company_id)}

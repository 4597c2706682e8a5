"""The per-loan conventions close of business needs, read from the contract document once per
product version (the day count, rounding and penalty terms are the product's), then written
set-based for every loan of that version that has no row yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, String, func, insert, literal, select

from microlend.db.uow import UnitOfWork
from microlend.loans.calculator.servicing_terms import PenaltyBase
from microlend.loans.close_sql import open_loans
from microlend.loans.contract_document import contract_of
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanCloseState

COLUMNS = [
    "loan_id", "company_id", "day_count", "rounding", "digits", "penalty_multiplier",
    "penalty_grace_days", "penalty_with_interest", "interest_earned_minor", "off_balance_minor",
]  # fmt: skip


def ensure_states(uow: UnitOfWork, company_id: int, id_low: int, id_high: int) -> int:
    """A ``loan_close_state`` row for every open loan of the range that has none. Returns how
    many were added."""
    missing = (
        *open_loans(company_id, id_low, id_high),
        ~select(LoanCloseState.loan_id).where(LoanCloseState.loan_id == Loan.id).exists(),
    )
    versions = uow.session.execute(
        select(Loan.product_version_id, func.min(Loan.id))
        .where(*missing)
        .group_by(Loan.product_version_id)
    ).all()
    added = 0
    for version_id, sample_id in versions:
        document = uow.session.scalars(select(Loan.contract).where(Loan.id == sample_id)).one()
        values = _conventions(document)
        rows = select(
            Loan.id,
            Loan.company_id,
            literal(values["day_count"], String),
            literal(values["rounding"], String),
            literal(values["digits"], Integer),
            literal(values["penalty_multiplier"], String),
            literal(values["penalty_grace_days"], Integer),
            literal(values["penalty_with_interest"], Boolean),
            literal(0, Integer),
            literal(0, Integer),
        ).where(*missing, Loan.product_version_id == version_id)
        result = uow.session.execute(insert(LoanCloseState).from_select(COLUMNS, rows))
        added += max(int(getattr(result, "rowcount", 0)), 0)
    return added


def _conventions(document: dict[str, Any]) -> dict[str, Any]:
    contract = contract_of(document)
    terms, penalty = contract.terms, contract.penalty
    return {
        "day_count": terms.day_count.value,
        "rounding": terms.rounding.value,
        "digits": terms.digits,
        "penalty_multiplier": str(penalty.multiplier),
        "penalty_grace_days": penalty.grace_days,
        "penalty_with_interest": penalty.base is PenaltyBase.OVERDUE_INSTALLMENT
        or penalty.compound,
    }

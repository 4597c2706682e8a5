"""The per-loan conventions close of business needs, read from the contract document once per
product version (the day count, rounding and penalty terms are the product's), then written
set-based for every loan of that version and rate that has no row yet.

The penalty's daily rate (``annual rate x multiplier / 100 / days of the year``, as the engine's
``LoanBook.penalty_daily_rate``) is kept as an exact fraction ``penalty_rate_num /
penalty_rate_den``, so that SQL computes the daily penalty in integers. ``penalty_rate_exact``
says whether the engine's ``Decimal`` arithmetic (28 digits) gives exactly that fraction for
every base; when it does not (e.g. a rate / 365), the rows whose exact amount falls on a rounding
boundary are computed in Python, as the engine does (``close_penalty``).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
    and_,
    func,
    literal,
    or_,
    select,
    update,
)

from microlend.db.conflicts import dialect_insert
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.loans.calculator.servicing_terms import PenaltyBase
from microlend.loans.close_sql import COUNTED, in_range, open_loans, rate_in_force, rowcount
from microlend.loans.contract_document import contract_of
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanCloseState

COLUMNS = [
    "loan_id", "company_id", "day_count", "rounding", "digits", "penalty_multiplier",
    "penalty_grace_days", "penalty_with_interest", "penalty_rate_num", "penalty_rate_den",
    "penalty_rate_exact", "interest_earned_minor", "off_balance_minor",
]  # fmt: skip
MAX_RATE_NUM = 10**6  # keeps base x numerator x 2 far inside 64 bits
MAX_RATE_DEN = 10**12
SAFE_RATE_DIGITS = 14  # a rate of at most these digits times any base is exact in 28 digits


def ensure_states(uow: UnitOfWork, company_id: int, id_low: int, id_high: int) -> int:
    """A ``loan_close_state`` row for every open loan of the range that has none, and the
    penalty fraction where a row lacks it (rows written before it existed). Returns how many
    rows were added or completed."""
    s = LoanCloseState
    lacking = or_(s.loan_id.is_(None), s.penalty_rate_den.is_(None))
    rate = rate_in_force()
    groups = uow.session.execute(
        select(Loan.product_version_id, rate, func.min(Loan.id))
        .outerjoin(s, and_(s.loan_id == Loan.id, *in_range(s.loan_id, id_low, id_high)))
        .where(*open_loans(company_id, id_low, id_high), lacking)
        .group_by(Loan.product_version_id, rate)
    ).all()
    documents: dict[int, dict[str, Any]] = {}
    done = 0
    for version_id, annual_rate, sample_id in groups:
        if version_id not in documents:
            document = uow.session.scalars(select(Loan.contract).where(Loan.id == sample_id)).one()
            documents[version_id] = conventions(document)
        values = documents[version_id]
        values = values | penalty_rate(
            Decimal(annual_rate),
            Decimal(values["penalty_multiplier"]),
            DayCount(values["day_count"]),
        )
        group = (
            *open_loans(company_id, id_low, id_high),
            Loan.product_version_id == version_id,
            rate == annual_rate,
        )
        done += _insert(uow, values, group) + _complete(uow, values, group)
    return done


def _insert(uow: UnitOfWork, values: dict[str, Any], group: tuple[Any, ...]) -> int:
    s = LoanCloseState
    rows = select(
        Loan.id,
        Loan.company_id,
        literal(values["day_count"], String),
        literal(values["rounding"], String),
        literal(values["digits"], Integer),
        literal(values["penalty_multiplier"], String),
        literal(values["penalty_grace_days"], Integer),
        literal(values["penalty_with_interest"], Boolean),
        literal(values["penalty_rate_num"], BigInteger),
        literal(values["penalty_rate_den"], BigInteger),
        literal(values["penalty_rate_exact"], Boolean),
        literal(0, Integer),
        literal(0, Integer),
    ).where(*group, ~select(s.loan_id).where(s.loan_id == Loan.id).exists())
    # a command's inline close may have added the row since this statement's snapshot: skip it
    stmt = dialect_insert(uow, s).from_select(COLUMNS, rows).on_conflict_do_nothing()
    inserted = uow.session.execute(stmt, execution_options=COUNTED)
    return rowcount(inserted)


def _complete(uow: UnitOfWork, values: dict[str, Any], group: tuple[Any, ...]) -> int:
    s = LoanCloseState
    fraction = {key: values[key] for key in COLUMNS if key.startswith("penalty_rate")}
    return rowcount(
        uow.session.execute(
            update(s)
            .where(s.penalty_rate_den.is_(None), s.loan_id.in_(select(Loan.id).where(*group)))
            .values(**fraction),
            execution_options={"synchronize_session": False},
        )
    )


def conventions(document: dict[str, Any]) -> dict[str, Any]:
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


def engine_daily_rate(rate: Decimal, multiplier: Decimal, day_count: DayCount) -> Decimal:
    """The penalty's daily rate as the engine computes it (``LoanBook.penalty_daily_rate``)."""
    return rate * multiplier / 100 / day_count.year_days


def penalty_rate(rate: Decimal, multiplier: Decimal, day_count: DayCount) -> dict[str, Any]:
    """The exact fraction and whether the engine's ``Decimal`` equals it for every base."""
    exact = Fraction(rate) * Fraction(multiplier) / 100 / day_count.year_days
    engine = engine_daily_rate(rate, multiplier, day_count)
    if exact.numerator > MAX_RATE_NUM or exact.denominator > MAX_RATE_DEN:
        return {"penalty_rate_num": 0, "penalty_rate_den": 0, "penalty_rate_exact": False}
    digits = len(engine.normalize().as_tuple().digits)
    return {
        "penalty_rate_num": exact.numerator,
        "penalty_rate_den": exact.denominator,
        "penalty_rate_exact": Fraction(engine) == exact and digits <= SAFE_RATE_DIGITS,
    }

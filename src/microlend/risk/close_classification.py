"""Classification (step CLASSIFICATION) and provisions (step PROVISIONS), set-based per range of
loans, with the rules of ``risk.model`` written as SQL ``CASE`` over the loan's days past due
and restructured flag (the policy's thresholds and rates are parameters; tests check the SQL
against ``risk.model.classify`` and ``provision``).

* ``loan_risk`` keeps the current classification per loan (``as_of``: the date it last
  changed; only changed rows are written); a manual ``override_category`` holds until it is
  reviewed where it is worse than the rules (``category`` = the worse of the two,
  ``computed_category`` beside it: the rules' categories are floors, see ``risk.model``).
* ``loan_classifications`` gets a row only when the computed category or the stage changes.
* Allowance per loan = outstanding principal x the category's rate, rounded half up to the
  minor unit; loans no longer open carry none. ``classify`` writes it with the classification,
  in the same update of the risk rows (one pass over the range's loans and risk rows, only the
  rows that change); ``provide`` is the same rule alone, for a category set by other means.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    String,
    Update,
    and_,
    case,
    insert,
    literal,
    or_,
    select,
    update,
)

from microlend.db.base import table
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.loans.close_sql import (
    COUNTED,
    OPEN_STATUSES,
    Bound,
    Expr,
    IdArg,
    custom_plans,
    in_range,
    keep_statistics,
    open_loans,
    rowcount,
)
from microlend.loans.tables import Loan
from microlend.loans.tables_close import LoanClassification, LoanRisk
from microlend.risk.model import DEFAULT_POLICY, Category, ClassificationPolicy

R = LoanRisk
RATE_SCALE = 1_000_000  # a percent rate r is r x 10,000 parts per million


def category_sql(policy: ClassificationPolicy) -> ColumnElement[str]:
    dpd = Loan.days_past_due
    return case(
        (dpd > policy.loss_above, Category.LOSS.value),
        (dpd > policy.doubtful_above, Category.DOUBTFUL.value),
        (dpd > policy.substandard_above, Category.SUBSTANDARD.value),
        (
            or_(dpd > policy.special_mention_above, Loan.restructured.is_(True)),
            Category.SPECIAL_MENTION.value,
        ),
        else_=Category.NORMAL.value,
    )


def rank_sql(category: Expr[str | None]) -> ColumnElement[int]:
    """``Category.rank`` of ``category`` (NULL for NULL)."""
    return case({c.value: c.rank for c in Category}, value=category)


def worse_of(override: Expr[str | None], computed: ColumnElement[str]) -> Any:
    """The override where it ranks worse than the computed category, else the computed one."""
    return case((rank_sql(override) > rank_sql(computed), override), else_=computed)


def stage_sql(policy: ClassificationPolicy) -> ColumnElement[int]:
    dpd = Loan.days_past_due
    return case(
        (dpd > policy.stage_three_above, 3),
        (or_(dpd > policy.stage_two_above, Loan.restructured.is_(True)), 2),
        else_=1,
    )


def bucket_sql() -> ColumnElement[str]:
    dpd = Loan.days_past_due
    return case(
        (dpd == 0, "M0"), (dpd > 90, "M4+"), (dpd <= 30, "M1"), (dpd <= 60, "M2"), else_="M3"
    )


def _ensure_rows(company_id: IdArg, day: Any, low: IdArg, high: IdArg) -> Insert:
    """The risk rows the range's open loans lack, inserted."""
    missing = select(
        Loan.id,
        Loan.company_id,
        day,
        literal(0),
        literal("", String),
        literal("", String),
        literal("", String),
        literal(0, Integer),
        literal(0),
        literal(0),
    ).where(
        *open_loans(company_id, low, high),
        ~select(R.loan_id).where(R.loan_id == Loan.id, *in_range(R.loan_id, low, high)).exists(),
    )
    return insert(R).from_select(
        [
            "loan_id",
            "company_id",
            "as_of",
            "days_past_due",
            "bucket",
            "computed_category",
            "category",
            "stage",
            "exposure_minor",
            "allowance_minor",
        ],
        missing,
    )


def classify(
    uow: UnitOfWork,
    company_id: int,
    day: date,
    id_low: int,
    id_high: int,
    *,
    now: datetime,
    policy: ClassificationPolicy = DEFAULT_POLICY,
) -> Counts:
    built = _statements(policy)
    values = Bound.values(company_id, day, id_low, id_high)
    with custom_plans(uow):
        connection = uow.session.connection()  # Core: the statements are built once
        connection.execute(built.ensure, values)
        keep_statistics(uow, "loan_risk")
        moves = rowcount(connection.execute(built.moves, values, execution_options=COUNTED))
        connection.execute(built.update, values)
    return {"classification_moves": int(moves)}


@dataclass(frozen=True)
class _Classifying:
    ensure: Insert
    moves: Insert
    update: Update


_BUILT: dict[tuple[Any, ...], _Classifying] = {}


def _statements(policy: ClassificationPolicy) -> _Classifying:
    """The step's statements for ``policy`` with ``Bound`` parameters, built once per policy (a
    small company's night would otherwise spend more building them than running them)."""
    thresholds = (getattr(policy, f.name) for f in fields(policy) if f.name != "provision_rates")
    key = (*thresholds, *(policy.provision_rates[c] for c in Category))
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = _build(policy)
    return built


def _build(policy: ClassificationPolicy) -> _Classifying:
    company_id, day, id_low, id_high = Bound.company, Bound.day, Bound.low, Bound.high
    computed, stage, bucket = category_sql(policy), stage_sql(policy), bucket_sql()
    changed = or_(R.computed_category != computed, R.stage != stage)
    joined = (
        *open_loans(company_id, id_low, id_high),
        *in_range(R.loan_id, id_low, id_high),
        R.loan_id == Loan.id,
    )
    moves = insert(table(LoanClassification)).from_select(
        [
            "company_id",
            "loan_id",
            "business_date",
            "days_past_due",
            "computed_category",
            "category",
            "stage",
            "bucket",
        ],
        select(
            Loan.company_id,
            Loan.id,
            day,
            Loan.days_past_due,
            computed,
            worse_of(R.override_category, computed),
            stage,
            bucket,
        ).where(
            *joined,
            changed,
            ~select(LoanClassification.id)
            .where(
                LoanClassification.loan_id == Loan.id,
                LoanClassification.business_date == day,
            )
            .exists(),
        ),
    )
    category = worse_of(R.override_category, computed)
    differs = or_(
        changed,
        R.days_past_due != Loan.days_past_due,
        R.bucket != bucket,
        R.category != category,
    )
    allowance = allowance_sql(policy, category)
    is_open = Loan.status.in_(OPEN_STATUSES)

    def kept(value: Any, column: Any) -> Any:
        """``value`` for an open loan whose classification differs, else the row's own."""
        return case((and_(is_open, differs), value), else_=column)

    written = (
        update(R)
        .where(Loan.company_id == company_id, *in_range(Loan.id, id_low, id_high))
        .where(*in_range(R.loan_id, id_low, id_high), R.loan_id == Loan.id)
        .where(
            or_(
                and_(
                    is_open,
                    or_(
                        differs,
                        R.exposure_minor != Loan.outstanding_principal_minor,
                        R.allowance_minor != allowance,
                    ),
                ),
                and_(~is_open, or_(R.exposure_minor != 0, R.allowance_minor != 0)),
            )
        )
        .values(
            as_of=kept(day, R.as_of),
            days_past_due=kept(Loan.days_past_due, R.days_past_due),
            bucket=kept(bucket, R.bucket),
            computed_category=kept(computed, R.computed_category),
            category=kept(category, R.category),
            stage=kept(stage, R.stage),
            exposure_minor=case((is_open, Loan.outstanding_principal_minor), else_=0),
            allowance_minor=case((is_open, allowance), else_=0),
        )
    )
    return _Classifying(_ensure_rows(company_id, day, id_low, id_high), moves, written)


def parts_per_million(rate: Decimal) -> int:
    return int(rate * RATE_SCALE / 100)


def allowance_sql(
    policy: ClassificationPolicy, category: ColumnElement[str] | None = None
) -> ColumnElement[int]:
    """The allowance of a loan in ``category`` (default: the risk row's)."""
    held = R.category if category is None else category
    ppm = case(
        *((held == c.value, parts_per_million(policy.provision_rates[c])) for c in Category),
        else_=0,
    )
    return (Loan.outstanding_principal_minor * ppm + RATE_SCALE // 2) // RATE_SCALE


def provide(
    uow: UnitOfWork,
    company_id: int,
    day: date,
    id_low: int,
    id_high: int,
    *,
    now: datetime,
    policy: ClassificationPolicy = DEFAULT_POLICY,
) -> Counts:
    uow.session.execute(
        update(R)
        .where(*open_loans(company_id, id_low, id_high), R.loan_id == Loan.id)
        .where(*in_range(R.loan_id, id_low, id_high))
        .where(
            or_(
                R.exposure_minor != Loan.outstanding_principal_minor,
                R.allowance_minor != allowance_sql(policy),
            )
        )
        .values(
            exposure_minor=Loan.outstanding_principal_minor, allowance_minor=allowance_sql(policy)
        ),
        execution_options={"synchronize_session": False},
    )
    closed = and_(
        Loan.id == R.loan_id,
        Loan.company_id == company_id,
        *in_range(Loan.id, id_low, id_high),
        *in_range(R.loan_id, id_low, id_high),
        Loan.status.not_in(OPEN_STATUSES),
    )
    uow.session.execute(
        update(R)
        .where(closed, or_(R.exposure_minor != 0, R.allowance_minor != 0))
        .values(exposure_minor=0, allowance_minor=0),
        execution_options={"synchronize_session": False},
    )
    return {}

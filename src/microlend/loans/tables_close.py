"""Close of business for loans (日终): per-loan conventions and running totals, the daily accrual
records, the risk state (classification, stage, bucket, allowance) with its history, and the
provisions per category and date.

* ``loan_close_state``: one row per loan, filled once from the contract (day count, penalty rate
  as an exact fraction, grace, base, rounding) so that the nightly steps never read the contract
  document; it keeps the interest earned so far by the schedule (``interest_earned_minor``), off
  balance, the last date accrued (``accrued_through``) and the schedule's current period
  (``close_periods``).
* ``loan_accruals``: one row per loan and business date (the unique key makes a re-run post
  nothing twice): interest accrued to income, interest kept off balance (非应计), penalty
  charged, principal moved to / back from overdue; ``voucher_key`` is set when the day's voucher
  carrying it is posted. Indexed by company, date and loan: a partition reads its day's rows
  without touching other days.
* ``loan_risk``: the current five-category classification, IFRS 9 stage, bucket and allowance
  per loan; a manual ``override_category`` holds until it is reviewed.
* ``loan_classifications``: history, one row per change.
* ``loan_classification_adjustments``: the manual adjustments (人工调整) and their reviews, each
  with its reason and who made it (``loans.classification``).
* ``loan_provisions``: per company, date, currency and category: loans, exposure and allowance.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, CurrencyCode, Id, IdType, id_column


class LoanCloseState(Base):
    __tablename__ = "loan_close_state"

    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    day_count: Mapped[str] = mapped_column(String(12))
    rounding: Mapped[str] = mapped_column(String(12))
    digits: Mapped[int] = mapped_column(Integer)
    penalty_multiplier: Mapped[str] = mapped_column(String(20))
    penalty_grace_days: Mapped[int] = mapped_column(Integer)
    penalty_with_interest: Mapped[bool] = mapped_column(Boolean)
    # the penalty's daily rate as an exact fraction (close_state.penalty_rate); None: not yet
    penalty_rate_num: Mapped[int | None] = mapped_column(BigInteger)
    penalty_rate_den: Mapped[int | None] = mapped_column(BigInteger)
    penalty_rate_exact: Mapped[bool | None] = mapped_column(Boolean)
    interest_earned_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    off_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    accrued_through: Mapped[date | None] = mapped_column(Date)  # totals include this date
    # the current period of the schedule (close_periods), as of loans.row_version period_version
    period_version: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)  # None: no installment left
    period_interest: Mapped[int | None] = mapped_column(BigInteger)
    due_interest_minor: Mapped[int | None] = mapped_column(BigInteger)  # due by period_start
    owed_interest_minor: Mapped[int | None] = mapped_column(BigInteger)  # of it, unpaid
    oldest_unpaid: Mapped[date | None] = mapped_column(Date)  # due by period_start, in arrears
    owed_fee_minor: Mapped[int | None] = mapped_column(BigInteger)  # due by period_start, unpaid
    next_due_minor: Mapped[int | None] = mapped_column(BigInteger)  # the period's installment

    __table_args__ = (
        # the loans in arrears, for the due and overdue step (migration 0016)
        Index(
            "ix_loan_close_state_arrears",
            "loan_id",
            postgresql_where=text("oldest_unpaid IS NOT NULL"),
            sqlite_where=text("oldest_unpaid IS NOT NULL"),
        ),
    )


class LoanAccrual(Base):
    """No foreign keys: close of business writes a row per open loan and day, from the loans'
    own rows in the same statement, and checking three keys a row (each locking its parent row)
    cost more than writing the rows."""

    __tablename__ = "loan_accruals"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType)
    office_id: Mapped[int] = mapped_column(IdType)
    loan_id: Mapped[int] = mapped_column(IdType)
    business_date: Mapped[date] = mapped_column(Date)
    product_code: Mapped[str] = mapped_column(String(30))
    currency: Mapped[CurrencyCode]
    earned_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # by the schedule, that day
    interest_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    off_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    penalty_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    overdue_principal_minor: Mapped[int] = mapped_column(BigInteger, default=0)  # + to, - back
    voucher_key: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("loan_id", "business_date"),
        Index("ix_loan_accruals_company_date_loan", "company_id", "business_date", "loan_id"),
    )


class LoanRisk(Base):
    __tablename__ = "loan_risk"

    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    as_of: Mapped[date] = mapped_column(Date)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(4))
    computed_category: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    override_category: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[int] = mapped_column(Integer)
    exposure_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    allowance_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_loan_risk_company", "company_id"),)


class LoanClassification(Base):
    __tablename__ = "loan_classifications"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date)
    days_past_due: Mapped[int] = mapped_column(Integer)
    computed_category: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    stage: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(4))

    __table_args__ = (UniqueConstraint("loan_id", "business_date"),)


class LoanProvision(Base):
    __tablename__ = "loan_provisions"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    business_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[CurrencyCode]
    category: Mapped[str] = mapped_column(String(20))
    loans: Mapped[int] = mapped_column(Integer)
    exposure_minor: Mapped[int] = mapped_column(BigInteger)
    allowance_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("company_id", "business_date", "currency", "category"),)


class LoanClassificationAdjustment(Base):
    __tablename__ = "loan_classification_adjustments"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(20))  # adjust | restore
    category_before: Mapped[str] = mapped_column(String(20))
    category_after: Mapped[str] = mapped_column(String(20))
    computed_category: Mapped[str] = mapped_column(String(20))  # what the rules gave then
    reason: Mapped[str] = mapped_column(Text)
    made_by_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    made_at: Mapped[datetime]

"""Close of business for loans (日终): per-loan conventions and running totals, the daily accrual
records, the risk state (classification, stage, bucket, allowance) with its history, and the
provisions per category and date.

* ``loan_close_state``: one row per loan, filled once from the contract (day count, penalty rate,
  grace, base, rounding) so that the nightly steps never read the contract document; it keeps the
  interest earned so far by the schedule (``interest_earned_minor``) and off balance.
* ``loan_accruals``: one row per loan and business date (the unique key makes a re-run post
  nothing twice): interest accrued to income, interest kept off balance (非应计), penalty
  charged, principal moved to / back from overdue; ``voucher_key`` is set when the day's voucher
  carrying it is posted.
* ``loan_risk``: the current five-category classification, IFRS 9 stage, bucket and allowance
  per loan; a manual ``override_category`` holds until it is reviewed.
* ``loan_classifications``: history, one row per change.
* ``loan_provisions``: per company, date, currency and category: loans, exposure and allowance.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
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
    interest_earned_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    off_balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    accrued_through: Mapped[date | None] = mapped_column(Date)  # totals include this date


class LoanAccrual(Base):
    __tablename__ = "loan_accruals"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"))
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
        Index("ix_loan_accruals_company_date", "company_id", "business_date"),
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

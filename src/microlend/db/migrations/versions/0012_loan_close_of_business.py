"""Close of business for loans: accrual records, per-loan close state, risk classification
(current and history), provisions per category and date.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loan_provisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("allowance_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_provisions_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_provisions")),
        sa.UniqueConstraint(
            "company_id",
            "business_date",
            "currency",
            "category",
            name=op.f("uq_loan_provisions_company_id_business_date_currency_category"),
        ),
    )
    op.create_table(
        "loan_accruals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("product_code", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("earned_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("off_balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("overdue_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("voucher_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_accruals_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_accruals_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_loan_accruals_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_accruals")),
        sa.UniqueConstraint(
            "loan_id", "business_date", name=op.f("uq_loan_accruals_loan_id_business_date")
        ),
    )
    op.create_index(
        "ix_loan_accruals_company_date",
        "loan_accruals",
        ["company_id", "business_date"],
        unique=False,
    )
    op.create_table(
        "loan_classifications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("computed_category", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_loan_classifications_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_classifications_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_classifications")),
        sa.UniqueConstraint(
            "loan_id", "business_date", name=op.f("uq_loan_classifications_loan_id_business_date")
        ),
    )
    op.create_index(
        op.f("ix_loan_classifications_loan_id"), "loan_classifications", ["loan_id"], unique=False
    )
    op.create_table(
        "loan_close_state",
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day_count", sa.String(length=12), nullable=False),
        sa.Column("rounding", sa.String(length=12), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("penalty_multiplier", sa.String(length=20), nullable=False),
        sa.Column("penalty_grace_days", sa.Integer(), nullable=False),
        sa.Column("penalty_with_interest", sa.Boolean(), nullable=False),
        sa.Column("interest_earned_minor", sa.BigInteger(), nullable=False),
        sa.Column("off_balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("accrued_through", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_close_state_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_close_state_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_close_state")),
    )
    op.create_table(
        "loan_risk",
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=4), nullable=False),
        sa.Column("computed_category", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("override_category", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("allowance_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_risk_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_loan_risk_loan_id_loans")),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_risk")),
    )
    op.create_index("ix_loan_risk_company", "loan_risk", ["company_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_loan_risk_company", table_name="loan_risk")
    op.drop_table("loan_risk")
    op.drop_table("loan_close_state")
    op.drop_index(op.f("ix_loan_classifications_loan_id"), table_name="loan_classifications")
    op.drop_table("loan_classifications")
    op.drop_index("ix_loan_accruals_company_date", table_name="loan_accruals")
    op.drop_table("loan_accruals")
    op.drop_table("loan_provisions")

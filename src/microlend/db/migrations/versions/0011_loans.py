"""Loans: accounts, events, installments, allocations, fund usage.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loans",
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
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "product_version_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("product_code", sa.String(length=30), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("contract_number", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("annual_rate", microlend.db.base.DecimalText(length=64), nullable=False),
        sa.Column("term_count", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("disbursement_date", sa.Date(), nullable=False),
        sa.Column("first_due_date", sa.Date(), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("upfront_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("payee", sa.String(length=20), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("payee_account", sa.String(length=60), nullable=False),
        sa.Column("contract", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("restructured", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("fund_usage_deadline", sa.Date(), nullable=True),
        sa.Column("fund_usage_status", sa.String(length=30), nullable=False),
        sa.Column("position_as_of", sa.Date(), nullable=False),
        sa.Column("outstanding_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("overdue_minor", sa.BigInteger(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("max_days_past_due", sa.Integer(), nullable=False),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("next_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("booked_interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("booked_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("booked_penalty_minor", sa.BigInteger(), nullable=False),
        sa.Column("booked_overdue_principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("written_off_minor", sa.BigInteger(), nullable=False),
        sa.Column("recovered_minor", sa.BigInteger(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_loans_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loans_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_loans_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_loans_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_loans_office_id_offices")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_loans_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["product_version_id"],
            ["product_versions.id"],
            name=op.f("fk_loans_product_version_id_product_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loans")),
        sa.UniqueConstraint("application_id", name=op.f("uq_loans_application_id")),
        sa.UniqueConstraint("company_id", "number", name=op.f("uq_loans_company_id_number")),
    )
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loans_company_office_status", ["company_id", "office_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_loans_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_loans_owner_id", ["owner_id"], unique=False)

    op.create_table(
        "fund_usages",
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
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("prohibited", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=True),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_fund_usages_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_fund_usages_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_fund_usages_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_fund_usages_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_usages")),
    )
    with op.batch_alter_table("fund_usages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_usages_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "loan_events",
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
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("external_reference", sa.String(length=100), nullable=True),
        sa.Column(
            "reverses_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_events_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_loan_events_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_events_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_event_id"],
            ["loan_events.id"],
            name=op.f("fk_loan_events_reverses_event_id_loan_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_events")),
        sa.UniqueConstraint(
            "company_id",
            "channel",
            "external_reference",
            name=op.f("uq_loan_events_company_id_channel_external_reference"),
        ),
        sa.UniqueConstraint(
            "company_id", "request_key", name=op.f("uq_loan_events_company_id_request_key")
        ),
        sa.UniqueConstraint("loan_id", "sequence", name=op.f("uq_loan_events_loan_id_sequence")),
        sa.UniqueConstraint("reverses_event_id", name=op.f("uq_loan_events_reverses_event_id")),
    )
    op.create_table(
        "loan_installments",
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
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("principal_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("principal_paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("penalty_paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("waived_minor", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_installments_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_installments_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_installments")),
        sa.UniqueConstraint("loan_id", "n", name=op.f("uq_loan_installments_loan_id_n")),
    )
    with op.batch_alter_table("loan_installments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loan_installments_company_due", ["company_id", "due_date"], unique=False
        )

    op.create_table(
        "loan_postings",
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
        sa.Column("posting_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cash_in_minor", sa.BigInteger(), nullable=False),
        sa.Column("cash_out_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_change_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("vouchers", sa.JSON(), nullable=False),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_postings_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_postings_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_postings")),
        sa.UniqueConstraint(
            "loan_id", "posting_id", name=op.f("uq_loan_postings_loan_id_posting_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("loan_postings")
    with op.batch_alter_table("loan_installments", schema=None) as batch_op:
        batch_op.drop_index("ix_loan_installments_company_due")

    op.drop_table("loan_installments")
    op.drop_table("loan_events")
    with op.batch_alter_table("fund_usages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_usages_loan_id"))

    op.drop_table("fund_usages")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_index("ix_loans_owner_id")
        batch_op.drop_index(batch_op.f("ix_loans_customer_id"))
        batch_op.drop_index("ix_loans_company_office_status")

    op.drop_table("loans")

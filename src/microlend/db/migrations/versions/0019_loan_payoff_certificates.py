"""Payoff certificates (结清证明): numbered, their facts and PDF hash kept, voided (never
deleted) when the loan is reopened; at most one in force per loan.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "loan_payoff_certificates"
IN_FORCE = sa.text("voided_on IS NULL")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("office_id", ID, nullable=False),
        sa.Column("loan_id", ID, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("paid_off_on", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("pdf_hash", sa.String(length=64), nullable=False),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f(f"fk_{TABLE}_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f(f"fk_{TABLE}_created_by_users")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f(f"fk_{TABLE}_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f(f"fk_{TABLE}_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("company_id", "number", name=op.f(f"uq_{TABLE}_company_id_number")),
    )
    op.create_index(
        f"uq_{TABLE}_in_force",
        TABLE,
        ["loan_id"],
        unique=True,
        postgresql_where=IN_FORCE,
        sqlite_where=IN_FORCE,
    )


def downgrade() -> None:
    op.drop_index(f"uq_{TABLE}_in_force", table_name=TABLE)
    op.drop_table(TABLE)

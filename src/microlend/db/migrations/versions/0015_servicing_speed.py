"""Loan servicing at speed: the engine's state after each loan's last event.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 23:41:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "loan_engine_states",
        sa.Column("loan_id", ID, autoincrement=False, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_loan_engine_states_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_engine_states_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_engine_states")),
    )


def downgrade() -> None:
    op.drop_table("loan_engine_states")

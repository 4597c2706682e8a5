"""Notes on a loan (append-only, author and time).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 22:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "loan_notes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("office_id", ID, nullable=False),
        sa.Column("loan_id", ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_loan_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_loan_notes_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_notes_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_loan_notes_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_notes")),
    )
    with op.batch_alter_table("loan_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_notes_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loan_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_notes_loan_id"))
    op.drop_table("loan_notes")

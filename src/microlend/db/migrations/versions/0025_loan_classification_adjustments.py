"""Manual adjustments of a loan's five-category classification (人工调整五级分类) and their
reviews, each with its reason and who made it (``loans.classification``).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "loan_classification_adjustments"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("office_id", ID, nullable=False),
        sa.Column("loan_id", ID, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("category_before", sa.String(length=20), nullable=False),
        sa.Column("category_after", sa.String(length=20), nullable=False),
        sa.Column("computed_category", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("made_by_id", ID, nullable=True),
        sa.Column("made_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f(f"fk_{TABLE}_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f(f"fk_{TABLE}_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_made_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f(f"fk_{TABLE}_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_loan_id"))
    op.drop_table(TABLE)

"""Close of business: runs, steps, partitions and their progress.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eod_runs",
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
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("current_step", sa.String(length=60), nullable=True),
        sa.Column("started_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_eod_runs_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eod_runs")),
        sa.UniqueConstraint(
            "company_id", "business_date", name=op.f("uq_eod_runs_company_id_business_date")
        ),
    )
    op.create_index("ix_eod_runs_status", "eod_runs", ["status"], unique=False)
    op.create_table(
        "eod_partitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step_code", sa.String(length=60), nullable=False),
        sa.Column("partition_no", sa.Integer(), nullable=False),
        sa.Column("id_low", sa.BigInteger(), nullable=False),
        sa.Column("id_high", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["eod_runs.id"], name=op.f("fk_eod_partitions_run_id_eod_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eod_partitions")),
        sa.UniqueConstraint(
            "run_id",
            "step_code",
            "partition_no",
            name=op.f("uq_eod_partitions_run_id_step_code_partition_no"),
        ),
    )
    op.create_index(
        "ix_eod_partitions_run_step_status",
        "eod_partitions",
        ["run_id", "step_code", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_eod_partitions_run_step_status", table_name="eod_partitions")
    op.drop_table("eod_partitions")
    op.drop_index("ix_eod_runs_status", table_name="eod_runs")
    op.drop_table("eod_runs")

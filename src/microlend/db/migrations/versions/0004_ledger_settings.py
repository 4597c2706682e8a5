"""Ledger settings (per company, daily accrual vouchers per loan or summarised, 汇总凭证) and
the attachments of manual vouchers (files kept by SHA-256 in the document store).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_settings",
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("accrual_vouchers", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ledger_settings_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_ledger_settings")),
    )
    op.create_table(
        "voucher_attachments",
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
            "voucher_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_voucher_attachments_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_voucher_attachments_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_attachments")),
    )
    with op.batch_alter_table("voucher_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voucher_attachments_voucher_id"), ["voucher_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voucher_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_attachments_voucher_id"))
    op.drop_table("voucher_attachments")
    op.drop_table("ledger_settings")

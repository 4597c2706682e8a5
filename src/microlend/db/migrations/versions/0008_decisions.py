"""Policy rules, limits, scorecards and decision records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_limit_settings",
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column(
            "updated_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_decision_limit_settings_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_decision_limit_settings_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_decision_limit_settings")),
    )
    op.create_table(
        "decision_rule_sets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_decision_rule_sets_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_decision_rule_sets_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_rule_sets")),
        sa.UniqueConstraint(
            "company_id", "version", name=op.f("uq_decision_rule_sets_company_id_version")
        ),
    )
    op.create_table(
        "decision_scorecards",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("customer_kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_decision_scorecards_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_decision_scorecards_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_scorecards")),
        sa.UniqueConstraint(
            "company_id",
            "customer_kind",
            "version",
            name=op.f("uq_decision_scorecards_company_id_customer_kind_version"),
        ),
    )
    op.create_index(
        "ix_decision_scorecards_company_kind_status",
        "decision_scorecards",
        ["company_id", "customer_kind", "status"],
        unique=False,
    )
    op.create_table(
        "decision_records",
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
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "rule_set_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "scorecard_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=False),
        sa.Column("suggested_rate", microlend.db.base.DecimalText(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("limit_checks", sa.JSON(), nullable=False),
        sa.Column(
            "decided_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("decided_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_decision_records_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_decision_records_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_decision_records_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_decision_records_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_decision_records_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_decision_records_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"],
            ["decision_rule_sets.id"],
            name=op.f("fk_decision_records_rule_set_id_decision_rule_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["decision_scorecards.id"],
            name=op.f("fk_decision_records_scorecard_id_decision_scorecards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_records")),
    )
    op.create_index(
        op.f("ix_decision_records_application_id"),
        "decision_records",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_decision_records_customer_id"), "decision_records", ["customer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_decision_records_customer_id"), table_name="decision_records")
    op.drop_index(op.f("ix_decision_records_application_id"), table_name="decision_records")
    op.drop_table("decision_records")
    op.drop_index("ix_decision_scorecards_company_kind_status", table_name="decision_scorecards")
    op.drop_table("decision_scorecards")
    op.drop_table("decision_rule_sets")
    op.drop_table("decision_limit_settings")

"""Approval chains, steps, votes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_chains",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("product_code", sa.String(length=30), nullable=True),
        sa.Column("office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("min_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("max_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_approval_chains_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_approval_chains_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_approval_chains_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_chains")),
        sa.UniqueConstraint(
            "company_id", "code", "version", name=op.f("uq_approval_chains_company_id_code_version")
        ),
    )
    with op.batch_alter_table("approval_chains", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_chains_company_status", ["company_id", "status"], unique=False
        )

    op.create_table(
        "approval_chain_steps",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("chain_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(length=100), nullable=False),
        sa.Column("role_code", sa.String(length=50), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=False),
        sa.Column("final_up_to_minor", sa.BigInteger(), nullable=True),
        sa.Column("risk_review", sa.Boolean(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("committee_size", sa.Integer(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["approval_chains.id"],
            name=op.f("fk_approval_chain_steps_chain_id_approval_chains"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_approval_chain_steps_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_chain_steps")),
        sa.UniqueConstraint(
            "chain_id", "position", name=op.f("uq_approval_chain_steps_chain_id_position")
        ),
    )
    op.create_table(
        "application_approvals",
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
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("chain_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("referred", sa.Boolean(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("started_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_approvals_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["approval_chains.id"],
            name=op.f("fk_application_approvals_chain_id_approval_chains"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_application_approvals_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_application_approvals_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_approvals")),
        sa.UniqueConstraint(
            "application_id", "round", name=op.f("uq_application_approvals_application_id_round")
        ),
    )
    with op.batch_alter_table("application_approvals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_approvals_company_status", ["company_id", "status"], unique=False
        )

    op.create_table(
        "application_approval_steps",
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
            "approval_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(length=100), nullable=False),
        sa.Column("role_code", sa.String(length=50), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=False),
        sa.Column("office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("risk_review", sa.Boolean(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("committee_size", sa.Integer(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("due_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_approval_steps_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["application_approvals.id"],
            name=op.f("fk_application_approval_steps_approval_id_application_approvals"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_application_approval_steps_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_application_approval_steps_office_id_offices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_approval_steps")),
        sa.UniqueConstraint(
            "approval_id",
            "position",
            name=op.f("uq_application_approval_steps_approval_id_position"),
        ),
    )
    with op.batch_alter_table("application_approval_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_approval_steps_pending", ["status", "role_code"], unique=False
        )

    op.create_table(
        "application_approval_decisions",
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
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "approval_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("step_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=True),
        sa.Column("decided_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_application_approval_decisions_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_approval_decisions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["application_approvals.id"],
            name=op.f("fk_application_approval_decisions_approval_id_application_approvals"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_application_approval_decisions_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["application_approval_steps.id"],
            name=op.f("fk_application_approval_decisions_step_id_application_approval_steps"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_approval_decisions")),
        sa.UniqueConstraint(
            "approval_id",
            "actor_id",
            name=op.f("uq_application_approval_decisions_approval_id_actor_id"),
        ),
    )
    with op.batch_alter_table("application_approval_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_approval_decisions_application_id"),
            ["application_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("application_approval_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_approval_decisions_application_id"))

    op.drop_table("application_approval_decisions")
    with op.batch_alter_table("application_approval_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_application_approval_steps_pending")

    op.drop_table("application_approval_steps")
    with op.batch_alter_table("application_approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_application_approvals_company_status")

    op.drop_table("application_approvals")
    op.drop_table("approval_chain_steps")
    with op.batch_alter_table("approval_chains", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_chains_company_status")

    op.drop_table("approval_chains")

"""Accounting: chart of accounts, posting rules, periods, vouchers and their lines.

Vouchers and voucher lines are append-only on both databases (triggers refuse UPDATE and DELETE);
on PostgreSQL a deferred constraint trigger checks at commit that every voucher touched balances
per currency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:49:42.839613
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("vouchers", "voucher_lines")

PG_APPEND_ONLY = """
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (post a reversal instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

# Checked at commit (deferred): the voucher a row belongs to has lines, and they balance.
PG_BALANCED = """
CREATE FUNCTION ledger_voucher_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target BIGINT;
    line_count BIGINT;
    off_currency TEXT;
BEGIN
    IF TG_TABLE_NAME = 'vouchers' THEN
        target := NEW.id;
    ELSE
        target := NEW.voucher_id;
    END IF;
    SELECT count(*) INTO line_count FROM voucher_lines WHERE voucher_id = target;
    IF line_count < 2 THEN
        RAISE EXCEPTION 'voucher % has % line(s)', target, line_count
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT currency INTO off_currency FROM voucher_lines WHERE voucher_id = target
        GROUP BY currency
        HAVING sum(CASE WHEN side = 'D' THEN amount_minor ELSE -amount_minor END) <> 0
        LIMIT 1;
    IF off_currency IS NOT NULL THEN
        RAISE EXCEPTION 'voucher % does not balance in %', target, off_currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("normal_side", sa.String(length=1), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", microlend.db.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ledger_accounts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_accounts_parent_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("company_id", "code", name=op.f("uq_ledger_accounts_company_id_code")),
    )
    op.create_table(
        "ledger_periods",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("closed_at", microlend.db.base.UtcDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_ledger_periods_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_periods")),
        sa.UniqueConstraint(
            "company_id", "period", name=op.f("uq_ledger_periods_company_id_period")
        ),
    )
    op.create_table(
        "posting_rules",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("product_code", sa.String(length=30), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column(
            "debit_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "credit_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_posting_rules_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["credit_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_posting_rules_credit_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_posting_rules_debit_account_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_rules")),
        sa.UniqueConstraint(
            "company_id",
            "event_type",
            "product_code",
            "role",
            name=op.f("uq_posting_rules_company_id_event_type_product_code_role"),
        ),
    )
    op.create_table(
        "vouchers",
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
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("entered_at", microlend.db.base.UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column(
            "reverses_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_vouchers_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_vouchers_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["vouchers.id"], name=op.f("fk_vouchers_reverses_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint(
            "company_id", "idempotency_key", name=op.f("uq_vouchers_company_id_idempotency_key")
        ),
        sa.UniqueConstraint("company_id", "number", name=op.f("uq_vouchers_company_id_number")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_vouchers_reverses_id")),
    )
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vouchers_company_date", ["company_id", "business_date"], unique=False
        )

    op.create_table(
        "voucher_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "voucher_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("product_code", sa.String(length=30), nullable=True),
        sa.Column("loan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.CheckConstraint("side IN ('D', 'C')", name=op.f("ck_voucher_lines_side")),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_voucher_lines_amount")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_voucher_lines_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_voucher_lines_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_voucher_lines_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"], name=op.f("fk_voucher_lines_voucher_id_vouchers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_lines")),
        sa.UniqueConstraint(
            "voucher_id", "line_no", name=op.f("uq_voucher_lines_voucher_id_line_no")
        ),
    )
    with op.batch_alter_table("voucher_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_voucher_lines_company_account_date",
            ["company_id", "account_id", "business_date"],
            unique=False,
        )
        batch_op.create_index("ix_voucher_lines_loan_id", ["loan_id"], unique=False)

    create_triggers()


def downgrade() -> None:
    drop_triggers()
    with op.batch_alter_table("voucher_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_voucher_lines_loan_id")
        batch_op.drop_index("ix_voucher_lines_company_account_date")

    op.drop_table("voucher_lines")
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index("ix_vouchers_company_date")

    op.drop_table("vouchers")
    op.drop_table("posting_rules")
    op.drop_table("ledger_periods")
    op.drop_table("ledger_accounts")


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_APPEND_ONLY)
        op.execute(PG_BALANCED)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_balanced AFTER INSERT ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION ledger_voucher_balanced()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            for trigger in ("append_only", "no_truncate", "balanced"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_voucher_balanced()")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")

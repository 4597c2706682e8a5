"""Ledger: the balances of every account at the end of each closed month.

A report's opening balance and the close of business's reconciliation summed every voucher line
from the company's first day, so they grew with its history. A month's close now keeps each
account's balance per office and currency at its last day (``accounting.period_balances``), and
a reopen removes it; reports add the latest kept month's balances to the lines after it. Months
closed before this revision keep none: the next close sums from the first line, as reports did.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLE = "ledger_period_balances"
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("company_id", ID, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("office_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_period_balances_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_ledger_period_balances_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_ledger_period_balances_office_id_offices")
        ),
        sa.PrimaryKeyConstraint(
            "company_id",
            "period",
            "office_id",
            "account_id",
            "currency",
            name=op.f("pk_ledger_period_balances"),
        ),
    )


def downgrade() -> None:
    op.drop_table(TABLE)

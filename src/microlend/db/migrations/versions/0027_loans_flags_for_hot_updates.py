"""Loans: the partial indexes of close of business keyed on flags, so commands update in place.

``ix_loans_credit`` (the loans holding a credit balance) and ``ix_loans_booked_overdue`` (the
loans carrying overdue principal) had the amounts in their predicates. PostgreSQL updates a row
in place (a heap-only tuple: no new entry in any of the table's nine indexes) only when no column
an index names changes, predicates included, so every command that moved a credit balance from
one positive amount to another, or collected part of the overdue principal, wrote nine index
entries for the loan's new row. The predicates now name generated flags (``holds_credit``,
``carries_overdue_principal``), which change only when the amount crosses zero.

On PostgreSQL the flags are stored (computed when the row is written); SQLite adds them as
virtual columns (it cannot add a stored one to a table), computed when read.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TABLE = "loans"
# (index, its flag, the condition the flag stands for: the predicate the index had)
_FLAGGED = (
    ("ix_loans_credit", "holds_credit", "credit_balance_minor > 0"),
    ("ix_loans_booked_overdue", "carries_overdue_principal", "booked_overdue_principal_minor <> 0"),
)


def upgrade() -> None:
    stored = True if op.get_bind().dialect.name == "postgresql" else None  # SQLite: virtual
    for index, flag, condition in _FLAGGED:
        op.drop_index(index, table_name=TABLE)
        op.add_column(
            TABLE, sa.Column(flag, sa.Boolean(), sa.Computed(condition, persisted=stored))
        )
        _index(index, sa.text(flag))


def downgrade() -> None:
    for index, flag, condition in _FLAGGED:
        op.drop_index(index, table_name=TABLE)
        op.drop_column(TABLE, flag)
        _index(index, sa.text(condition))


def _index(name: str, where: sa.TextClause) -> None:
    op.create_index(name, TABLE, ["company_id", "id"], postgresql_where=where, sqlite_where=where)

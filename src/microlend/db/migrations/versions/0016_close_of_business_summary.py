"""Close of business keeps the loans' summary columns; overdue loans by index.

* ``loan_close_state``: the kept period also holds the fee owed on the installments due by its
  start (``owed_fee_minor``) and what the next installment still owes (``next_due_minor``), so
  that the accrual's nightly update of a loan writes its outstanding interest and fee and its
  next due date and amount (the period is recomputed by the next close of business:
  ``period_version`` is cleared);
* partial indexes, so that the steps that work on a few loans read those, not every loan of the
  range: the overdue loans (``ix_loans_overdue``: penalty, days past due, installments turning
  overdue), the loans carrying overdue principal (``ix_loans_booked_overdue``: the overdue
  transfer) and the close states with an installment in arrears
  (``ix_loan_close_state_arrears``: loans turning overdue). Their columns change on few rows a
  night, so the nightly updates of loans and close states stay HOT on PostgreSQL.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PARTIAL = (
    ("ix_loans_overdue", "loans", ["company_id", "id"], "status = 'overdue'"),
    (
        "ix_loans_booked_overdue",
        "loans",
        ["company_id", "id"],
        "booked_overdue_principal_minor <> 0",
    ),
    ("ix_loan_close_state_arrears", "loan_close_state", ["loan_id"], "oldest_unpaid IS NOT NULL"),
)


def upgrade() -> None:
    with op.batch_alter_table("loan_close_state") as batch:
        batch.add_column(sa.Column("owed_fee_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("next_due_minor", sa.BigInteger(), nullable=True))
    op.execute("UPDATE loan_close_state SET period_version = NULL")
    for name, table, columns, where in PARTIAL:
        condition = sa.text(where)
        op.create_index(name, table, columns, postgresql_where=condition, sqlite_where=condition)


def downgrade() -> None:
    for name, table, _columns, _where in PARTIAL:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("loan_close_state") as batch:
        batch.drop_column("next_due_minor")
        batch.drop_column("owed_fee_minor")

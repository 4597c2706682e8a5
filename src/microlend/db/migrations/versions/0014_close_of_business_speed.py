"""Close of business at scale: indexes and columns the set-based steps need.

* ``loan_accruals``: the day's rows of a range of loans by (company, date, loan) (replaces
  (company, date), which made every partition read the whole day); no foreign keys (close of
  business writes a row per open loan and day from the loans' own rows; checking three keys a
  row, each locking its parent row, cost more than writing the rows);
* ``loan_close_state``: the penalty's daily rate as an exact fraction (filled by the next close
  of business for rows written before), and the schedule's current period (computed by the next
  close of business);
* PostgreSQL: a fill factor below 100 on the tables close of business updates every night
  (loans, their installments, close state, risk, the day's accrual rows), so that the new row
  versions stay on their page (HOT: no index entries to add; loans, updated in full every night
  and carrying six indexes, get half their pages free); and loans keep their contract
  document out of line (TOAST) from 256 bytes on, so that a nightly update of a loan's balances
  writes a row of a few hundred bytes instead of copying the document (about 1.4 kB) with it.
  Rows written before take the settings when they are next updated.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 23:40:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FILL = (
    ("loans", 50),
    ("loan_installments", 90),
    ("loan_close_state", 80),
    ("loan_risk", 85),
    ("loan_accruals", 90),
)
TOAST_TUPLE_TARGET = 256
PERIOD_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("period_version", sa.Integer()),
    ("period_start", sa.Date()),
    ("period_end", sa.Date()),
    ("period_interest", sa.BigInteger()),
    ("due_interest_minor", sa.BigInteger()),
    ("owed_interest_minor", sa.BigInteger()),
    ("oldest_unpaid", sa.Date()),
)


ACCRUAL_KEYS = (("company_id", "companies"), ("office_id", "offices"), ("loan_id", "loans"))


def upgrade() -> None:
    with op.batch_alter_table("loan_accruals") as batch:
        for column, parent in ACCRUAL_KEYS:
            batch.drop_constraint(f"fk_loan_accruals_{column}_{parent}", type_="foreignkey")
    op.drop_index("ix_loan_accruals_company_date", table_name="loan_accruals")
    op.create_index(
        "ix_loan_accruals_company_date_loan",
        "loan_accruals",
        ["company_id", "business_date", "loan_id"],
        unique=False,
    )
    with op.batch_alter_table("loan_close_state") as batch:
        batch.add_column(sa.Column("penalty_rate_num", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("penalty_rate_den", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("penalty_rate_exact", sa.Boolean(), nullable=True))
        for name, kind in PERIOD_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for name, percent in FILL:
            op.execute(f"ALTER TABLE {name} SET (fillfactor = {percent})")
        op.execute(f"ALTER TABLE loans SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE loans RESET (toast_tuple_target)")
        for name, _percent in FILL:
            op.execute(f"ALTER TABLE {name} RESET (fillfactor)")
    with op.batch_alter_table("loan_close_state") as batch:
        for name, _kind in reversed(PERIOD_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("penalty_rate_exact")
        batch.drop_column("penalty_rate_den")
        batch.drop_column("penalty_rate_num")
    op.drop_index("ix_loan_accruals_company_date_loan", table_name="loan_accruals")
    op.create_index(
        "ix_loan_accruals_company_date",
        "loan_accruals",
        ["company_id", "business_date"],
        unique=False,
    )
    with op.batch_alter_table("loan_accruals") as batch:
        for column, parent in ACCRUAL_KEYS:
            batch.create_foreign_key(
                f"fk_loan_accruals_{column}_{parent}", parent, [column], ["id"]
            )

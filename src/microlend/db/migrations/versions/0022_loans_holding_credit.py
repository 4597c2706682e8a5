"""Close of business: the loans holding a credit balance, by range.

``ix_loans_credit`` (company, id) over the loans with ``credit_balance_minor > 0``: the step
applying credit balances on due dates (``loans/close_credit.py``) reads those few loans of each
partition, not every loan of the range. A command changes the column; the nightly updates of
the loans do not, so they stay HOT.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

NAME, TABLE = "ix_loans_credit", "loans"
HOLDING = sa.text("credit_balance_minor > 0")


def upgrade() -> None:
    op.create_index(
        NAME,
        TABLE,
        ["company_id", "id"],
        postgresql_where=HOLDING,
        sqlite_where=HOLDING,
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)

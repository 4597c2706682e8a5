"""What was settled without being paid, per component of an installment: ``loan_installments``
``principal_settled_minor``, ``interest_settled_minor``, ``fee_settled_minor`` and
``penalty_settled_minor`` (waived, or capitalised by a reschedule; ``waived_minor`` stays their
total). Close of business reads what is still owed of each component from these (penalty base,
overdue principal, interest and fee owed, arrears): with the total alone it took the principal
of installments a reschedule had capitalised for unpaid, charged penalty on it and moved it to
130302 as soon as the loan fell overdue again.

Existing installments settled whole (nothing outstanding) get what they settled, component by
component (due less paid); one only partly waived keeps 0 until its loan's next command writes
it from the engine (a waiver can take any of interest, fee and penalty: the total does not say
which).

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 11:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLE = "loan_installments"
COMPONENTS = ("principal", "interest", "fee", "penalty")


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        for part in COMPONENTS:
            column = f"{part}_settled_minor"
            batch.add_column(sa.Column(column, sa.BigInteger(), nullable=False, server_default="0"))
    t = sa.table(
        TABLE,
        sa.column("outstanding_minor"),
        sa.column("waived_minor"),
        *(sa.column(f"{part}_{kind}_minor") for part in COMPONENTS for kind in ("due", "paid")),
        *(sa.column(f"{part}_settled_minor") for part in COMPONENTS),
    )
    settled_whole = {
        f"{part}_settled_minor": t.c[f"{part}_due_minor"] - t.c[f"{part}_paid_minor"]
        for part in COMPONENTS
    }
    op.get_bind().execute(
        t.update().where(t.c.outstanding_minor == 0, t.c.waived_minor > 0).values(settled_whole)
    )


def downgrade() -> None:
    for part in COMPONENTS:  # SQLite drops a column in place (3.35+)
        op.drop_column(TABLE, f"{part}_settled_minor")

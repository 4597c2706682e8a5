"""What was settled without being paid, per component of an installment: ``loan_installments``
``principal_settled_minor``, ``interest_settled_minor``, ``fee_settled_minor`` and
``penalty_settled_minor`` (waived, or capitalised by a reschedule; ``waived_minor`` stays their
total). Close of business reads what is still owed of each component from these (penalty base,
overdue principal, interest and fee owed, arrears): with the total alone it took the principal
of installments a reschedule had capitalised for unpaid, charged penalty on it and moved it to
130302 as soon as the loan fell overdue again.

And where each installment's interest period starts (``accrual_start``, from the engine): close
of business took the due date before it, which is wrong for a schedule rebuilt from a later date
(a reschedule, or a tranche, on a loan with nothing left to fall due): it accrued interest from
the old last due date. Existing installments get the due date before them (or the loan's
disbursement date), which is what close of business read until now.

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
        batch.add_column(sa.Column("accrual_start", sa.Date(), nullable=True))
    t = sa.table(
        TABLE,
        sa.column("loan_id"),
        sa.column("n"),
        sa.column("due_date"),
        sa.column("accrual_start"),
        sa.column("outstanding_minor"),
        sa.column("waived_minor"),
        *(sa.column(f"{part}_{kind}_minor") for part in COMPONENTS for kind in ("due", "paid")),
        *(sa.column(f"{part}_settled_minor") for part in COMPONENTS),
    )
    settled_whole = {
        f"{part}_settled_minor": t.c[f"{part}_due_minor"] - t.c[f"{part}_paid_minor"]
        for part in COMPONENTS
    }
    connection = op.get_bind()
    connection.execute(
        t.update().where(t.c.outstanding_minor == 0, t.c.waived_minor > 0).values(settled_whole)
    )
    before = t.alias("before")
    loans = sa.table("loans", sa.column("id"), sa.column("disbursement_date"))
    previous_due = (
        sa.select(sa.func.max(before.c.due_date))
        .where(before.c.loan_id == t.c.loan_id, before.c.n < t.c.n)
        .scalar_subquery()
    )
    disbursed = sa.select(loans.c.disbursement_date).where(loans.c.id == t.c.loan_id)
    connection.execute(
        t.update().values(accrual_start=sa.func.coalesce(previous_due, disbursed.scalar_subquery()))
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("accrual_start", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    for column in ("accrual_start", *(f"{part}_settled_minor" for part in COMPONENTS)):
        op.drop_column(TABLE, column)  # SQLite drops a column in place (3.35+)

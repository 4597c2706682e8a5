"""Each loan's off-balance interest (表外应收利息): ``loans.off_balance_interest_minor``, what the
memorandum accounts 7001/7002 carry for it, so that collecting, waiving or recovering that
interest takes it out of them again.

Existing loans get what was put there: the interest close of business kept off balance while
they did not accrue (``loan_close_state.off_balance_minor``, its running total) and the booked
interest a write-off moved there (``loan_events.detail.interest`` of the ``write_off`` event).
Nothing ever took it out before this revision, so that is the memorandum's balance today.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 05:20:00.000000
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from microlend.kernel.money import minor_digits

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COLUMN = "off_balance_interest_minor"


def _backfill() -> None:
    connection = op.get_bind()
    loans = sa.table(
        "loans", sa.column("id", ID), sa.column("currency", sa.String), sa.column(COLUMN)
    )
    state = sa.table("loan_close_state", sa.column("loan_id", ID), sa.column("off_balance_minor"))
    events = sa.table(
        "loan_events",
        sa.column("loan_id", ID),
        sa.column("kind", sa.String),
        sa.column("detail", sa.JSON),
    )
    accrued = (
        sa.select(state.c.off_balance_minor).where(state.c.loan_id == loans.c.id).scalar_subquery()
    )
    connection.execute(
        loans.update()
        .where(loans.c.id.in_(sa.select(state.c.loan_id).where(state.c.off_balance_minor != 0)))
        .values({COLUMN: accrued})
    )
    written_off = connection.execute(
        sa.select(events.c.loan_id, events.c.detail, loans.c.currency)
        .where(events.c.kind == "write_off", loans.c.id == events.c.loan_id)
        .order_by(events.c.loan_id)
    ).all()
    changes = []
    for loan_id, detail, code in written_off:
        interest = Decimal(str((detail or {}).get("interest") or 0))
        units = int(interest.scaleb(minor_digits(code)))
        if units:
            changes.append({"row_id": loan_id, "units": units})
    if changes:
        connection.execute(
            loans.update()
            .where(loans.c.id == sa.bindparam("row_id"))
            .values({COLUMN: loans.c[COLUMN] + sa.bindparam("units")}),
            changes,
        )


def upgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column(COLUMN, sa.BigInteger(), nullable=False, server_default="0"))
    _backfill()


def downgrade() -> None:
    # SQLite drops the column in place (3.35+): copying ``loans`` would break the tables that
    # refer to it
    op.drop_column("loans", COLUMN)

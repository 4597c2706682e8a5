"""The rate a loan is at after a reschedule changed it: ``loans.rate_in_force`` (None: the
contract's ``annual_rate``). The engine charges penalty at 1.5 x (the product's multiplier) the
rate in force; close of business priced it at the contract's rate, so a loan rescheduled to a
new rate with arrears left unpaid was charged the wrong penalty every night after.

Loans a reschedule already put at another rate get it from their stored engine book (the terms
in force it keeps, ``loans.book_state``), and their close state's penalty rate is cleared, so
that the next close of business prices it again at that rate (``close_state.ensure_states``).
A loan whose book is not stored keeps the contract's rate until its next command.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 14:10:00.000000
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BOOK_VERSION = 2  # loans.book_state.VERSION when this revision was written


def upgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.add_column(
            sa.Column("rate_in_force", microlend.db.base.DecimalText(length=64), nullable=True)
        )
    loans = sa.table(
        "loans",
        sa.column("id"),
        sa.column("annual_rate", microlend.db.base.DecimalText(length=64)),
        sa.column("rate_in_force", microlend.db.base.DecimalText(length=64)),
        sa.column("restructured", sa.Boolean()),
    )
    states = sa.table("loan_engine_states", sa.column("loan_id"), sa.column("state", sa.JSON()))
    close = sa.table(
        "loan_close_state",
        sa.column("loan_id"),
        *(sa.column(f"penalty_rate_{part}") for part in ("num", "den", "exact")),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(loans.c.id, loans.c.annual_rate, states.c.state)
        .join(states, states.c.loan_id == loans.c.id)
        .where(loans.c.restructured.is_(True))
    )
    for loan_id, contract_rate, book in rows.all():
        if not isinstance(book, dict) or book.get("version") != BOOK_VERSION:
            continue
        raw = (book.get("terms") or {}).get("annual_rate")
        if raw is None or Decimal(raw) == contract_rate:
            continue
        connection.execute(
            loans.update().where(loans.c.id == loan_id).values(rate_in_force=Decimal(raw))
        )
        connection.execute(
            close.update()
            .where(close.c.loan_id == loan_id)
            .values(penalty_rate_num=None, penalty_rate_den=None, penalty_rate_exact=None)
        )


def downgrade() -> None:
    op.drop_column("loans", "rate_in_force")  # SQLite drops a column in place (3.35+)

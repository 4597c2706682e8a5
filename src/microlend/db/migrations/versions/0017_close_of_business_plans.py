"""Close of business: the installments due on a date, by loan range.

``ix_loan_installments_company_due`` gains ``loan_id``: the due-and-overdue step of a partition
looks for its own installments due today (company, date, a range of loan ids). With the index
on (company, due date) alone, every partition read all the company's installments due that day
and kept its range's, so the step's cost grew with the square of the portfolio (forty partitions
at a million loans, each reading every installment due). Queries by company and date alone (the
reminders) use the new index as they did the old one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 04:25:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NAME, TABLE = "ix_loan_installments_company_due", "loan_installments"


def upgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, ["company_id", "due_date", "loan_id"])


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    op.create_index(NAME, TABLE, ["company_id", "due_date"])

"""Close of business for loans: accrual records, classification history, provisions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

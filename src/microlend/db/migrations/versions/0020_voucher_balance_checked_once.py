"""Vouchers: the balance check at commit runs once per voucher written, not once per row.

``ledger_voucher_balanced`` (PostgreSQL; a deferred constraint trigger on ``vouchers`` and on
``voucher_lines``) ran for the voucher and again for each of its lines, each time counting the
voucher's lines and summing them per currency in two queries: a voucher of two lines was
checked three times at commit, six queries (a bank file of 200 repayments: 1,200, most of its
commit's time). Now the two queries are one, and a line's check is left to its voucher's own
when the voucher was written by the same transaction outside any savepoint (its row's ``xmin``
is the transaction's id): that check runs at commit too, after every line of the transaction,
so it sees them all. A line added to a voucher of another transaction (or of a savepoint) is
checked by its own trigger, as before.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 03:40:00.000000
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_voucher_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target BIGINT;
    line_count BIGINT;
    off_currency TEXT;
BEGIN
    IF TG_TABLE_NAME = 'vouchers' THEN
        target := NEW.id;
    ELSE
        target := NEW.voucher_id;
        IF EXISTS (SELECT FROM vouchers WHERE id = target AND xmin = pg_current_xact_id()::xid)
        THEN
            RETURN NULL;
        END IF;
    END IF;
    SELECT coalesce(sum(lines), 0), min(currency) FILTER (WHERE balance <> 0)
        INTO line_count, off_currency
        FROM (SELECT currency, count(*) AS lines,
                     sum(CASE WHEN side = 'D' THEN amount_minor ELSE -amount_minor END) AS balance
                FROM voucher_lines WHERE voucher_id = target GROUP BY currency) AS per_currency;
    IF line_count < 2 THEN
        RAISE EXCEPTION 'voucher % has % line(s)', target, line_count
            USING ERRCODE = 'check_violation';
    END IF;
    IF off_currency IS NOT NULL THEN
        RAISE EXCEPTION 'voucher % does not balance in %', target, off_currency
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    """The function as revision 0002 made it."""
    if op.get_bind().dialect.name != "postgresql":
        return
    spec = importlib.util.spec_from_file_location(
        "microlend_migration_0002", Path(__file__).with_name("0002_accounting.py")
    )
    assert spec is not None and spec.loader is not None
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    op.execute(first.PG_BALANCED.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))

"""Ledger: a count of the changes to each company's chart and posting rules.

A voucher staged with a command's rows (``accounting.staged_postings``) is drafted from the
posting rules and accounts this process read, maybe in an earlier transaction; the statement that
writes it (``voucher_statement``) made sure they were still so by looking each rule up again
with its two accounts and their sub-accounts, for every voucher. Now the process reads the
company's count of changes before the rules, and the statement compares one number: triggers on
``ledger_accounts`` and ``posting_rules`` move the count with every row written or removed
(PostgreSQL, where the statement runs; the table is kept on SQLite too, empty).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TABLE = "ledger_books_versions"
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WATCHED = ("ledger_accounts", "posting_rules")
_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_books_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    company BIGINT;
BEGIN
    FOR company IN
        SELECT DISTINCT c FROM unnest(ARRAY[
            CASE WHEN TG_OP <> 'INSERT' THEN OLD.company_id END,
            CASE WHEN TG_OP <> 'DELETE' THEN NEW.company_id END
        ]) AS c WHERE c IS NOT NULL
    LOOP
        INSERT INTO ledger_books_versions AS b (company_id, version) VALUES (company, 1)
            ON CONFLICT (company_id) DO UPDATE SET version = b.version + 1;
    END LOOP;
    RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("company_id", ID, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_ledger_books_versions_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_ledger_books_versions")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table in _WATCHED:
        op.execute(
            f"CREATE TRIGGER {table}_books_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_books_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_books_changed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_books_changed()")
    op.drop_table(TABLE)

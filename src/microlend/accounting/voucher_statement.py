"""The vouchers of business events written by the command's last statement, on PostgreSQL
(``db.bulk.Writes.statement``): their period rows are locked and their numbers taken there, so
a period row is held from that statement to the commit, and posting costs no round trip of its
own.

``{rows}`` is the vouchers in order, each with its stored columns (not ``id`` nor ``number``),
its ``lines`` (their columns but ``voucher_id``) and ``books_version``: the count of changes to
the company's chart and rules its lines were made at, as the process read them
(``staged_postings``). The statement:

0. reads the vouchers (as ``jsonb``: each document is parsed once, where ``json`` was parsed
   again for its lines and for its rules);
1. finds whether the books changed since (a voucher's count is not the company's in
   ``ledger_books_versions``: a rule, an account, anything of the chart changed): then it writes
   no voucher (the caller posts them again, by reading);
2. keeps the vouchers whose idempotency key made none yet, numbered in order within their
   company and period (a key that made one is a replay: nothing to write), each with its id
   from the table's sequence;
3. takes their numbers: the period row's counter moves past them (the row made if new; a
   closed period, or one before a closed period, is left as it is and takes none);
4. writes the vouchers with the numbers taken, and
5. their lines (of the vouchers whose period took numbers: a voucher's lines are found by the
   id it was given in step 2, not by joining the written vouchers to their documents, which the
   planner, told of one voucher each side, did by comparing every pair);
6. (the main query, run first: the period rows are locked before the other rows of the
   statement, as when they were locked before it) returns what refuses the write:
   ``stale`` (step 1), ``closed`` (company, period, the latest closed period after it) and
   ``reused`` (company, key, number: the key made a voucher of other amounts). It returns rows
   only then, so that its rows can hold back a ``COMMIT`` sent with the statement
   (``db.bulk``, migration 0026): the check then acts on them in the transaction, still open.
"""

from __future__ import annotations

from typing import Any

from microlend.db.uow import UnitOfWork

_VOUCHER_COLUMNS = (
    "company_id, office_id, number, period, business_date, entered_at, kind, summary, "
    "idempotency_key, fingerprint, reverses_id, created_by, created_by_id"
)
_LINE_COLUMNS = (
    "line_no",
    "company_id",
    "office_id",
    "business_date",
    "account_id",
    "side",
    "amount_minor",
    "currency",
    "product_code",
    "loan_id",
    "customer_id",
    "memo",
)
_CLOSED_AFTER = (
    "SELECT {column} FROM ledger_periods AS later WHERE later.company_id = {of}.company_id "
    "AND later.period > {of}.period AND later.status = 'closed'"
)
# The voucher a key made, probed once per voucher through the (company, key) unique index: a
# subquery with LIMIT is not flattened into a join, so a plan cannot hash the company's whole
# table of vouchers instead, as plans made while the table was small did (their cost grew with
# every voucher posted until the plan was made again).
_MADE_BY_KEY = (
    "SELECT {column} FROM vouchers AS old WHERE old.company_id = s.company_id "
    "AND old.idempotency_key = s.idempotency_key LIMIT 1"
)
STATEMENT = (
    # 0: the vouchers
    "SELECT s.n, s.doc, v.* FROM jsonb_array_elements(CAST({rows} AS jsonb)) "
    "WITH ORDINALITY AS s (doc, n) "
    "CROSS JOIN LATERAL jsonb_populate_record(NULL::vouchers, s.doc) AS v",
    # 1: the books changed since the rules were read (one probe of the count per voucher)
    "SELECT true AS stale FROM {0} AS s WHERE CAST(s.doc ->> 'books_version' AS bigint) "
    "IS DISTINCT FROM coalesce((SELECT b.version FROM ledger_books_versions AS b "
    "WHERE b.company_id = s.company_id), 0) LIMIT 1",
    # 2: the vouchers to write, numbered within their period
    "SELECT s.*, row_number() OVER (PARTITION BY s.company_id, s.period ORDER BY s.n) AS k, "
    "count(*) OVER (PARTITION BY s.company_id, s.period) AS total, "
    "nextval((SELECT CAST(pg_get_serial_sequence('vouchers', 'id') AS regclass))) AS given "
    "FROM {0} AS s "
    f"WHERE NOT EXISTS (SELECT FROM {{1}}) AND ({_MADE_BY_KEY.format(column='old.id')}) IS NULL",
    # 3: the periods' counters moved past them (an open period only)
    "INSERT INTO ledger_periods AS p (company_id, period, status, last_number) "
    "SELECT f.company_id, f.period, 'open', max(f.total) FROM {2} AS f "
    f"WHERE NOT EXISTS ({_CLOSED_AFTER.format(column='', of='f')}) "
    "GROUP BY f.company_id, f.period ORDER BY f.company_id, f.period "
    "ON CONFLICT (company_id, period) DO UPDATE "
    "SET last_number = p.last_number + EXCLUDED.last_number WHERE p.status = 'open' "
    "RETURNING p.company_id, p.period, p.last_number",
    # 4: the vouchers, numbered
    f"INSERT INTO vouchers (id, {_VOUCHER_COLUMNS}) SELECT f.given, f.company_id, f.office_id, "
    "f.period || '-' || lpad(q.seq, greatest(6, length(q.seq)), '0'), f.period, "
    "f.business_date, f.entered_at, f.kind, f.summary, f.idempotency_key, f.fingerprint, "
    "f.reverses_id, f.created_by, f.created_by_id FROM {2} AS f "
    "JOIN {3} AS p ON p.company_id = f.company_id AND p.period = f.period "
    "CROSS JOIN LATERAL (SELECT CAST(p.last_number - f.total + f.k AS text) AS seq) AS q "
    "ORDER BY f.company_id, f.period, f.k",
    # 5: their lines
    f"INSERT INTO voucher_lines (voucher_id, {', '.join(_LINE_COLUMNS)}) "
    f"SELECT f.given, {', '.join(f'l.{name}' for name in _LINE_COLUMNS)} FROM {{2}} AS f "
    "JOIN {3} AS p ON p.company_id = f.company_id AND p.period = f.period "
    "CROSS JOIN LATERAL jsonb_populate_recordset(NULL::voucher_lines, f.doc -> 'lines') AS l",
    # 6: what refuses the write
    "SELECT 'stale' AS problem, CAST(NULL AS bigint) AS company_id, CAST(NULL AS text) AS a, "
    "CAST(NULL AS text) AS b FROM {1} "
    "UNION ALL SELECT 'closed', g.company_id, g.period, "
    f"({_CLOSED_AFTER.format(column='max(later.period)', of='g')}) "
    "FROM (SELECT DISTINCT company_id, period FROM {2}) AS g WHERE NOT EXISTS "
    "(SELECT FROM {3} AS p WHERE p.company_id = g.company_id AND p.period = g.period) "
    "UNION ALL SELECT 'reused', old.company_id, old.idempotency_key, old.number FROM {0} AS s "
    f"CROSS JOIN LATERAL ({_MADE_BY_KEY.format(column='old.*')}) AS old "
    "WHERE old.fingerprint IS DISTINCT FROM s.fingerprint",
)


def pending_keys(uow: UnitOfWork) -> set[tuple[int, str]]:
    """The (company, idempotency key) of the vouchers staged for ``STATEMENT``."""
    return {
        (row["company_id"], row["idempotency_key"])
        for step in uow.staged.steps
        if step.sql is STATEMENT
        for row in step.rows
    }


def flush_pending(uow: UnitOfWork) -> None:
    """Write what is staged if vouchers wait in it for ``STATEMENT``: before a period row is
    read to number vouchers here, or their keys looked up."""
    if any(step.sql is STATEMENT for step in uow.staged.steps):
        uow.flush_staged()


def problems(returned: list[Any]) -> list[tuple[str, int | None, str | None, str | None]]:
    """The rows of ``STATEMENT``'s main query, typed."""
    return [(str(kind), company, a, b) for kind, company, a, b in returned]

"""What a posting of events reads before its vouchers are written, in one round trip on
PostgreSQL: the period row locked (with the latest closed period after it), the posting rules
of the events with their accounts (those the transaction has not read yet), the vouchers the
events' keys made already, and ids for the new ones. Its lists are array parameters, so its text
is the same for any number of events (nothing for SQLAlchemy to expand per call).

For events of one company and one month whose period row exists; otherwise (and on SQLite,
where a query costs no round trip), or when the lock had to wait for another transaction that
posted into the period, ``post_many`` reads the same one thing at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY

from microlend.accounting import books, journal, voucher_statement
from microlend.accounting.model import LedgerEvent, period_of
from microlend.accounting.tables import LedgerPeriod
from microlend.db.bulk import next_id
from microlend.db.uow import UnitOfWork

_V = journal.VOUCHERS
_MADE = (
    select(func.json_agg(func.json_build_array(_V.c.id, _V.c.idempotency_key)))
    .where(
        _V.c.company_id == bindparam("company_id"),
        _V.c.idempotency_key == any_(bindparam("keys", type_=ARRAY(String))),
    )
    .scalar_subquery()
)
_IDS = (
    select(func.array_agg(next_id(_V.name)))
    .select_from(func.generate_series(1, bindparam("count")))
    .scalar_subquery()
)
_RULES = (
    select(func.json_agg(func.json_build_array(*books.rule_columns())))
    .select_from(books.RULE_ACCOUNTS)
    .where(
        books.RULES.c.company_id == bindparam("company_id"),
        books.RULES.c.event_type == any_(bindparam("types", type_=ARRAY(String))),
        books.RULES.c.product_code == any_(bindparam("products", type_=ARRAY(String))),
    )
    .scalar_subquery()
)


# the period row's xmin as locked and as the statement's snapshot saw it: they differ when the
# lock waited for a transaction that posted into the period, and then what was read with the row
# (the vouchers the keys made, above all) is the snapshot's, older than the lock
_LOCKED_XMIN: Any = literal_column("ledger_periods.xmin::text")
_SEEN_XMIN: Any = literal_column(
    "(SELECT seen.xmin::text FROM ledger_periods AS seen WHERE seen.id = ledger_periods.id)"
)


def _statement(with_rules: bool) -> Any:
    rules: Any = _RULES if with_rules else func.json_build_array()
    return (
        select(LedgerPeriod, journal.CLOSED_AFTER, _MADE, _IDS, rules, _LOCKED_XMIN, _SEEN_XMIN)
        .where(
            LedgerPeriod.company_id == bindparam("company_id"),
            LedgerPeriod.period == bindparam("period"),
        )
        .with_for_update(of=LedgerPeriod)
        .execution_options(populate_existing=True)
    )


_WITH_RULES, _WITHOUT_RULES = _statement(True), _statement(False)


def prepare(uow: UnitOfWork, events: list[LedgerEvent]) -> journal.Prepared | None:
    """Read what posting ``events`` needs in one query (None: not in one; read it piece by
    piece). The period stays locked for the transaction, the rules are kept for it."""
    companies = {event.company_id for event in events}
    months = {period_of(event.business_date) for event in events}
    if uow.dialect != "postgresql" or len(companies) != 1 or len(months) != 1:
        return None
    voucher_statement.flush_pending(uow)  # the numbers and keys it writes come before these
    company, month = companies.pop(), months.pop()
    if journal.held_period(uow, company, month) is not None:
        return None
    wanted = sorted(
        {
            (event.type, event.dims.product_code)
            for event in events
            if not books.known_rules(uow, company, event.type, event.dims.product_code)
        },
        key=str,
    )
    params = {
        "company_id": company,
        "period": month,
        "keys": sorted({event.idempotency_key for event in events}),
        "count": len(events),
        "types": sorted({event_type for event_type, _ in wanted}),
        "products": sorted({"", *(product or "" for _, product in wanted)}),
    }
    found = uow.session.execute(_WITH_RULES if wanted else _WITHOUT_RULES, params).one_or_none()
    if found is None:
        return None  # the month's first posting: its period row is made the usual way
    period, closed_after, made, ids, rules, locked_xmin, seen_xmin = found
    if locked_xmin != seen_xmin:
        return None  # waited for another posting: read it all again, under the lock now held
    journal.hold_period(uow, period, closed_after)
    if wanted:
        books.keep_rules(uow, company, wanted, [tuple(row) for row in rules or ()])
    existing = journal.made_by_keys(uow, [int(voucher_id) for voucher_id, _ in made or ()])
    return existing, [int(voucher_id) for voucher_id in ids]

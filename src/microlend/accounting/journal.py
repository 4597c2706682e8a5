"""The journal: every voucher is written here, by ``record_voucher``.

Writing a voucher locks the company's period row (``ledger_periods``, created on first use), which
both refuses a closed period and hands out the next gapless number (凭证号) of the month. On SQLite
``BEGIN IMMEDIATE`` already serializes writers; on PostgreSQL the row lock does it, and a close
waits for the postings in flight. A posting and a month's close or reopen also share a lock of the
company (``guard_months``): the close's checks and kept balances see every posting that passed
its own closed-month check, and a posting checks after any close in flight has committed. An
idempotency key is looked up before and again under the lock, so that two racing posts of one
event give one voucher.

The vouchers a loan command stages (``staged_postings``) take their numbers in the command's
last statement on PostgreSQL instead (``voucher_statement``): a period this transaction holds
here keeps its numbers here, and one it does not is read here only after those staged are
written (``voucher_statement.flush_pending``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, literal, select, text, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from microlend.accounting import books, voucher_statement
from microlend.accounting.model import (
    Dims,
    LineDraft,
    Side,
    check_balanced,
    period_of,
    voucher_number,
)
from microlend.accounting.tables import LedgerAccount, LedgerPeriod, Voucher, VoucherLine
from microlend.accounting.views import LineView, VoucherView
from microlend.db.bulk import Writes, allocate_ids, next_id, table_of
from microlend.db.conflicts import dialect_insert
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation
from microlend.kernel.fingerprint import digest
from microlend.kernel.money import Money

OPEN, CLOSED = "open", "closed"
LATER_KEY = books.LATER_KEY
PERIODS = table_of(LedgerPeriod)
VOUCHERS = table_of(Voucher)
LINES = table_of(VoucherLine)


@dataclass(frozen=True)
class VoucherDraft:
    """Everything a voucher is made of, before it gets its number."""

    company_id: int
    office_id: int
    business_date: date
    kind: str
    summary: str
    lines: list[LineDraft]
    idempotency_key: str | None = None
    reverses_id: int | None = None

    def fingerprint(self) -> str:
        """What makes two posts of one key "the same": date, kind, office and lines."""
        return digest(
            {
                "date": self.business_date,
                "kind": self.kind,
                "office": self.office_id,
                "lines": sorted(
                    [
                        line.account_code,
                        line.side.value,
                        line.amount_minor,
                        line.currency,
                        line.office_id,
                    ]
                    for line in self.lines
                ),
            }
        )


def _insert_period(uow: UnitOfWork, company_id: int, period: str) -> None:
    values = {"company_id": company_id, "period": period, "status": OPEN, "last_number": 0}
    stmt = dialect_insert(uow, LedgerPeriod).values(**values)
    uow.session.execute(stmt.on_conflict_do_nothing(index_elements=["company_id", "period"]))


def held_period(uow: UnitOfWork, company_id: int, period: str) -> LedgerPeriod | None:
    """The period row if this transaction already locked it."""
    locks: dict[tuple[int, str], LedgerPeriod] = uow.session.info.get(books.LOCKS_KEY, {})
    return locks.get((company_id, period))


_LATER = aliased(LedgerPeriod)
CLOSED_AFTER = (  # the latest closed period after the period row selected with it
    select(func.max(_LATER.period))
    .where(
        _LATER.company_id == LedgerPeriod.company_id,
        _LATER.status == CLOSED,
        _LATER.period > LedgerPeriod.period,
    )
    .scalar_subquery()
)
_LOCK_PERIOD = (
    select(LedgerPeriod, CLOSED_AFTER)
    .where(
        LedgerPeriod.company_id == bindparam("company_id"),
        LedgerPeriod.period == bindparam("period"),
    )
    .with_for_update(of=LedgerPeriod)
    .execution_options(populate_existing=True)
)


MONTHS_LOCK = 0x4D4C  # the class of the advisory lock ``guard_months`` takes, beside the company
_GUARD = {
    closing: text(
        f"SELECT {function}(:kind, CAST(:company % 2147483647 AS integer))"
    )  # a company id past 2**31 shares a key with another company: both wait a little more
    for closing, function in (
        (False, "pg_advisory_xact_lock_shared"),
        (True, "pg_advisory_xact_lock"),
    )
}


def guard_months(uow: UnitOfWork, company_id: int, *, closing: bool = False) -> None:
    """Hold the company's months for this transaction: shared by a posting before it reads
    its period, alone by a month's close or reopen before its checks. A row lock cannot do it:
    a posting back-dated into a month with no voucher yet makes that month's row, which a close
    of a later month has never seen, and it checks the later months before that close commits.
    Held so, a close waits for the postings that checked before it and sees their lines (they
    make an earlier month open, or are in its kept balances), and a posting that starts during
    a close waits and then finds the month closed. On SQLite ``BEGIN IMMEDIATE`` already runs
    one writer at a time. Loan commands number their vouchers in one statement of their own
    (``voucher_statement``) and do not take it: they post on the business date, after every
    month a close may take."""
    if uow.dialect != "postgresql":
        return
    held: dict[int, bool] = uow.session.info.setdefault(books.GUARD_KEY, {})
    if company_id in held and (held[company_id] or not closing):
        return
    uow.session.execute(_GUARD[closing], {"kind": MONTHS_LOCK, "company": company_id})
    held[company_id] = closing


def locked_period(uow: UnitOfWork, company_id: int, period: str) -> LedgerPeriod:
    """The period row, created if new, locked for this transaction (read with the latest
    closed period after it, for ``refuse_closed``), after ``guard_months``."""
    held = held_period(uow, company_id, period)
    if held is not None:
        return held
    voucher_statement.flush_pending(uow)  # the numbers it takes come before those read here
    guard_months(uow, company_id)
    where = {"company_id": company_id, "period": period}
    found = uow.session.execute(_LOCK_PERIOD, where).one_or_none()
    if found is None:
        _insert_period(uow, company_id, period)
        found = uow.session.execute(_LOCK_PERIOD, where).one()
    row: LedgerPeriod = found[0]
    hold_period(uow, row, found[1])
    return row


def hold_period(uow: UnitOfWork, row: LedgerPeriod, closed_after: str | None) -> None:
    """Keep the period row this transaction locked, with the latest closed period after it."""
    uow.session.info.setdefault(books.LOCKS_KEY, {})[(row.company_id, row.period)] = row
    uow.session.info.setdefault(LATER_KEY, {})[(row.company_id, row.period)] = closed_after


def refuse_closed(
    uow: UnitOfWork, company_id: int, row: LedgerPeriod, *, checked: bool = False
) -> None:
    """No posting into a closed period, nor into one before the latest closed period
    (``checked``: the later periods were looked at already in this transaction)."""
    if row.status == CLOSED:
        raise closed_error(row.period, None)
    known: dict[tuple[int, str], str | None] = uow.session.info.get(LATER_KEY, {})
    if (company_id, row.period) in known:  # read with the period's lock
        later = known[(company_id, row.period)]
    elif checked:
        return
    else:
        later = uow.session.scalar(
            select(LedgerPeriod.period).where(
                LedgerPeriod.company_id == company_id,
                LedgerPeriod.status == CLOSED,
                LedgerPeriod.period > row.period,
            )
        )
    if later is not None:
        raise closed_error(row.period, later)


def closed_error(period: str, later: str | None) -> RuleViolation:
    """The refusal of a posting into ``period``: closed, or before ``later``, a closed one."""
    extra = {"period": period}
    if later is None:
        params = {"period": period}
        return RuleViolation("period %(period)s is closed", code="period_closed", extra=extra,
                             params=params)  # fmt: skip
    params = {"period": period, "later": later}
    return RuleViolation("period %(later)s is closed, so %(period)s is too", code="period_closed",
                         extra=extra, params=params)  # fmt: skip


def find_by_key(uow: UnitOfWork, company_id: int, key: str) -> Voucher | None:
    return uow.session.scalars(
        select(Voucher).where(Voucher.company_id == company_id, Voucher.idempotency_key == key)
    ).one_or_none()


_KEYS = select(VOUCHERS.c.id, VOUCHERS.c.company_id, VOUCHERS.c.idempotency_key).where(
    VOUCHERS.c.company_id == bindparam("company_id"),
    VOUCHERS.c.idempotency_key.in_(bindparam("keys", expanding=True)),
)
_KEYS_AND_IDS = union_all(
    _KEYS,
    select(
        next_id(VOUCHERS.name),
        literal(None, Integer),
        literal(None, String),
    ).select_from(func.generate_series(1, bindparam("count"))),
)


Prepared = tuple[dict[tuple[int, str], Voucher], list[int]]  # vouchers the keys made, new ids


def _keys_and_ids(uow: UnitOfWork, drafts: list[VoucherDraft]) -> Prepared:
    """The vouchers the drafts' keys made already, and an id for each draft to write (on
    PostgreSQL, for one company, in one query: the keys looked up and the ids drawn from the
    sequence)."""
    wanted: dict[int, set[str]] = {}
    for draft in drafts:
        if draft.idempotency_key is not None:
            wanted.setdefault(draft.company_id, set()).add(draft.idempotency_key)
    ids: list[int] = []
    found: list[int] = []
    together = uow.dialect == "postgresql" and len(wanted) <= 1
    for company, keys in wanted.items() or [(0, set())]:
        where = {"company_id": company, "keys": sorted(keys)}
        if together:
            rows = uow.session.execute(_KEYS_AND_IDS, {**where, "count": len(drafts)})
            for voucher_id, key_company, _key in rows:
                (ids if key_company is None else found).append(int(voucher_id))
        elif keys:
            found += [int(row[0]) for row in uow.session.execute(_KEYS, where)]
    existing = made_by_keys(uow, found)
    if not together:
        ids = allocate_ids(uow.session, VOUCHERS, len(drafts) - len(existing))
    return existing, ids


def made_by_keys(uow: UnitOfWork, voucher_ids: list[int]) -> dict[tuple[int, str], Voucher]:
    """The vouchers of ``voucher_ids`` (that keys made) by company and key."""
    if not voucher_ids:
        return {}
    made = uow.session.scalars(select(Voucher).where(Voucher.id.in_(voucher_ids))).all()
    return {(row.company_id, str(row.idempotency_key)): row for row in made}


def _replayed(uow: UnitOfWork, existing: Voucher, draft: VoucherDraft) -> VoucherView:
    if existing.fingerprint != draft.fingerprint():
        raise Conflict(
            "event %(idempotency_key)s was posted with different amounts",
            code="event_key_reused",
            extra={"voucher": existing.number},
            params={"idempotency_key": draft.idempotency_key},
        )
    return load_view(uow, existing)


def record_voucher(
    uow: UnitOfWork,
    draft: VoucherDraft,
    *,
    created_by: str,
    created_by_id: int | None,
    now: datetime,
) -> VoucherView:
    """Write ``draft`` as the next voucher of its period (or return the one its key made)."""
    return record_vouchers(
        uow, [draft], created_by=created_by, created_by_id=created_by_id, now=now
    )[0]


def record_vouchers(
    uow: UnitOfWork,
    drafts: list[VoucherDraft],
    *,
    created_by: str,
    created_by_id: int | None,
    now: datetime,
    staged: Writes | None = None,
    prepared: Prepared | None = None,
) -> list[VoucherView]:
    """Write ``drafts``, in order, as the next vouchers of their periods (or return those their
    keys made): staged in ``staged``, or written at once. The periods are locked first (in
    order), then the keys looked up under the locks, so two racing posts of one event give one
    voucher (``prepared``: that was done already, with the drafts' keys and ids for them)."""
    if staged is None:
        uow.flush_staged()  # what is written at once comes after what was staged before it
    else:
        voucher_statement.flush_pending(uow)  # their keys are looked up, their numbers counted
    checked = [check_balanced(draft.lines) for draft in drafts]
    months = sorted({(d.company_id, period_of(d.business_date)) for d in drafts})
    seen = {month: held_period(uow, *month) is not None for month in months}
    periods = {month: locked_period(uow, *month) for month in months}
    existing, allocated = prepared if prepared is not None else _keys_and_ids(uow, drafts)
    ids = iter(allocated)
    writes = staged if staged is not None else Writes()
    views: list[VoucherView | None] = [None] * len(drafts)
    made: dict[tuple[int, str], tuple[VoucherDraft, VoucherView]] = {}
    for n, draft in enumerate(drafts):
        key = (draft.company_id, draft.idempotency_key or "")
        if draft.idempotency_key is not None and key in existing:
            views[n] = _replayed(uow, existing[key], draft)
            continue
        if draft.idempotency_key is not None and key in made:
            first, view = made[key]  # the same key twice in one call: the first made it
            if first.fingerprint() != draft.fingerprint():
                raise Conflict(
                    "event %(idempotency_key)s was posted with different amounts",
                    code="event_key_reused",
                    extra={"voucher": view.number},
                    params={"idempotency_key": draft.idempotency_key},
                )
            views[n] = view
            continue
        month = (draft.company_id, period_of(draft.business_date))
        period = periods[month]
        refuse_closed(uow, draft.company_id, period, checked=seen[month])
        seen[month] = True
        views[n] = _stage_voucher(uow, writes, draft, checked[n], period, next(ids), created_by,
                                  created_by_id, now)  # fmt: skip
        if draft.idempotency_key is not None:
            made[key] = (draft, views[n])  # type: ignore[assignment]
    if staged is None:
        uow.session.flush()
        writes.flush(uow.session)
    return [view for view in views if view is not None]


def _stage_voucher(
    uow: UnitOfWork,
    writes: Writes,
    draft: VoucherDraft,
    lines: list[LineDraft],
    period: LedgerPeriod,
    voucher_id: int,
    created_by: str,
    created_by_id: int | None,
    now: datetime,
) -> VoucherView:
    company = draft.company_id
    postable = books.postable_accounts(uow, company, {line.account_code for line in lines})
    accounts = [postable[line.account_code] for line in lines]
    number = period.last_number + 1
    set_committed_value(period, "last_number", number)
    writes.keep(PERIODS, {"id": period.id, "last_number": number})
    voucher = {
        "id": voucher_id,
        "company_id": company,
        "office_id": draft.office_id,
        "number": voucher_number(period.period, number),
        "period": period.period,
        "business_date": draft.business_date,
        "entered_at": now,
        "kind": draft.kind,
        "summary": draft.summary[:300],
        "idempotency_key": draft.idempotency_key,
        "fingerprint": draft.fingerprint() if draft.idempotency_key else None,
        "reverses_id": draft.reverses_id,
        "created_by": created_by,
        "created_by_id": created_by_id,
    }
    rows = [{"voucher_id": voucher_id, **row} for row in line_rows(draft, lines, accounts)]
    writes.insert(VOUCHERS, [voucher])
    writes.insert(LINES, rows)
    views = tuple(_line_view(row, account) for row, account in zip(rows, accounts, strict=True))
    return _view_of_values(voucher, views)


def line_rows(
    draft: VoucherDraft, lines: list[LineDraft], accounts: list[books.Postable]
) -> list[dict[str, Any]]:
    """The stored columns of a voucher's lines (but the voucher's id), numbered from 1."""
    return [
        {
            "line_no": number,
            "company_id": draft.company_id,
            "office_id": line.office_id,
            "business_date": draft.business_date,
            "account_id": account.id,
            "side": line.side.value,
            "amount_minor": line.amount_minor,
            "currency": line.currency,
            "product_code": line.dims.product_code,
            "loan_id": line.dims.loan_id,
            "customer_id": line.dims.customer_id,
            "memo": line.memo[:200],
        }
        for number, (line, account) in enumerate(zip(lines, accounts, strict=True), start=1)
    ]


def _line_view(row: dict[str, Any], account: books.Postable | LedgerAccount) -> LineView:
    return LineView(
        line_no=row["line_no"],
        account_code=account.code,
        account_name=account.name_zh,
        account_name_en=account.name_en,
        side=row["side"],
        amount=Money.from_minor(row["amount_minor"], row["currency"]).amount,
        currency=row["currency"],
        office_id=row["office_id"],
        product_code=row["product_code"],
        loan_id=row["loan_id"],
        customer_id=row["customer_id"],
        memo=row["memo"],
    )


def voucher_view(voucher: Voucher, rows: list[VoucherLine], chart: books.Chart) -> VoucherView:
    fields = [
        "line_no",
        "account_id",
        "side",
        "amount_minor",
        "currency",
        "office_id",
        "product_code",
        "loan_id",
        "customer_id",
        "memo",
    ]
    ordered = sorted(rows, key=lambda row: row.line_no)
    lines = tuple(
        _line_view({f: getattr(row, f) for f in fields}, chart.by_id[row.account_id])
        for row in ordered
    )
    return _view_of(voucher, lines)


_VOUCHER_FIELDS = (
    "id",
    "company_id",
    "office_id",
    "number",
    "period",
    "business_date",
    "entered_at",
    "kind",
    "summary",
    "idempotency_key",
    "reverses_id",
    "created_by",
)


def _view_of_values(voucher: dict[str, Any], lines: tuple[LineView, ...]) -> VoucherView:
    return VoucherView(**{name: voucher[name] for name in _VOUCHER_FIELDS}, lines=lines)


def _view_of(voucher: Voucher, lines: tuple[LineView, ...]) -> VoucherView:
    return _view_of_values({name: getattr(voucher, name) for name in _VOUCHER_FIELDS}, lines)


def load_view(uow: UnitOfWork, voucher: Voucher) -> VoucherView:
    rows = list(
        uow.session.scalars(select(VoucherLine).where(VoucherLine.voucher_id == voucher.id))
    )
    return voucher_view(voucher, rows, books.chart(uow, voucher.company_id))


def drafts_of(uow: UnitOfWork, voucher: Voucher) -> list[LineDraft]:
    """A stored voucher's lines as drafts (to reverse them)."""
    chart = books.chart(uow, voucher.company_id)
    rows = uow.session.scalars(
        select(VoucherLine)
        .where(VoucherLine.voucher_id == voucher.id)
        .order_by(VoucherLine.line_no)
    )
    return [
        LineDraft(
            chart.code_of(row.account_id),
            Side(row.side),
            row.amount_minor,
            row.currency,
            row.office_id,
            Dims(row.product_code, row.loan_id, row.customer_id),
            row.memo,
        )
        for row in rows
    ]

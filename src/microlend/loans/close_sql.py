"""Shared SQL pieces of the loans' close of business: which loans take part, arrears, whole days
between dates, the day count conventions and the rounding modes, in SQL that SQLite and
PostgreSQL evaluate alike (integer arithmetic only: no floats, no text decimals).

* ``days_between``: actual days (``later - earlier``).
* ``day_count_days``: days under a convention column holding ``DayCount`` values (the 30/360
  family by the ISDA rules of ``kernel.daycount``, the ACT family actual days).
* ``divide_rounded``: ``num / den`` rounded to an integer by a column holding ``Rounding``
  values, for ``num >= 0`` and ``den > 0`` (what ``Decimal.quantize`` gives with that mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    BindParameter,
    ColumnElement,
    CursorResult,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    or_,
    text,
)
from sqlalchemy.types import Date

from microlend.db.base import DecimalText
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans.tables import Loan, LoanInstallment

OPEN_STATUSES = ("active", "overdue", "rescheduled")
SqlInt = ColumnElement[int]
Expr = SQLColumnExpression
DateLike = SQLColumnExpression[date] | SQLColumnExpression[date | None] | date
IdArg = int | BindParameter[int]  # an id, or the partition's bound parameter for it
DayArg = date | BindParameter[date]


class Bound:
    """The partition's company, id range and business date as bound parameters: a statement
    built with them is built once per dialect (``functools.cache``) and executed with
    ``Bound.values(...)``, so that a small company's nightly run does not rebuild its biggest
    statements (and their cache keys) every day."""

    company: BindParameter[int] = bindparam("p_company", type_=BigInteger)
    low: BindParameter[int] = bindparam("p_low", type_=BigInteger)
    high: BindParameter[int] = bindparam("p_high", type_=BigInteger)
    day: BindParameter[date] = bindparam("p_day", type_=Date)
    mark: BindParameter[str] = bindparam("p_mark", type_=String)

    @staticmethod
    def values(company_id: int, day: date, low: int, high: int, **extra: Any) -> dict[str, Any]:
        return {"p_company": company_id, "p_day": day, "p_low": low, "p_high": high, **extra}


def open_loans(company_id: IdArg, id_low: IdArg, id_high: IdArg) -> list[ColumnElement[bool]]:
    """The loans of a partition that close of business works on."""
    return [
        Loan.company_id == company_id,
        Loan.id >= id_low,
        Loan.id <= id_high,
        Loan.status.in_(OPEN_STATUSES),
    ]


def rate_in_force() -> ColumnElement[Decimal]:
    """The annual rate a loan is at: a reschedule's (``rate_in_force``) or the contract's."""
    return func.coalesce(Loan.rate_in_force, Loan.annual_rate, type_=DecimalText())


# written inline: SQLite matches a partial index's condition only so (not a bound parameter)
OVERDUE = literal_column("'overdue'", String)
ZERO = literal_column("0", BigInteger)


def overdue_loans(company_id: IdArg, id_low: IdArg, id_high: IdArg) -> list[ColumnElement[bool]]:
    """The overdue loans of a partition, read through ``ix_loans_overdue`` (a partial index):
    a few of the range's loans, not all of them. Join other tables to them by loan id alone
    (no range of their own), so that each is read by index for these loans only."""
    return [
        Loan.company_id == company_id,
        Loan.id >= id_low,
        Loan.id <= id_high,
        Loan.status == OVERDUE,
    ]


def in_range(column: Any, id_low: IdArg, id_high: IdArg) -> list[ColumnElement[bool]]:
    """``id_low <= column <= id_high``: written on every table a statement joins by loan, so
    that the planner reads each through its index over the range alone."""
    return [column >= id_low, column <= id_high]


def installments_of(company_id: IdArg, id_low: IdArg, id_high: IdArg) -> list[ColumnElement[bool]]:
    """The installments of a partition's loans (open or not: join ``Loan`` to narrow)."""
    i = LoanInstallment
    return [i.company_id == company_id, i.loan_id >= id_low, i.loan_id <= id_high]


def unpaid(part: str, i: Any = LoanInstallment) -> ColumnElement[int]:
    """What an installment still owes of component ``part`` (principal, interest, fee or
    penalty): due less paid less settled otherwise (waived, or capitalised by a reschedule)."""
    due, paid = getattr(i, f"{part}_due_minor"), getattr(i, f"{part}_paid_minor")
    return due - paid - getattr(i, f"{part}_settled_minor")  # type: ignore[no-any-return]


def arrears(i: Any = LoanInstallment) -> ColumnElement[int]:
    """Principal, interest and fee still owed on an installment (penalty apart)."""
    return i.outstanding_minor - unpaid("penalty", i)  # type: ignore[no-any-return]


def positive(value: ColumnElement[int]) -> ColumnElement[int]:
    """``value`` if above zero, else 0."""
    return case((value > 0, value), else_=0)


COUNTED = {"preserve_rowcount": True}  # an INSERT's rowcount is kept only when asked


def rowcount(result: Any) -> int:
    """Rows an UPDATE or INSERT ... SELECT touched (execute an INSERT with ``COUNTED``)."""
    assert isinstance(result, CursorResult)
    return max(int(result.rowcount), 0)


def layer(query: Select[Any], name: str) -> CTE:
    """``query`` as a materialised common table expression: computed once, its columns
    referenced by name. Inlined (as a subquery would be), a long expression referenced several
    times further up is copied into each reference, and planning grows with every layer."""
    return query.cte(name).prefix_with("MATERIALIZED")


GROWN = """
SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = current_schema() AND s.relname = ANY(:names)
AND s.n_live_tup > 2 * greatest(c.reltuples, 0) + 10000
"""


def keep_statistics(uow: UnitOfWork, *tables: str) -> list[str]:
    """PostgreSQL: ``ANALYZE`` the tables that have more than doubled since they were last
    analysed (the ones returned). On a company's first close of business the day's rows of a
    table that was nearly empty would otherwise be planned as a handful, and a join driven by
    them would read the whole table once per row; autovacuum catches up only later. Cheap when
    nothing grew (one look at the statistics views); a table that gains a day of rows among a
    year's does not qualify."""
    if uow.dialect != "postgresql":
        return []
    grown = list(uow.session.scalars(text(GROWN), {"names": list(tables)}))
    for name in grown:
        uow.session.execute(text(f'ANALYZE "{name}"'))
    return grown


@contextmanager
def _settings(uow: UnitOfWork, **settings: str) -> Iterator[None]:
    """PostgreSQL: the block runs with ``settings`` for its transaction (``set_config(name,
    value, true)``, as ``SET LOCAL``), all set in one round trip and all put back to their
    defaults in another (each ``reset_val``, as ``SET LOCAL ... TO DEFAULT``): a close of
    business sets them around most steps, every day."""
    if uow.dialect != "postgresql":
        yield
        return
    names = list(settings)
    uow.session.execute(
        text(
            "SELECT set_config(name, value, true)"
            " FROM unnest(CAST(:names AS text[]), CAST(:values AS text[])) AS s(name, value)"
        ),
        {"names": names, "values": [settings[name] for name in names]},
    )
    yield
    uow.session.execute(
        text("SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = ANY(:names)"),
        {"names": names},
    )


# plan every statement for its parameters, without JIT compilation (``custom_plans``)
_CUSTOM_PLANS = {"plan_cache_mode": "force_custom_plan", "jit": "off"}


def custom_plans(uow: UnitOfWork) -> AbstractContextManager[None]:
    """PostgreSQL: plan every statement of the block for its parameters (``plan_cache_mode =
    force_custom_plan``). The driver prepares a statement it has run five times on a
    connection, and PostgreSQL may then switch to a generic plan, made without the partition's
    range and date: at a million loans (forty partitions, twenty per worker) such a plan of the
    penalty step ran for minutes where the custom one takes a fraction of a second. Planning
    these statements costs milliseconds.

    Without JIT compilation (``jit = off``): the statements' estimated costs pass the server's
    JIT thresholds (a correlated sum per loan, ``enable_seqscan = off``), and compiling with
    inlining and optimisation took longer than the work itself (at a million loans the overdue
    transfer's select of a partition ran 0.8 s, of which the rows took a few hundredths). The
    settings end with the block (or the transaction)."""
    return _settings(uow, **_CUSTOM_PLANS)


def by_index(uow: UnitOfWork) -> AbstractContextManager[None]:
    """PostgreSQL: plan the block's statements without sequential scans (``enable_seqscan =
    off``), each for its own parameters (as ``custom_plans``). For joins that update a
    partition's rows of a big table (the day's accrual rows) from a few hundred computed rows:
    with statistics that still describe the table as nearly empty (a company's first close of
    business), the planner otherwise scans the whole table once per computed row. The settings
    end with the block (or the transaction)."""
    return _settings(uow, enable_seqscan="off", **_CUSTOM_PLANS)


def _date(dialect: str, value: DateLike) -> Any:
    if isinstance(value, date):
        return literal(value.isoformat()) if dialect == "sqlite" else literal(value, Date)
    return value


def days_between(dialect: str, later: DateLike, earlier: DateLike) -> SqlInt:
    """Whole days from ``earlier`` to ``later`` on either backend."""
    if dialect == "sqlite":
        diff = func.julianday(_date(dialect, later)) - func.julianday(_date(dialect, earlier))
        return cast(diff, Integer)
    return cast(_date(dialect, later) - _date(dialect, earlier), Integer)


@dataclass(frozen=True)
class DateParts:
    """Year, month and day of a date column or a fixed date, and whether it is the last day of
    February, as SQL integers and a condition."""

    year: SqlInt
    month: SqlInt
    day: SqlInt
    last_of_february: ColumnElement[bool]

    @classmethod
    def of(cls, value: DateLike) -> DateParts:
        if isinstance(value, date):
            y, m, d = value.year, value.month, value.day
            is_leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
            is_last = m == 2 and d == (29 if is_leap else 28)
            return cls(_int(y), _int(m), _int(d), literal(is_last))
        parts = ("year", "month", "day")
        year, month, day = (cast(extract(part, value), Integer) for part in parts)
        leap = and_(year % 4 == 0, or_(year % 100 != 0, year % 400 == 0))
        last = and_(month == 2, or_(day == 29, and_(day == 28, ~leap)))
        return cls(year, month, day, last)


def _int(value: int) -> SqlInt:
    return literal(value, Integer)


def _thirty(a: DateParts, d1: SqlInt, b: DateParts, d2: SqlInt) -> SqlInt:
    return 360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1)


def thirty_360(a: DateParts, b: DateParts) -> SqlInt:
    """30/360 Bond Basis: D1 = 31 -> 30; D2 = 31 -> 30 when D1 >= 30."""
    d1 = case((a.day >= 30, 30), else_=a.day)
    d2 = case((and_(b.day == 31, a.day >= 30), 30), else_=b.day)
    return _thirty(a, d1, b, d2)


def thirty_us_360(a: DateParts, b: DateParts) -> SqlInt:
    """30/360 US: as Bond Basis, and the last day of February counts as day 30 (D1 always; D2
    when D1 is also February's last day)."""
    d1_is_30 = or_(a.last_of_february, a.day >= 30)
    d1 = case((d1_is_30, 30), else_=a.day)
    d2 = case(
        (and_(a.last_of_february, b.last_of_february), 30),
        (and_(b.day == 31, d1_is_30), 30),
        else_=b.day,
    )
    return _thirty(a, d1, b, d2)


def thirty_e_360(a: DateParts, b: DateParts) -> SqlInt:
    """30E/360: any 31st counts as the 30th."""
    d1 = case((a.day >= 30, 30), else_=a.day)
    d2 = case((b.day >= 30, 30), else_=b.day)
    return _thirty(a, d1, b, d2)


def day_count_days(dialect: str, convention: Expr[str], start: DateLike, end: DateLike) -> SqlInt:
    """Days from ``start`` to ``end`` under the convention named by ``convention``."""
    a, b = DateParts.of(start), DateParts.of(end)
    return case(
        (convention == DayCount.THIRTY_360.value, thirty_360(a, b)),
        (convention == DayCount.THIRTY_U_360.value, thirty_us_360(a, b)),
        (convention == DayCount.THIRTY_E_360.value, thirty_e_360(a, b)),
        else_=days_between(dialect, end, start),
    )


def divide_rounded(num: Expr[int], den: Expr[int | None], rounding: Expr[str]) -> SqlInt:
    """``num / den`` rounded to an integer with the mode named by ``rounding`` (num >= 0,
    den > 0; NULL for den = 0): integer division, then the remainder decides."""
    n, d = cast(num, BigInteger), func.nullif(cast(den, BigInteger), 0, type_=BigInteger)
    quotient, twice_rest = n // d, 2 * (n % d)
    return case(
        (rounding == Rounding.DOWN.value, quotient),
        (rounding == Rounding.UP.value, quotient + case((n % d > 0, 1), else_=0)),
        (
            rounding == Rounding.HALF_EVEN.value,
            quotient + case((twice_rest > d, 1), (twice_rest == d, quotient % 2), else_=0),
        ),
        else_=quotient + case((twice_rest >= d, 1), else_=0),  # half up
    )

"""The close of business's SQL arithmetic against the kernel, on SQLite and PostgreSQL: day
counts (``kernel.daycount``), rounding (``Decimal.quantize`` with each ``Rounding``) and the
current period's accrual (``close_accrual.accrued_minor``).

The dates are the awkward ones: ends of months, 28 and 29 February in leap and common years,
the 30th and 31st, and a period that crosses a year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import product

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)

from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding
from microlend.loans.close_accrual import accrued_minor, current_interest_sql
from microlend.loans.close_sql import by_index, custom_plans, day_count_days, divide_rounded
from tests.conftest import MakeUow

DATES = [
    date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 1), date(2023, 3, 31),
    date(2023, 12, 30), date(2023, 12, 31), date(2024, 1, 30), date(2024, 2, 28),
    date(2024, 2, 29), date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 15),
]  # fmt: skip
FIXED = date(2024, 3, 31)  # the business date the accrual measures to


def test_day_counts_in_sql_equal_the_kernel(engine: Engine) -> None:
    pairs = [(a, b) for a, b in product(DATES, DATES) if a <= b]
    dates = Table(
        "probe_dates", MetaData(), Column("a", Date), Column("b", Date), Column("dc", String(12))
    )
    dates.create(engine)
    rows = [{"a": a, "b": b, "dc": dc.value} for (a, b), dc in product(pairs, DayCount)]
    with engine.begin() as connection:
        connection.execute(insert(dates), rows)
    dialect = engine.dialect.name
    query = select(
        dates.c.a,
        dates.c.b,
        dates.c.dc,
        day_count_days(dialect, dates.c.dc, dates.c.a, dates.c.b),
        day_count_days(dialect, dates.c.dc, dates.c.a, FIXED),
    )
    with engine.connect() as connection:
        found = connection.execute(query).all()
    assert len(found) == len(rows)
    for a, b, dc, days, to_fixed in found:
        convention = DayCount(dc)
        assert days == convention.days(a, b), (a, b, dc)
        assert to_fixed == convention.days(a, FIXED), (a, FIXED, dc)


def test_rounding_in_sql_equals_decimal_quantize(engine: Engine) -> None:
    cases = [(num, den) for den in (1, 2, 3, 7, 30, 360, 36500) for num in range(0, 3 * den + 2)]
    numbers = Table(
        "probe_numbers",
        MetaData(),
        Column("num", BigInteger),
        Column("den", BigInteger),
        Column("mode", String(12)),
    )
    numbers.create(engine)
    rows = [
        {"num": num, "den": den, "mode": mode.value}
        for (num, den), mode in product(cases[::7], Rounding)
    ]
    with engine.begin() as connection:
        connection.execute(insert(numbers), rows)
    query = select(
        numbers.c.num,
        numbers.c.den,
        numbers.c.mode,
        divide_rounded(numbers.c.num, numbers.c.den, numbers.c.mode),
    )
    with engine.connect() as connection:
        found = connection.execute(query).all()
    assert len(found) == len(rows)
    for num, den, mode, rounded in found:
        expected = (Decimal(num) / den).quantize(Decimal(1), rounding=Rounding(mode).mode)
        assert rounded == int(expected), (num, den, mode)


def test_the_current_periods_accrual_in_sql_equals_accrued_minor(engine: Engine) -> None:
    periods = Table(
        "probe_periods",
        MetaData(),
        Column("start", Date),
        Column("end", Date),
        Column("interest", BigInteger),
        Column("dc", String(12)),
        Column("mode", String(12)),
        Column("period", Integer),
        Column("elapsed", Integer),
    )
    periods.create(engine)
    rows = []
    for start, end in product(DATES, DATES):
        if start >= end:
            continue
        for dc, mode, interest in product(DayCount, Rounding, (0, 1, 12_345, 110_000)):
            rows.append(
                {"start": start, "end": end, "interest": interest, "dc": dc.value,
                 "mode": mode.value, "period": dc.days(start, end),
                 "elapsed": dc.days(start, FIXED)}
            )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(periods), rows)
    c = periods.c
    current = current_interest_sql(c.interest, c.start, FIXED, c.period, c.elapsed, c.mode)
    query = select(c.start, c.end, c.interest, c.dc, c.mode, current)
    with engine.connect() as connection:
        found = connection.execute(query).all()
    for start, end, interest, dc, mode, accrued in found:
        expected = accrued_minor(interest, start, end, FIXED, DayCount(dc), Rounding(mode))
        assert accrued == expected, (start, end, interest, dc, mode)


SETTINGS = ("enable_seqscan", "plan_cache_mode", "jit")


def _settings(uow: UnitOfWork) -> tuple[str, ...]:
    return tuple(uow.session.scalar(text(f"SELECT current_setting('{name}')")) for name in SETTINGS)


def test_the_plan_settings_hold_for_their_block_and_end_with_it(make_uow: MakeUow) -> None:
    """``by_index`` runs its block without sequential scans, planned per run and without JIT;
    ``custom_plans`` the last two; after either block the server's defaults are back (on
    SQLite both blocks are plain)."""
    with make_uow() as uow:
        if uow.dialect != "postgresql":
            with by_index(uow), custom_plans(uow):
                assert uow.session.scalar(select(1)) == 1
            return
        defaults = _settings(uow)
        assert defaults == ("on", "auto", "on")
        with by_index(uow):
            assert _settings(uow) == ("off", "force_custom_plan", "off")
        assert _settings(uow) == defaults
        with custom_plans(uow):
            assert _settings(uow) == ("on", "force_custom_plan", "off")
        assert _settings(uow) == defaults

"""Penalty interest (罚息, step PENALTY), set-based, per range of loans (docs/loan-engine.md).

For each installment past due with a base, the nights from the loan's ``position_as_of`` (the day
the engine or the last close of business priced it) to D are charged at the rounded daily amount
``base x rate x multiplier / 100 / year days``; with a grace of N days nothing is charged until
D - due > N, then the nights from day 1. The base is the unpaid principal (and the unpaid
interest for the ``overdue_installment`` base or 复利). The charge goes to the installment,
``booked_penalty_minor`` (Dr 122102 / Cr 6051) and the day's accrual row, and
``position_as_of`` becomes D on the loans charged, so a re-run charges nothing.

A loan charged nothing keeps its ``position_as_of``: the nights charged by a date depend on the
date alone, so counting from an older date gives the same figure.

Only overdue loans are looked at (due and overdue ran before). The charges go to the accrual
rows per loan and to the installments: on PostgreSQL in one statement that prices them once
(``_to_both``), on SQLite (no data-modifying CTE) in two that price them each; the loans take
their day's total from their accrual row. The daily amount is
``base x num / den`` rounded in SQL (``loan_close_state.penalty_rate_*``); where the engine's
``Decimal`` rate is not that exact fraction, the rare rows whose exact amount falls on a rounding
boundary are priced in Python as the engine prices them (``daily_penalty``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    Subquery,
    Update,
    and_,
    bindparam,
    case,
    cast,
    func,
    not_,
    or_,
    select,
    update,
)

from microlend.db.base import table
from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding, quantum
from microlend.loans.close_sql import (
    Bound,
    DayArg,
    IdArg,
    by_index,
    days_between,
    divide_rounded,
    in_range,
    overdue_loans,
    positive,
    rate_in_force,
    rowcount,
    unpaid,
)
from microlend.loans.close_state import engine_daily_rate
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanAccrual, LoanCloseState

Inst, S = LoanInstallment, LoanCloseState
NO_SYNC = {"synchronize_session": False}


def daily_penalty(
    base: int, rate: Decimal, multiplier: Decimal, day_count: DayCount, rounding: Rounding,
    digits: int,
) -> int:  # fmt: skip
    """The engine's rounded daily penalty (minor units) on ``base`` minor units."""
    q = quantum(digits)
    daily_rate = engine_daily_rate(rate, multiplier, day_count)
    return int((Decimal(base) * q * daily_rate).quantize(q, rounding=rounding.mode) / q)


def _base() -> ColumnElement[int]:
    principal = unpaid("principal")
    interest = positive(unpaid("interest"))
    return case((S.penalty_with_interest, principal + interest), else_=principal)


def _installments(
    dialect: str, company_id: IdArg, day: DayArg, low: IdArg, high: IdArg
) -> Subquery:
    """The installments past due of the range's overdue loans with a penalty base, the nights
    to charge and whether SQL prices them (``in_sql``)."""
    late = (
        select(
            Inst.id,
            Inst.loan_id,
            Inst.due_date,
            Loan.position_as_of,
            rate_in_force().label("annual_rate"),
            S.penalty_multiplier,
            S.day_count,
            S.rounding,
            S.digits,
            S.penalty_grace_days.label("grace"),
            S.penalty_rate_num.label("num"),
            S.penalty_rate_den.label("den"),
            func.coalesce(S.penalty_rate_exact, False).label("exact"),
            cast(_base(), BigInteger).label("base"),
            days_between(dialect, day, Inst.due_date).label("age"),
            days_between(dialect, Loan.position_as_of, Inst.due_date).label("priced_age"),
        )
        .where(
            *overdue_loans(company_id, low, high),
            Loan.position_as_of < day,
            *in_range(Inst.loan_id, low, high),
            *in_range(S.loan_id, low, high),
            Inst.company_id == company_id,
            Inst.loan_id == Loan.id,
            S.loan_id == Loan.id,
            Inst.due_date < day,
        )
        .subquery("late")
    )
    c = late.c

    def charged(age: ColumnElement[int]) -> ColumnElement[int]:
        return case((age > c.grace, age), else_=0)

    boundary = (2 * c.base * c.num) % func.nullif(
        c.den, 0, type_=BigInteger
    ) == 0  # a tie or a whole amount
    in_python = or_(c.den.is_(None), c.den == 0, and_(not_(c.exact), boundary))
    return (
        select(
            late,
            (charged(c.age) - charged(c.priced_age)).label("nights"),
            not_(in_python).label("in_sql"),
        )
        .where(c.base > 0)
        .subquery("penalised")
    )


def _charges(dialect: str, company_id: IdArg, day: DayArg, low: IdArg, high: IdArg) -> Select[Any]:
    """Per installment SQL prices: id, loan, charge (> 0), days past due."""
    rows = _installments(dialect, company_id, day, low, high)
    c = rows.c
    priced = (
        select(
            c.id,
            c.loan_id,
            (divide_rounded(c.base * c.num, c.den, c.rounding) * c.nights).label("charge"),
            c.age,
        )
        .where(c.in_sql, c.nights > 0)
        .subquery("priced")
    )
    return select(priced).where(priced.c.charge > 0)


def _per_loan(charges: Subquery | CTE) -> Subquery:
    return (
        select(charges.c.loan_id, func.sum(charges.c.charge).label("amount"))
        .group_by(charges.c.loan_id)
        .subquery("per_loan")
    )


def _python_charges(
    uow: UnitOfWork, company_id: int, day: date, low: int, high: int
) -> list[tuple[int, int, int, int]]:
    """(installment, loan, charge, days past due) for the rows priced in Python (usually
    none)."""
    rows = (
        uow.session.connection()
        .execute(_statements(uow.dialect).in_python, Bound.values(company_id, day, low, high))
        .all()
    )
    found = []
    for iid, loan_id, base, nights, rate, mult, dc, rnd, digits, age in rows:
        daily = daily_penalty(
            int(base), Decimal(rate), Decimal(mult), DayCount(dc), Rounding(rnd), int(digits)
        )
        if daily * nights > 0:
            found.append((int(iid), int(loan_id), daily * int(nights), int(age)))
    return found


@dataclass(frozen=True)
class Statements:
    """The step's statements over a partition (``Bound`` parameters), built once per
    dialect."""

    in_python: Select[Any]  # the rows priced in Python
    # the SQL prices to the day's accrual rows (per loan) and to their installments: on
    # PostgreSQL one statement that prices them once (``_to_both``), on SQLite two
    writes: tuple[Update, ...]
    total: Select[Any]  # the day's penalty of the loans charged
    to_loans: Update  # the accrual rows' totals to the loans charged


@cache
def _statements(dialect: str) -> Statements:
    company, day, low, high = Bound.company, Bound.day, Bound.low, Bound.high
    c = _installments(dialect, company, day, low, high).c
    in_python = select(
        c.id, c.loan_id, c.base, c.nights, c.annual_rate, c.penalty_multiplier, c.day_count,
        c.rounding, c.digits, c.age,
    ).where(~c.in_sql, c.nights > 0)  # fmt: skip
    a = LoanAccrual
    today = (a.company_id == company, a.business_date == day, *in_range(a.loan_id, low, high))
    charged = (
        *today,
        a.penalty_minor > 0,
        a.loan_id == Loan.id,
        *in_range(Loan.id, low, high),
        Loan.position_as_of < day,
    )
    return Statements(
        in_python=in_python,
        writes=_to_both(dialect) if dialect == "postgresql" else _to_each(dialect),
        total=select(func.coalesce(func.sum(a.penalty_minor), 0)).where(*charged),
        to_loans=update(Loan)
        .where(*charged)
        .values(
            booked_penalty_minor=Loan.booked_penalty_minor + a.penalty_minor,
            outstanding_penalty_minor=Loan.outstanding_penalty_minor + a.penalty_minor,
            position_as_of=day,
        ),
    )


def _to_rows(charges: Subquery | CTE) -> Update:
    """Joined by (loan, date) alone: the computed charges drive, each finding its row by the
    unique index. With the range's rows of the day on offer too, an estimate of one row for a
    new date (statistics from before the day's rows) made PostgreSQL scan them and recompute the
    charges once per row: minutes at a million loans."""
    per_loan, a = _per_loan(charges), LoanAccrual
    return (
        update(a)
        .where(a.loan_id == per_loan.c.loan_id, a.business_date == Bound.day)
        .values(penalty_minor=a.penalty_minor + per_loan.c.amount)
    )


def _to_each(dialect: str) -> tuple[Update, ...]:
    """The prices to the accrual rows, then to the installments: two statements, each pricing."""
    charges = _charges(dialect, Bound.company, Bound.day, Bound.low, Bound.high).subquery("charges")
    return _to_rows(charges), _to_installments(charges)


def _to_installments(charges: Subquery | CTE) -> Update:
    return (
        update(Inst)
        .where(Inst.id == charges.c.id)
        .values(
            penalty_due_minor=Inst.penalty_due_minor + charges.c.charge,
            outstanding_minor=Inst.outstanding_minor + charges.c.charge,
            days_past_due=charges.c.age,  # the delinquency step's figure, in the same write
        )
    )


def _to_both(dialect: str) -> tuple[Update]:
    """The prices to the accrual rows and to the installments in one statement: the prices
    once, as a materialized CTE that both read (computing them was most of each write's time:
    they join the range's overdue loans, their close state and installments), the
    installments' update a data-modifying CTE beside the rows' update. Both see the tables as
    they were before the statement, as the two statements did (the rows' update changes
    nothing the prices read)."""
    charges = _charges(dialect, Bound.company, Bound.day, Bound.low, Bound.high)
    shared = charges.cte("charges").prefix_with("MATERIALIZED")
    installments = _to_installments(shared).returning(Inst.id).cte("charged_installments")
    return (_to_rows(shared).add_cte(installments),)


def charge_penalty(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int, *, now: datetime
) -> Counts:
    """Price the range's penalty (Python rows first, as nothing has moved yet), add it to the
    day's accrual rows and the installments, then book the rows' totals on the loans."""
    with by_index(uow):
        by_python = _python_charges(uow, company_id, day, id_low, id_high)
        done, s = _statements(uow.dialect), uow.session.connection()  # Core: bound parameters
        values = Bound.values(company_id, day, id_low, id_high)
        for write in done.writes:
            s.execute(write, values)
        if by_python:
            _book_python(uow, by_python, day)
        minor = s.execute(done.total, values).scalar_one()
        loans = s.execute(done.to_loans, values)
        return {"penalty_loans": rowcount(loans), "penalty_minor": int(minor)}


def _book_python(uow: UnitOfWork, charges: list[tuple[int, int, int, int]], day: date) -> None:
    """The Python prices to their installments and the loans' accrual rows."""
    per_loan: dict[int, int] = {}
    for _iid, loan_id, charge, _age in charges:
        per_loan[loan_id] = per_loan.get(loan_id, 0) + charge
    t, a = table(Inst), table(LoanAccrual)
    uow.session.execute(
        update(t)
        .where(t.c.id == bindparam("k"))
        .values(
            penalty_due_minor=t.c.penalty_due_minor + bindparam("amount"),
            outstanding_minor=t.c.outstanding_minor + bindparam("amount"),
            days_past_due=bindparam("age"),
        ),
        [{"k": iid, "amount": charge, "age": age} for iid, _loan, charge, age in charges],
        execution_options=NO_SYNC,
    )
    uow.session.execute(
        update(a)
        .where(a.c.loan_id == bindparam("k"), a.c.business_date == day)
        .values(penalty_minor=a.c.penalty_minor + bindparam("amount")),
        [{"k": loan, "amount": amount} for loan, amount in per_loan.items()],
        execution_options=NO_SYNC,
    )

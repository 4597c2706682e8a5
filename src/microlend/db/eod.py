"""The close-of-business step interface (日终批处理), below every context.

A context takes part in close of business by having a module ``eod_steps.py`` (found by name, as
``db.metadata`` finds ``tables.py``) that defines::

    STEPS: list[Step]                       # its steps (may be empty)
    def subledger_balances(uow, company_id, as_of) -> dict[str, Decimal]   # optional

It lives here (not in ``microlend.eod``) because the contexts that write steps (loans, risk,
collections...) sit below ``eod`` in the layering; ``eod`` discovers and runs them.

A **partitioned** step works on one range of ids (``id_low`` .. ``id_high``, both included) of a
company and business date: ``run(uow, company_id, business_date, id_low, id_high, *, now) ->
Counts``.
``bounds(uow, company_id, business_date) -> (low, high) | None`` says which ids there are (e.g. the
smallest and largest loan id of the company; ``None`` when there is nothing to do). The runner cuts
them into partitions of ``partition_size`` ids, which workers claim.

A **company** step runs once per company and date:
``run(uow, company_id, business_date, *, now) -> Counts``.

``now`` is the worker's clock reading for this piece of work (a timezone-aware ``datetime``): a
step stamps what it writes with it (vouchers' ``created_at``) and never reads the clock itself.
Amounts and dates are the business date's, never ``now``'s.

The step never commits: the runner commits its work and the partition's "done" mark in one
transaction. Re-running is the step's own duty too (deterministic keys such as
``accrual:{loan}:{date}``), though the runner never runs a finished partition again. ``Counts``
are whatever the step wants summed in the run's summary (``{"loans": 120, "vouchers": 118}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from microlend.db.uow import UnitOfWork

Counts = Mapping[str, int]


class PartitionedRun(Protocol):
    """``run(uow, company_id, business_date, id_low, id_high, *, now) -> Counts``."""

    def __call__(
        self,
        uow: UnitOfWork,
        company_id: int,
        business_date: date,
        id_low: int,
        id_high: int,
        /,
        *,
        now: datetime,
    ) -> Counts: ...


class CompanyRun(Protocol):
    """``run(uow, company_id, business_date, *, now) -> Counts``."""

    def __call__(
        self, uow: UnitOfWork, company_id: int, business_date: date, /, *, now: datetime
    ) -> Counts: ...


Bounds = Callable[[UnitOfWork, int, date], tuple[int, int] | None]
SubledgerBalances = Callable[[UnitOfWork, int, date], Mapping[str, Decimal]]
StepKind = Literal["partitioned", "company"]

# The order of the standard steps (issue 8); steps of one order run in code order.
ACCRUAL = 10
DUE_AND_OVERDUE = 20
PENALTY = 30
DELINQUENCY = 40
CLASSIFICATION = 50
PROVISIONS = 60
HAND_OFFS = 70
RECONCILIATION = 80
ADVANCE_DATE = 90


@dataclass(frozen=True)
class Step:
    """One step of close of business. Build it with ``Step.partitioned`` or ``Step.company``."""

    code: str
    order: int
    kind: StepKind
    run: Callable[..., Counts]
    bounds: Bounds | None = None
    partition_size: int | None = None  # None: the runner's (10,000 ids by default)

    def __post_init__(self) -> None:
        if (self.kind == "partitioned") != (self.bounds is not None):
            raise ValueError(f"step {self.code}: a partitioned step, and only it, has bounds")
        if self.partition_size is not None and self.partition_size < 1:
            raise ValueError(f"step {self.code}: partition_size must be positive")

    @classmethod
    def partitioned(
        cls,
        code: str,
        order: int,
        *,
        run: PartitionedRun,
        bounds: Bounds,
        partition_size: int | None = None,
    ) -> Step:
        return cls(code, order, "partitioned", run, bounds, partition_size)

    @classmethod
    def company(cls, code: str, order: int, *, run: CompanyRun) -> Step:
        return cls(code, order, "company", run)


def id_range(
    uow: UnitOfWork, id_column: InstrumentedAttribute[int], *where: ColumnElement[bool]
) -> tuple[int, int] | None:
    """The smallest and largest id of the rows matching ``where``: a ready-made ``bounds``, e.g.
    ``id_range(uow, Loan.id, Loan.company_id == company_id, Loan.status == "active")``."""
    low, high = uow.session.execute(
        select(func.min(id_column), func.max(id_column)).where(*where)
    ).one()
    return None if low is None else (int(low), int(high))


class RunStopped(Exception):
    """Raised by a step to stop the run with a report (e.g. reconciliation finding a difference).

    Any exception stops the run; this one also carries a JSON-able ``report`` that the run keeps
    (``eod_runs.summary["failure"]``) and the CLI and the status page show.
    """

    def __init__(self, message: str, report: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.report = dict(report)

"""What the contexts above customers add to a customer's file, found by module name.

Products, origination, loans, risk and collections sit above customers, so customers never imports
them by name: as ``db.metadata`` discovers tables, this module imports, for every package under
``microlend``, each module named ``customer_file`` or ``customer_file_*`` (for instance
``microlend.origination.customer_file`` or ``microlend.loans.customer_file_exposure``). Such a
module may define any of these functions (all optional; each one it defines is used):

``file_sections(uow, actor, *, customer_id: int) -> list[File360Section]``
    Extra sections of the customer 360: applications, loans, score history, warnings, collections.
    Called after the actor's access to the customer was checked; it still scopes its own rows.
``customers_by_number(uow, actor, *, number: str) -> list[int]``
    The ids of customers whose loan or application number equals ``number`` (search by number).
``exposure(uow, customer_ids: frozenset[int]) -> dict[int, Decimal]``
    Outstanding loans and guarantees per customer (the own and group exposure of the 360).
``repayment_behaviour(uow, customer_ids: frozenset[int]) -> dict[int, RepaymentBehaviour]``
    Max and current DPD, late payments and default per customer; contributions are combined
    (worst DPD, summed late payments, default if any says so).
``owing(customer_id: ColumnElement[int], office_id: int | None) -> ColumnElement[bool]``
    Whether the customer (a column: one customer or a list's rows) owes on business booked at
    an office other than ``office_id`` (any office when None): a loan on the book. Such a
    customer is held by that office: never released to the pool, claimed or transferred by an
    officer of another office.
``hand_over(uow, customer_id: int, *, to_user_id: int, now: datetime) -> list[int]``
    The customer was taken over by officer ``to_user_id`` (a claim or a transfer): the business
    they follow up goes with them; the ids of what moved (loans).

Messages in these modules may be marked with ``N_``/``_``: the UI catalog extracts them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

import microlend
from microlend.customers.tables import Customer
from microlend.customers.views import File360Section, RepaymentBehaviour
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal

MODULE_NAME = "customer_file"


def _is_contribution(name: str) -> bool:
    return name == MODULE_NAME or name.startswith(MODULE_NAME + "_")


@cache
def contributions() -> tuple[ModuleType, ...]:
    """Every ``microlend.<context>.customer_file[_*]`` module, imported, in name order."""
    found: list[ModuleType] = []
    for package in sorted(pkgutil.iter_modules(microlend.__path__), key=lambda p: p.name):
        if not package.ispkg:
            continue
        context = importlib.import_module(f"microlend.{package.name}")
        names = sorted(m.name for m in pkgutil.iter_modules(context.__path__))
        found += [importlib.import_module(f"microlend.{package.name}.{name}")
                  for name in names if _is_contribution(name)]  # fmt: skip
    return tuple(found)


def _hooks(name: str) -> list[Callable[..., Any]]:
    return [getattr(module, name) for module in contributions() if callable(getattr(module, name,
            None))]  # fmt: skip


def file_sections(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> list[File360Section]:
    """The sections every contribution adds to the customer's 360, in module order."""
    sections: list[File360Section] = []
    for hook in _hooks("file_sections"):
        sections += hook(uow, actor, customer_id=customer_id)
    return sections


def customers_by_number(uow: UnitOfWork, actor: Principal, *, number: str) -> list[int]:
    """Customer ids whose loan or application number is ``number`` (distinct, ascending)."""
    found: set[int] = set()
    for hook in _hooks("customers_by_number"):
        found.update(hook(uow, actor, number=number))
    return sorted(found)


def exposure(uow: UnitOfWork, customer_ids: frozenset[int]) -> dict[int, Decimal]:
    """Outstanding loans and guarantees per customer, summed over the contributions."""
    total: dict[int, Decimal] = {}
    if not customer_ids:
        return total
    for hook in _hooks("exposure"):
        for customer_id, amount in hook(uow, customer_ids).items():
            total[customer_id] = total.get(customer_id, Decimal(0)) + Decimal(amount)
    return total


def combined(left: RepaymentBehaviour, right: RepaymentBehaviour) -> RepaymentBehaviour:
    """Two contributions about one customer as one: the worst DPDs, late payments summed."""
    return RepaymentBehaviour(
        max_dpd=max(left.max_dpd, right.max_dpd),
        current_dpd=max(left.current_dpd, right.current_dpd),
        late_payments=left.late_payments + right.late_payments,
        in_default=left.in_default or right.in_default,
    )


def repayment_behaviour(
    uow: UnitOfWork, customer_ids: frozenset[int]
) -> dict[int, RepaymentBehaviour]:
    """Every customer of ``customer_ids`` with its behaviour (zeros when nobody contributes)."""
    behaviour = {customer_id: RepaymentBehaviour() for customer_id in customer_ids}
    if not customer_ids:
        return behaviour
    for hook in _hooks("repayment_behaviour"):
        for customer_id, found in hook(uow, customer_ids).items():
            if customer_id in behaviour:
                behaviour[customer_id] = combined(behaviour[customer_id], found)
    return behaviour


def owing_elsewhere(office_id: int | None) -> ColumnElement[bool]:
    """Customers who owe on business booked at an office other than ``office_id`` (any office
    when None): held by that office, whatever the pool's protection period."""
    found = [hook(Customer.id, office_id) for hook in _hooks("owing")]
    return or_(*found) if found else false()


def owes_elsewhere(uow: UnitOfWork, customer_id: int, office_id: int | None) -> bool:
    """Whether the customer owes on business booked at an office other than ``office_id``."""
    stmt = select(Customer.id).where(Customer.id == customer_id, owing_elsewhere(office_id))
    return uow.session.scalar(stmt) is not None


def hand_over(uow: UnitOfWork, customer_id: int, *, to_user_id: int, now: datetime) -> list[int]:
    """The customer's business goes with them to officer ``to_user_id``: what moved."""
    moved: list[int] = []
    for hook in _hooks("hand_over"):
        moved += hook(uow, customer_id, to_user_id=to_user_id, now=now)
    return moved

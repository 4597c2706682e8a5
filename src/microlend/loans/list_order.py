"""The loan list's orders and how a page of it follows the one before.

Each order is a column of the loan's snapshot (as the last command or close of business left
it), read from the highest or from the lowest, then the loan's id: the worst arrears first for a
collector, the next installment first for whoever chases what falls due. A page goes on after
the last loan of the page before (``after_id``): past that loan's place in the order as the loan
stands now (keyset paging, so a page is as cheap as the first and no loan is shown twice when
the book changes between pages).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from microlend.db.scope import apply_scope
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import tables

NUMBER = "number"  # the default: by loan id, which is the order loans were numbered in
LAST_DAY = date(9999, 12, 31)  # no installment left to fall due: after every date

Key = Callable[[Any], ColumnElement[Any]]
# order -> (the column of a loan entity, whether it runs from the highest)
ORDERS: dict[str, tuple[Key, bool]] = {
    NUMBER: (lambda loan: loan.id, False),
    "days_past_due": (lambda loan: loan.days_past_due, True),
    "overdue": (lambda loan: loan.overdue_minor, True),
    "outstanding": (lambda loan: loan.outstanding_principal_minor, True),
    "next_due_date": (
        lambda loan: func.coalesce(loan.next_due_date, literal(LAST_DAY)),
        False,
    ),
}


def checked_order(order: str | None) -> str:
    """``order`` if the list knows it (none: by number); refused naming the field otherwise."""
    if order in (None, ""):
        return NUMBER
    if order not in ORDERS:
        raise ValidationFailed(
            "one of %(orders)s", field="order", params={"orders": ", ".join(ORDERS)}
        )
    return order


def ordered(stmt: Select[Any], order: str, after_id: int | None, actor: Principal) -> Select[Any]:
    """``stmt`` (a select of loans) in ``order``, from after the loan ``after_id``, which is
    read in ``actor``'s scope: a page that followed a loan out of it would tell its place in
    the order (how much it owes), so it follows none and is empty."""
    key, descending = ORDERS[order]
    loan = tables.Loan
    column = key(loan)
    if after_id is not None:
        if order == NUMBER:
            stmt = stmt.where(loan.id > after_id)
        else:
            last = aliased(tables.Loan)
            found = apply_scope(select(key(last)).where(last.id == after_id), actor, last)
            at = found.scalar_subquery()
            beyond = column < at if descending else column > at
            stmt = stmt.where(or_(beyond, and_(column == at, loan.id > after_id)))
    first = column.desc() if descending else column.asc()
    return stmt.order_by(first) if order == NUMBER else stmt.order_by(first, loan.id)

"""The one data-scope filter every query goes through (re-exported as ``auth.scope``).

A table is scoped by its columns: ``company_id`` (every business table has it), ``office_id``
(branch-owned rows) and an owner column (``owner_id`` unless named). The acting principal's scope
decides which of them bind:

    group           company_id in the group's companies
    company         company_id = the user's company
    office_subtree  ... and office_id in the user's office and the offices below it
    office          ... and office_id = the user's office
    own             ... and owner = the user (tables without an owner fall back to office)

Rows whose ``office_id`` is NULL belong to the company as a whole and are seen by everyone in it.
A row outside the scope is reported as missing, never as forbidden: its existence is not leaked.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from microlend.kernel.errors import NotFound
from microlend.kernel.principal import DataScope, Principal

S = TypeVar("S", bound=Select[Any])
E = TypeVar("E")


def _column(entity: Any, name: str | None) -> Any:
    if name is None:
        return None
    columns = entity.c if hasattr(entity, "c") else entity.__table__.c
    if name not in columns:
        return None
    return getattr(entity, name) if not hasattr(entity, "c") else columns[name]


def scope_condition(
    principal: Principal,
    entity: Any,
    *,
    office_column: str = "office_id",
    owner_column: str = "owner_id",
) -> ColumnElement[bool]:
    """The WHERE condition restricting ``entity``'s rows to what ``principal`` may see."""
    company = _column(entity, "company_id")
    if company is None:
        raise TypeError(f"{entity!r} has no company_id: it cannot be scoped")
    if not principal.company_ids:
        return false()
    conditions: list[ColumnElement[bool]] = [company.in_(sorted(principal.company_ids))]
    office = _column(entity, office_column)
    owner = _column(entity, owner_column)
    if principal.scope is DataScope.OWN and owner is not None:
        conditions.append(owner == principal.user_id)
    elif principal.office_ids is not None and office is not None:
        visible = office.in_(sorted(principal.office_ids)) if principal.office_ids else false()
        conditions.append(or_(office.is_(None), visible))
    return and_(*conditions)


def apply_scope(
    stmt: S,
    principal: Principal,
    entity: Any,
    *,
    office_column: str = "office_id",
    owner_column: str = "owner_id",
) -> S:
    """``stmt`` restricted to the rows of ``entity`` that ``principal`` may see."""
    condition = scope_condition(
        principal, entity, office_column=office_column, owner_column=owner_column
    )
    return stmt.where(condition)


def get_scoped(
    session: Session,
    principal: Principal,
    entity: type[E],
    entity_id: int,
    *,
    office_column: str = "office_id",
    owner_column: str = "owner_id",
    for_update: bool = False,
) -> E:
    """One row by id, if ``principal`` may see it; otherwise ``NotFound``."""
    id_column: Any = getattr(entity, "id")  # noqa: B009
    stmt = apply_scope(
        select(entity).where(id_column == entity_id),
        principal,
        entity,
        office_column=office_column,
        owner_column=owner_column,
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        name = getattr(entity, "__tablename__", entity.__name__)
        raise NotFound(
            "%(name)s %(entity_id)s not found",
            code=f"{name}_not_found",
            params={"name": name, "entity_id": entity_id},
        )
    return row

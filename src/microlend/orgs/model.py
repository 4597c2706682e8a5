"""Companies and the office tree, as values; the rules for codes and tree paths."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from microlend.kernel.errors import ValidationFailed

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$")
DEFAULT_CURRENCY = "CNY"
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class CompanyView:
    id: int
    group_id: int
    code: str
    name: str
    currency: str
    timezone: str
    business_date: date
    head_office_id: int | None = None


@dataclass(frozen=True)
class OfficeView:
    id: int
    company_id: int
    parent_id: int | None
    code: str
    name: str
    path: str
    depth: int
    active: bool


@dataclass(frozen=True)
class OfficeNode:
    office: OfficeView
    children: tuple[OfficeNode, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StaffView:
    id: int
    company_id: int
    office_id: int
    employee_no: str
    name: str
    position: str
    phone: str | None
    active: bool


def checked_code(code: str, *, field_name: str = "code") -> str:
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise ValidationFailed(
            "a code is 1 to 30 letters, digits, '-' or '_', starting with a letter or digit",
            field=field_name,
        )
    return code


def checked_name(name: str, *, field_name: str = "name", max_length: int = 200) -> str:
    name = name.strip()
    if not name or len(name) > max_length:
        raise ValidationFailed(
            "a name is 1 to %(max_length)s characters",
            field=field_name,
            params={"max_length": max_length},
        )
    return name


def child_path(parent_path: str | None, office_id: int) -> str:
    """The materialized path of a new office under ``parent_path`` (a root when ``None``)."""
    return f"{parent_path or '/'}{office_id}/"


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def build_tree(offices: Iterable[OfficeView]) -> list[OfficeNode]:
    """Offices as trees; an office whose parent is not among them is a root (of what is visible)."""
    ordered = sorted(offices, key=lambda office: (office.depth, office.code))
    known = {office.id for office in ordered}
    children: dict[int | None, list[OfficeView]] = {}
    for office in ordered:
        parent = office.parent_id if office.parent_id in known else None
        children.setdefault(parent, []).append(office)

    def node(office: OfficeView) -> OfficeNode:
        return OfficeNode(office, tuple(node(child) for child in children.get(office.id, [])))

    return [node(root) for root in children.get(None, [])]

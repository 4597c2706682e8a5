"""Importing customers from a file (批量导入): every row is checked first; nothing is imported
unless every row passes (or, asked to skip bad rows, the good ones); a customer the group has
already (same identity) is skipped and counted, so that importing the same file twice imports
nothing new. Rows are registered through ``register_customer`` (a command each, audited).

Files: ``.csv`` (UTF-8, with or without BOM) or ``.xlsx`` (the first sheet), a header row of
column names (English field names or their Chinese labels) and one customer per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from microlend.customers import service
from microlend.customers.records import group_of_company, listed
from microlend.customers.tables import Customer
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.kernel.principal import Principal, require

COLUMNS = ("kind", "id_kind", "id_number", "name", "phone", "address", "marital_status",
           "education", "employer", "monthly_income", "legal_representative",
           "registered_capital", "industry_code", "region_code", "founded_on",
           "employees")  # fmt: skip
ALIASES = {
    "类型": "kind", "客户类型": "kind", "证件类型": "id_kind", "证件号码": "id_number",
    "身份证号": "id_number", "统一社会信用代码": "id_number", "姓名": "name", "名称": "name",
    "客户名称": "name", "手机": "phone", "手机号": "phone", "电话": "phone", "地址": "address",
    "婚姻状况": "marital_status", "学历": "education", "工作单位": "employer",
    "月收入": "monthly_income", "法定代表人": "legal_representative",
    "注册资本": "registered_capital", "行业代码": "industry_code", "行政区划": "region_code",
    "成立日期": "founded_on", "员工人数": "employees",
}  # fmt: skip
KINDS = {"individual": "individual", "enterprise": "enterprise", "个人": "individual",
         "企业": "enterprise", "": "individual"}  # fmt: skip


@dataclass(frozen=True)
class BadRow:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)  # customer ids
    already_registered: list[int] = field(default_factory=list)  # line numbers
    pending: list[int] = field(default_factory=list)  # pending command ids
    bad: list[BadRow] = field(default_factory=list)
    refused: bool = False  # bad rows and not skipping them: nothing imported


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column(header: str, line: int) -> str:
    name = header.strip().lower()
    column = ALIASES.get(header.strip(), name)
    if column not in COLUMNS:
        raise ValidationFailed(
            "line %(line)s: unknown column %(header)s",
            field="file",
            params={"line": line, "header": repr(header)},
        )
    return column


def _records(rows: Iterable[list[Any]]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) of each non-blank row after the header (line 1)."""
    iterator = iter(rows)
    header = next(iterator, None)
    if not header:
        raise ValidationFailed("the file is empty", field="file")
    columns = [_column(_cell(h), 1) if _cell(h) else "" for h in header]
    if "id_number" not in columns or "name" not in columns:
        raise ValidationFailed("the header needs id_number and name columns", field="file")
    for line, row in enumerate(iterator, start=2):
        texts = {columns[i]: _cell(v) for i, v in enumerate(row) if i < len(columns) and
                 columns[i]}  # fmt: skip
        if any(texts.values()):
            yield line, texts


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The records of a ``.csv`` or ``.xlsx`` file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return list(_records(csv.reader(io.StringIO(text))))
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return list(_records(list(r) for r in book.worksheets[0].iter_rows(values_only=True)))
        finally:
            book.close()
    raise ValidationFailed("a .csv or .xlsx file", field="file")


def _payload(texts: dict[str, str]) -> dict[str, Any]:
    kind = KINDS.get(texts.get("kind", "").lower())
    if kind is None:
        raise ValidationFailed("individual or enterprise (个人/企业)", field="kind")
    payload: dict[str, Any] = {k: v for k, v in texts.items() if v and k != "kind"}
    payload.update(kind=kind, id_number=texts.get("id_number", ""), name=texts.get("name", ""))
    return payload


def import_customers(uow: UnitOfWork, actor: Principal, records: list[tuple[int, dict[str, str]]],
                     *, office_id: int | None = None, skip_bad: bool = False,
                     now: datetime) -> ImportReport:  # fmt: skip
    """Check every record, then register the good ones (all of them only if none is bad,
    unless ``skip_bad``). The caller commits when the report is not ``refused``."""
    require(actor, "customers.create")
    report = ImportReport()
    group_id = group_of_company(uow, actor.company_id)
    seen: dict[tuple[str, str], int] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    for line, texts in records:
        try:
            payload = _payload(texts)
            identity = service.check_registration(payload)
        except ValidationFailed as error:
            report.bad.append(BadRow(line, error.field or "row", error.detail))
            continue
        if identity in seen:
            report.bad.append(
                BadRow(line, "id_number", f"the same identity as line {seen[identity]}")
            )
            continue
        seen[identity] = line
        entries = listed(uow.session, group_id=group_id, id_kind=identity[0],
                         id_number=identity[1])  # fmt: skip
        if any(entry.list_kind == "black" for entry in entries):
            report.bad.append(BadRow(line, "id_number", "this identity is on the blacklist"))
            continue
        exists = uow.session.scalars(select(Customer.id).where(
            Customer.group_id == group_id, Customer.id_kind == identity[0],
            Customer.id_number == identity[1])).first()  # fmt: skip
        if exists is not None:
            report.already_registered.append(line)
            continue
        good.append((line, payload))
    if report.bad and not skip_bad:
        report.refused = True
        return report
    for line, payload in good:
        fields = {k: v for k, v in payload.items() if k not in ("kind", "id_number", "name")}
        if office_id is not None:
            fields["office_id"] = office_id
        try:
            outcome = service.register_customer(
                uow, actor, kind=payload["kind"], id_number=payload["id_number"],
                name=payload["name"], now=now, **fields,
            )  # fmt: skip
        except DomainError as error:  # checked above; a rule only the database sees
            report.bad.append(BadRow(line, error.field or "row", error.detail))
            report.refused = True
            return report
        if isinstance(outcome, Pending):
            report.pending.append(outcome.pending_id)
        else:
            report.imported.append(outcome.id)
    return report

"""The chart of accounts and the posting rules as a company edits them: open the default books,
add, rename or deactivate an account, import accounts from CSV, set a posting rule."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select

from microlend.accounting import books
from microlend.accounting.model import (
    DEFAULT_PRODUCT,
    ROLE,
    AccountSpec,
    AccountType,
    Side,
    checked_code,
    checked_event_type,
)
from microlend.accounting.tables import LedgerAccount, PostingRule
from microlend.accounting.views import AccountView, RuleView
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require

MANAGE = "accounting.coa.manage"
CSV_COLUMNS = ("code", "name_zh", "name_en", "type", "parent_code", "normal_side")


def account_view(row: LedgerAccount, chart: books.Chart) -> AccountView:
    parent = chart.by_id[row.parent_id].code if row.parent_id is not None else None
    return AccountView(
        id=row.id,
        company_id=row.company_id,
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        type=row.type,
        normal_side=row.normal_side,
        parent_code=parent,
        active=row.active,
        level=chart.level(row),
    )


def list_accounts(
    uow: UnitOfWork, actor: Principal, *, company_id: int | None = None
) -> list[AccountView]:
    """The company's chart, by code (a parent comes before its sub-accounts)."""
    require(actor, "accounting.view")
    company = company_id or actor.company_id
    if not actor.sees_company(company):
        raise NotFound(
            "company %(company)s not found", code="company_not_found", params={"company": company}
        )
    chart = books.chart(uow, company)
    return [account_view(chart.by_code[code], chart) for code in sorted(chart.by_code)]


def list_rules(uow: UnitOfWork, actor: Principal) -> list[RuleView]:
    require(actor, "accounting.view")
    chart = books.chart(uow, actor.company_id)
    rows = uow.session.scalars(
        select(PostingRule)
        .where(PostingRule.company_id == actor.company_id)
        .order_by(PostingRule.event_type, PostingRule.product_code, PostingRule.role)
    ).all()
    return [
        RuleView(
            row.event_type,
            row.product_code,
            row.role,
            chart.code_of(row.debit_account_id),
            chart.code_of(row.credit_account_id),
        )
        for row in rows
    ]


@command("accounting.books.open", permission=MANAGE, entity_type="company")
def _open_books(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    seeded = books.seed_books(uow, company_id=actor.company_id, now=now)
    return Done(entity_id=actor.company_id, value=seeded, change={"seeded": seeded})


def open_books(uow: UnitOfWork, actor: Principal, *, now: datetime) -> bool | Pending:
    """Seed the default chart and posting rules of the actor's company (False if it has a chart)."""
    outcome = run_command(uow, actor, "accounting.books.open", {}, now=now)
    return value_or_pending(outcome, bool)


def _spec(raw: Payload) -> AccountSpec:
    try:
        account_type = AccountType(str(raw.get("type", "")).strip())
    except ValueError:
        raise ValidationFailed(
            "type is one of %(types)s",
            field="type",
            params={"types": ", ".join(t.value for t in AccountType)},
        ) from None
    side_text = str(raw.get("normal_side") or "").strip().upper()[:1]
    name_zh = str(raw.get("name_zh") or "").strip()
    if not name_zh or len(name_zh) > 100:
        raise ValidationFailed("name_zh is 1 to 100 characters", field="name_zh")
    return AccountSpec(
        code=checked_code(str(raw.get("code", ""))),
        name_zh=name_zh,
        name_en=(str(raw.get("name_en") or "").strip() or name_zh)[:100],
        type=account_type,
        parent_code=str(raw.get("parent_code") or "").strip() or None,
        normal_side=Side(side_text) if side_text in ("D", "C") else None,
    )


def _insert(uow: UnitOfWork, company_id: int, spec: AccountSpec, now: datetime) -> LedgerAccount:
    chart = books.chart(uow, company_id)
    if spec.code in chart.by_code:
        raise Conflict(
            "account %(code)s exists",
            code="duplicate_code",
            field="code",
            params={"code": spec.code},
        )
    parent_id = None
    if spec.parent_code is not None:
        parent = chart.by_code.get(spec.parent_code)
        if parent is None:
            raise ValidationFailed(
                "no parent account %(parent_code)s",
                field="parent_code",
                params={"parent_code": spec.parent_code},
            )
        if parent.type != spec.type.value:
            raise ValidationFailed("a sub-account has its parent's type", field="type")
        parent_id = parent.id
    return books.add_account(uow, company_id=company_id, spec=spec, parent_id=parent_id, now=now)


@command(
    "accounting.account.create",
    permission=MANAGE,
    entity_type="ledger_account",
    summary=lambda p: f"account {p.get('code')}",
)
def _create(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = _insert(uow, actor.company_id, _spec(payload), now)
    view = account_view(row, books.chart(uow, actor.company_id))
    return Done(entity_id=row.id, value=view, change={"code": row.code})


def create_account(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    type: str,
    parent_code: str | None = None,
    normal_side: str | None = None,
    now: datetime,
) -> AccountView | Pending:
    """A new account of the actor's company (a sub-account has its parent's type)."""
    payload = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "type": type,
        "parent_code": parent_code,
        "normal_side": normal_side,
    }
    outcome = run_command(uow, actor, "accounting.account.create", payload, now=now)
    return value_or_pending(outcome, AccountView)


@command("accounting.account.update", permission=MANAGE, entity_type="ledger_account")
def _update(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    chart = books.chart(uow, actor.company_id)
    row = chart.by_code.get(str(payload["code"]))
    if row is None:
        raise NotFound(
            "no account %(code)s", code="account_not_found", params={"code": payload["code"]}
        )
    for field in ("name_zh", "name_en"):
        value = payload.get(field)
        if value is not None:
            if not str(value).strip():
                raise ValidationFailed("%(field)s is empty", field=field, params={"field": field})
            setattr(row, field, str(value).strip()[:100])
    if payload.get("active") is not None:
        row.active = bool(payload["active"])
    uow.session.flush()
    return Done(entity_id=row.id, value=account_view(row, chart), change=dict(payload))


def update_account(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    now: datetime,
    name_zh: str | None = None,
    name_en: str | None = None,
    active: bool | None = None,
) -> AccountView | Pending:
    """Rename an account, or (de)activate it (an inactive account takes no new postings)."""
    payload = {"code": code, "name_zh": name_zh, "name_en": name_en, "active": active}
    outcome = run_command(uow, actor, "accounting.account.update", payload, now=now)
    return value_or_pending(outcome, AccountView)


@command("accounting.chart.import", permission=MANAGE, entity_type="ledger_account")
def _import(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    reader = csv.DictReader(io.StringIO(str(payload["csv"])))
    missing = {"code", "name_zh", "type"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed(
            "the CSV lacks columns %(missing)s", field="csv", params={"missing": sorted(missing)}
        )
    added = []
    for number, raw in enumerate(reader, start=2):
        try:
            row = _insert(uow, actor.company_id, _spec(raw), now)
        except (ValidationFailed, Conflict) as error:
            raise ValidationFailed(
                "line %(number)s: %(error)s", field="csv", params={"number": number, "error": error}
            ) from None
        added.append(row.code)
    return Done(entity_id=None, value=len(added), change={"codes": added})


def import_chart(
    uow: UnitOfWork, actor: Principal, *, csv_text: str, now: datetime
) -> int | Pending:
    """Add the accounts of a CSV (columns ``code,name_zh,name_en,type,parent_code,normal_side``;
    parents before their sub-accounts). All or nothing; returns how many were added."""
    outcome = run_command(uow, actor, "accounting.chart.import", {"csv": csv_text}, now=now)
    return value_or_pending(outcome, int)


@command("accounting.rule.set", permission=MANAGE, entity_type="posting_rule")
def _set_rule(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = actor.company_id
    chart = books.chart(uow, company)
    event_type = checked_event_type(str(payload["event_type"]))
    role = str(payload["role"])
    if not ROLE.match(role):
        raise ValidationFailed("a role is a-z, 0-9 and '_'", field="role")
    debit = chart.postable(str(payload["debit_code"]))
    credit = chart.postable(str(payload["credit_code"]))
    product = str(payload.get("product_code") or DEFAULT_PRODUCT)
    row = uow.session.scalars(
        select(PostingRule).where(
            PostingRule.company_id == company,
            PostingRule.event_type == event_type,
            PostingRule.product_code == product,
            PostingRule.role == role,
        )
    ).one_or_none()
    if row is None:
        row = PostingRule(
            company_id=company, event_type=event_type, product_code=product, role=role
        )
        uow.session.add(row)
    row.debit_account_id, row.credit_account_id = debit.id, credit.id
    uow.session.flush()
    books.forget_chart(uow, company)
    view = RuleView(event_type, product, role, debit.code, credit.code)
    return Done(entity_id=row.id, value=view, change=dict(payload))


def set_rule(
    uow: UnitOfWork,
    actor: Principal,
    *,
    event_type: str,
    role: str,
    debit_code: str,
    credit_code: str,
    product_code: str = DEFAULT_PRODUCT,
    now: datetime,
) -> RuleView | Pending:
    """Create or change the posting rule of (event type, product or default, amount role)."""
    payload = {
        "event_type": event_type,
        "role": role,
        "debit_code": debit_code,
        "credit_code": credit_code,
        "product_code": product_code,
    }
    return value_or_pending(
        run_command(uow, actor, "accounting.rule.set", payload, now=now), RuleView
    )

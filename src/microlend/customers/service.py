"""Use cases of customers: register (with anti-collision and the blacklist), update, search.

The credit file (financials, related parties, documents, blacklist) is in ``credit_file``, the
shared pool (claim, release, transfer, collisions) in ``pool``, the customer 360 in ``file360``.
Commands go through ``db.commands.run_command``: permission-checked, audited, one savepoint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select

from microlend.customers import extensions, model
from microlend.customers.applicant import check_applicant
from microlend.customers.bank_accounts import (
    add_bank_account,
    list_bank_accounts,
    remove_bank_account,
)
from microlend.customers.extensions import repayment_behaviour
from microlend.customers.model import IdKind
from microlend.customers.pinyin_keys import pinyin_keys
from microlend.customers.pool import pool_companies
from microlend.customers.records import (
    business_date,
    customer_view,
    group_of_company,
    holder_view,
    listed,
    to_minor,
)
from microlend.customers.tables import Collision, Customer, NameGram, OwnershipEvent
from microlend.customers.views import ApplicantCheck, CustomerView, RepaymentBehaviour
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.orgs.tables import Office

__all__ = [
    "ApplicantCheck",
    "RepaymentBehaviour",
    "add_bank_account",
    "check_applicant",
    "check_registration",
    "get_customer",
    "list_bank_accounts",
    "listed",
    "register_customer",
    "remove_bank_account",
    "repayment_behaviour",
    "search_customers",
    "update_customer",
]

INDIVIDUAL, ENTERPRISE = "individual", "enterprise"
NAME_KEYS = ("name_key", "name_pinyin", "name_initials")
_TEXT_FIELDS = ("address", "marital_status", "education", "employer", "legal_representative")


def _optional_text(payload: Payload, name: str, max_length: int = 200) -> str | None:
    value = (payload.get(name) or "").strip()
    if len(value) > max_length:
        raise ValidationFailed(
            "at most %(max_length)s characters", field=name, params={"max_length": max_length}
        )
    return value or None


def _optional_date(raw: Any, *, field: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed("a date like 2020-01-31", field=field) from None


def _optional_count(raw: Any, *, field: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        count = int(raw)
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        raise ValidationFailed("a whole number, 0 or more", field=field)
    return count


def _amount_not_negative(raw: Any, *, field: str) -> int | None:
    units = to_minor(raw, field=field)
    if units is not None and units < 0:
        raise ValidationFailed("an amount of 0 or more", field=field)
    return units


def _checked_fields(payload: Payload) -> dict[str, Any]:
    """The validated columns of a registration or update (each error names its field)."""
    kind = payload["kind"]
    fields: dict[str, Any] = {"name": model.checked_name(payload["name"])}
    fields["name_key"] = model.name_key(fields["name"])
    spelled = pinyin_keys(fields["name"], person=kind == INDIVIDUAL)
    fields["name_pinyin"], fields["name_initials"] = spelled
    phone = payload.get("phone")
    fields["phone"] = model.checked_mobile(phone) if phone else None
    for name in _TEXT_FIELDS:
        fields[name] = _optional_text(payload, name, 300 if name == "address" else 200)
    if kind == INDIVIDUAL:
        fields["monthly_income_minor"] = _amount_not_negative(
            payload.get("monthly_income"), field="monthly_income"
        )
    else:
        fields["registered_capital_minor"] = _amount_not_negative(
            payload.get("registered_capital"), field="registered_capital"
        )
        industry = (payload.get("industry_code") or "").strip().upper()
        if industry and not (
            industry[0].isalpha() and industry[1:].isdigit() and len(industry) <= 5
        ):
            raise ValidationFailed("a GB/T 4754 code: a section letter and up to 4 digits",
                                   field="industry_code")  # fmt: skip
        fields["industry_code"] = industry or None
        region = (payload.get("region_code") or "").strip()
        if region and not (len(region) == 6 and region.isdigit()):
            raise ValidationFailed("a region code has 6 digits", field="region_code")
        fields["region_code"] = region or None
        fields["founded_on"] = _optional_date(payload.get("founded_on"), field="founded_on")
        fields["employees"] = _optional_count(payload.get("employees"), field="employees")
    return fields


def _identity(payload: Payload) -> tuple[IdKind, str, dict[str, Any]]:
    """The identity (kind, number) and what it tells: birth date and sex of a resident ID."""
    if payload["kind"] == ENTERPRISE:
        return IdKind.USCC, model.parse_uscc(payload["id_number"], field="id_number"), {}
    try:
        id_kind = IdKind(payload.get("id_kind") or IdKind.RESIDENT_ID)
    except ValueError:
        raise ValidationFailed("unknown document kind", field="id_kind") from None
    if id_kind is IdKind.USCC:
        raise ValidationFailed("an individual has no USCC", field="id_kind")
    if id_kind is IdKind.RESIDENT_ID:
        resident = model.parse_resident_id(payload["id_number"])
        return id_kind, resident.number, {"birth_date": resident.birth_date, "sex": resident.sex}
    return id_kind, model.checked_identity(id_kind, payload["id_number"]), {}


def check_registration(payload: Payload) -> tuple[str, str]:
    """Validate a registration's fields without writing anything: the normalized identity
    ``(id_kind, id_number)``, or the ``ValidationFailed`` naming the first bad field."""
    if payload.get("kind") not in (INDIVIDUAL, ENTERPRISE):
        raise ValidationFailed("individual or enterprise", field="kind")
    id_kind, number, _derived = _identity(payload)
    _checked_fields(payload)
    return str(id_kind), number


def index_name(uow: UnitOfWork, row: Customer) -> None:
    """Keep ``customer_name_grams`` in step with the customer's name."""
    uow.session.execute(delete(NameGram).where(NameGram.customer_id == row.id))
    uow.session.add_all(NameGram(gram=gram, customer_id=row.id)
                        for gram in model.name_bigrams(row.name_key))  # fmt: skip
    uow.session.flush()


def _refuse_duplicate(uow: UnitOfWork, actor: Principal, held: Customer, *, now: datetime) -> None:
    """Report who holds the customer (and since when) and file the collision record."""
    holder = holder_view(uow, held, as_of=business_date(uow, held.company_id))
    extra = {"customer_id": held.id, "holder": {
        "officer_id": holder.owner_id, "officer": holder.owner_name,
        "office_id": holder.office_id, "office": holder.office_name,
        "company_id": holder.company_id, "company": holder.company_name,
        "since": holder.held_since.isoformat() if holder.held_since else None,
        "in_pool": not holder.held}}  # fmt: skip
    if held.owner_id == actor.user_id and holder.held:
        raise Conflict("you have registered this customer already", code="customer_exists",
                       field="id_number", extra=extra)  # fmt: skip
    collision = {"company_id": actor.company_id, "office_id": actor.office_id,
                 "attempted_by": actor.user_id, "customer_id": held.id,
                 "holder_id": held.owner_id, "holder_office_id": held.office_id,
                 "holder_company_id": held.company_id, "channel": "register",
                 "occurred_at": now}  # fmt: skip
    uow.durable(lambda session: session.add(Collision(**collision)))
    if not holder.held and held.company_id in pool_companies(uow, actor.company_id):
        raise Conflict("this customer is in the shared pool: claim it instead of registering it",
                       code="customer_in_pool", field="id_number", extra=extra)  # fmt: skip
    if not holder.held:
        raise Conflict("this customer is in the pool of %(company_name)s, which your company "
                       "does not share", code="customer_in_other_pool", field="id_number",
                       extra=extra, params={"company_name": holder.company_name})  # fmt: skip
    since = holder.held_since.isoformat() if holder.held_since else "?"
    raise Conflict(
        "customer held by %(owner_name)s (%(office_name)s, %(company_name)s) since %(since)s",
        code="customer_collision",
        field="id_number",
        extra=extra,
        params={
            "owner_name": holder.owner_name,
            "office_name": holder.office_name,
            "company_name": holder.company_name,
            "since": since,
        },
    )


@command("customers.create", entity_type="customer", summary=lambda p: f"customer {p['name']}")
def _register(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    if payload["kind"] not in (INDIVIDUAL, ENTERPRISE):
        raise ValidationFailed("individual or enterprise", field="kind")
    id_kind, number, derived = _identity(payload)
    fields = _checked_fields(payload)
    office_id = payload.get("office_id") or actor.office_id
    office = get_scoped(uow.session, actor, Office, office_id, office_column="id")
    group_id = group_of_company(uow, office.company_id)
    if any(e.list_kind == "black" for e in listed(uow.session, group_id=group_id,
                                                   id_kind=id_kind, id_number=number)):  # fmt: skip
        raise RuleViolation("this identity is on the blacklist", code="customer_blacklisted",
                            field="id_number")  # fmt: skip
    existing = uow.session.scalars(select(Customer).where(
        Customer.group_id == group_id, Customer.id_kind == id_kind, Customer.id_number == number
    )).one_or_none()  # fmt: skip
    if existing is not None:
        _refuse_duplicate(uow, actor, existing, now=now)
    today = business_date(uow, office.company_id)
    row = Customer(group_id=group_id, company_id=office.company_id, office_id=office.id,
                   owner_id=actor.user_id, kind=payload["kind"], id_kind=id_kind,
                   id_number=number, currency="CNY", held_since=today, last_activity_on=today,
                   created_at=now, updated_at=now, **fields, **derived)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    index_name(uow, row)
    uow.session.add(OwnershipEvent(company_id=row.company_id, customer_id=row.id,
                                   event="register", from_owner_id=None,
                                   to_owner_id=actor.user_id, by_user_id=actor.user_id,
                                   occurred_at=now))  # fmt: skip
    return Done(entity_id=row.id, value=customer_view(row, actor), change={"id": row.id})


def register_customer(
    uow: UnitOfWork, actor: Principal, *, kind: str, id_number: str, name: str, now: datetime,
    **fields: Any,
) -> CustomerView | Pending:  # fmt: skip
    """Register an individual (``kind="individual"``; ``id_kind`` defaults to the resident ID)
    or an enterprise (its USCC is the ``id_number``). A customer the group has already is never
    registered twice: the ``Conflict`` names who holds it, and a collision record is filed."""
    payload = {"kind": kind, "id_number": id_number, "name": name,
               **{key: _plain(value) for key, value in fields.items()}}  # fmt: skip
    outcome = run_command(uow, actor, "customers.create", payload, now=now)
    return value_or_pending(outcome, CustomerView)


def _plain(value: Any) -> Any:
    """A payload value as JSON holds it (dates as ISO text, decimals as strings)."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if hasattr(value, "as_tuple") else value


@command("customers.update", entity_type="customer", summary=lambda p: f"edit customer {p['id']}")
def _update(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    merged = {"kind": row.kind, "name": row.name, "phone": row.phone, **payload["changes"]}
    fields = _checked_fields(merged)
    changed = {
        column: value
        for column, value in fields.items()
        if column.removesuffix("_minor") in merged or column in NAME_KEYS
    }
    renamed = changed["name_key"] != row.name_key
    for name, value in changed.items():
        setattr(row, name, value)
    if renamed:
        index_name(uow, row)
    row.updated_at = now
    if row.owner_id == actor.user_id:
        row.last_activity_on = business_date(uow, row.company_id)
    uow.session.flush()
    return Done(entity_id=row.id, value=customer_view(row, actor), change=payload["changes"])


def update_customer(
    uow: UnitOfWork, actor: Principal, *, customer_id: int, changes: dict[str, Any], now: datetime
) -> CustomerView | Pending:
    """Change a customer's name, phone and descriptive fields (identity is not editable)."""
    plain = {key: _plain(value) for key, value in changes.items() if key not in ("id_number",
             "id_kind", "kind")}  # fmt: skip
    outcome = run_command(uow, actor, "customers.update", {"id": customer_id, "changes": plain},
                          now=now)  # fmt: skip
    return value_or_pending(outcome, CustomerView)


def get_customer(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> CustomerView:
    require(actor, "customers.view")
    return customer_view(get_scoped(uow.session, actor, Customer, customer_id), actor)


SEARCH_MODES = ("auto", "name_prefix", "name_contains", "pinyin", "id_number", "phone",
                "loan_number")  # fmt: skip
_HAN = ("\u3400", "\u9fff")


def _has_han(text: str) -> bool:
    return any(_HAN[0] <= char <= _HAN[1] for char in text)


def search_mode(q: str, mode: str) -> str:
    """The mode ``auto`` means for ``q``: an 18-character identity, a mobile number, letters
    only (pinyin: full or initials), letters with digits (a loan or application number), or a
    name prefix."""
    if mode != "auto":
        return mode
    compact = q.replace(" ", "").upper()
    if len(compact) == 18 and compact[:17].isalnum() and not _has_han(compact):
        return "id_number"
    if compact.lstrip("+").isdigit() and 11 <= len(compact.lstrip("+")) <= 13:
        return "phone"
    if compact.isascii() and compact.isalpha():
        return "pinyin"
    if compact.isascii() and any(char.isdigit() for char in compact):
        return "loan_number"
    return "name_prefix"


def _prefix(column: Any, key: str, dialect: str) -> Any:
    """``column`` starts with ``key``, in the form its btree index answers."""
    if dialect == "postgresql":  # btree with varchar_pattern_ops answers a prefix LIKE
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"{escaped}%", escape="\\")
    return and_(column >= key, column < key + "\U0010ffff")


def search_condition(q: str, mode: str, dialect: str, *, ids: list[int] | None = None) -> Any:
    """The WHERE condition of a search (see ``benchmarks/customer_search.py`` for its indexes);
    ``ids`` are the customers a loan-number search found."""
    if mode == "id_number":
        return Customer.id_number == q.replace(" ", "").upper()
    if mode == "phone":
        return Customer.phone == model.checked_mobile(q, field="q")
    if mode == "loan_number":
        return Customer.id.in_(ids or [])
    key = model.name_key(q)
    if not key:
        raise ValidationFailed("type something to search for", field="q")
    if mode == "pinyin":
        letters = "".join(char for char in key if char.isascii() and char.isalnum())
        if not letters:
            raise ValidationFailed("pinyin is written in letters", field="q")
        return or_(_prefix(Customer.name_pinyin, letters, dialect),
                   _prefix(Customer.name_initials, letters, dialect))  # fmt: skip
    if mode == "name_contains":
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pieces = [Customer.id.in_(select(NameGram.customer_id).where(NameGram.gram == gram))
                  for gram in model.name_bigrams(key)[:3]]  # fmt: skip
        return and_(*pieces, Customer.name_key.like(f"%{escaped}%", escape="\\"))
    if mode != "name_prefix":
        raise ValidationFailed(
            "one of %(search_modes)s", field="by", params={"search_modes": ", ".join(SEARCH_MODES)}
        )
    return _prefix(Customer.name_key, key, dialect)


def search_customers(
    uow: UnitOfWork, actor: Principal, *, q: str | None = None, by: str = "auto",
    cursor: str | None = None, limit: int = 50,
) -> Page[CustomerView]:  # fmt: skip
    """Customers the actor may see, by name (prefix or contains), pinyin (full or initials:
    "zhangsan", "zs"), ID number/USCC, phone, or loan/application number (as the contexts above
    report it, ``extensions.customers_by_number``); newest first; ID numbers and phones masked
    without ``pii.view``."""
    require(actor, "customers.view")
    stmt = apply_scope(select(Customer), actor, Customer)
    if q and q.strip():
        mode = search_mode(q.strip(), by)
        ids = (extensions.customers_by_number(uow, actor, number=q.strip())
               if mode == "loan_number" else None)  # fmt: skip
        stmt = stmt.where(search_condition(q.strip(), mode, uow.dialect, ids=ids))
    rows = uow.session.scalars(
        paginate(stmt, Customer.id, cursor=cursor, limit=limit, newest_first=True)
    ).all()
    page = page_of(rows, limit=limit, id_of=lambda row: row.id)
    return Page([customer_view(row, actor) for row in page.items], page.next_cursor)

"""The credit file: financial statements, related-party links, notes, documents, the blacklist."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from microlend.customers import model
from microlend.customers.model import IdKind, RelationKind
from microlend.customers.records import group_of_company, to_minor
from microlend.customers.tables import (
    Customer,
    CustomerDocument,
    CustomerLink,
    CustomerNote,
    FinancialStatement,
    ListEntry,
)
from microlend.customers.views import DocumentView, ListEntryView
from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, NotFound, ValidationFailed
from microlend.kernel.principal import Principal, require

STATEMENT_FIELDS = ("revenue", "net_profit", "total_assets", "total_liabilities",
                    "current_assets", "current_liabilities", "operating_cash_flow",
                    "monthly_income", "monthly_expense", "monthly_debt_payments")  # fmt: skip
DOCUMENT_TYPES = ("id_copy", "business_licence", "statement", "site_visit_photo", "other")


def _period(raw: str) -> str:
    text = raw.strip()
    ok = (len(text) == 4 and text.isdigit()) or (
        len(text) == 7 and text[4] == "-" and text[:4].isdigit() and "01" <= text[5:] <= "12"
    )
    if not ok:
        raise ValidationFailed("a period is a year (2024) or a month (2024-12)", field="period")
    return text


@command("customers.financials.record", permission="customers.update", entity_type="customer",
         summary=lambda p: f"financials {p['period']} of customer {p['id']}")  # fmt: skip
def _record_financials(uow: UnitOfWork, actor: Principal, payload: Payload, *,
                       now: datetime) -> Done:  # fmt: skip
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    period = _period(payload["period"])
    amounts = {f"{name}_minor": to_minor(payload.get(name), field=name)
               for name in STATEMENT_FIELDS}  # fmt: skip
    statement = uow.session.scalars(select(FinancialStatement).where(
        FinancialStatement.customer_id == row.id, FinancialStatement.period == period
    )).one_or_none()  # fmt: skip
    if statement is None:
        statement = FinancialStatement(
            company_id=row.company_id,
            customer_id=row.id,
            period=period,
            currency=row.currency,
            created_at=now,
        )
        uow.session.add(statement)
    for name, value in amounts.items():
        setattr(statement, name, value)
    statement.recorded_by = actor.user_id
    uow.session.flush()
    return Done(entity_id=row.id, value=statement.id, change={"period": period})


def record_financials(uow: UnitOfWork, actor: Principal, *, customer_id: int, period: str,
                      amounts: dict[str, str], now: datetime) -> Done | Pending:  # fmt: skip
    """A statement for ``period`` (replacing that period's): amounts as decimal strings."""
    unknown = set(amounts) - set(STATEMENT_FIELDS)
    if unknown:
        raise ValidationFailed(
            "unknown amounts %(unknown)s",
            field=sorted(unknown)[0],
            params={"unknown": sorted(unknown)},
        )
    payload = {"id": customer_id, "period": period, **{k: str(v) for k, v in amounts.items()}}
    return run_command(uow, actor, "customers.financials.record", payload, now=now)


@command("customers.link", permission="customers.update", entity_type="customer",
         summary=lambda p: f"{p['relation']} {p['from_id']} -> {p['to_id']}")  # fmt: skip
def _link(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    try:
        relation = RelationKind(payload["relation"])
    except ValueError:
        raise ValidationFailed("unknown relation", field="relation") from None
    source = get_scoped(uow.session, actor, Customer, payload["from_id"])
    try:
        target = get_scoped(uow.session, actor, Customer, payload["to_id"])
    except NotFound as missing:
        raise NotFound(
            missing.template, code=missing.code, field="to_id", params=missing.params
        ) from None
    if source.id == target.id:
        raise ValidationFailed("a customer is not its own related party", field="to_id")
    share = payload.get("share_percent")
    link = CustomerLink(company_id=source.company_id, from_customer_id=source.id,
                        to_customer_id=target.id, relation=relation.value,
                        share_percent=model.checked_share(None if share is None
                                                          else Decimal(share)),
                        created_by=actor.user_id, created_at=now)  # fmt: skip
    taken = select(CustomerLink.id).where(CustomerLink.from_customer_id == source.id,
                                          CustomerLink.to_customer_id == target.id,
                                          CustomerLink.relation == relation.value)  # fmt: skip
    if uow.session.scalars(taken).first() is not None:
        raise Conflict("these customers are linked so already", code="duplicate_link")
    uow.session.add(link)
    uow.session.flush()
    return Done(entity_id=source.id, value=link.id, change={"link_id": link.id})


def link_customers(uow: UnitOfWork, actor: Principal, *, from_id: int, to_id: int,
                   relation: str, share_percent: str | None = None,
                   now: datetime) -> Done | Pending:  # fmt: skip
    """A typed related-party link, e.g. ``to_id`` is a ``shareholder`` of ``from_id``."""
    payload = {"from_id": from_id, "to_id": to_id, "relation": relation,
               "share_percent": share_percent}  # fmt: skip
    return run_command(uow, actor, "customers.link", payload, now=now)


@command("customers.unlink", permission="customers.update", entity_type="customer",
         summary=lambda p: f"remove link {p['link_id']} of customer {p['id']}")  # fmt: skip
def _unlink(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    link = uow.session.get(CustomerLink, payload["link_id"])
    if link is None or row.id not in (link.from_customer_id, link.to_customer_id):
        raise NotFound(
            "link %(link_id)s not found",
            code="link_not_found",
            params={"link_id": payload["link_id"]},
        )
    removed = {"relation": link.relation, "from": link.from_customer_id,
               "to": link.to_customer_id}  # fmt: skip
    uow.session.delete(link)
    uow.session.flush()
    return Done(entity_id=row.id, value=None, change=removed)


def unlink_customers(uow: UnitOfWork, actor: Principal, *, customer_id: int, link_id: int,
                     now: datetime) -> Done | Pending:  # fmt: skip
    """Remove one related-party link of the customer (either direction)."""
    payload = {"id": customer_id, "link_id": link_id}
    return run_command(uow, actor, "customers.unlink", payload, now=now)


@command("customers.note", permission="customers.update", entity_type="customer",
         summary=lambda p: f"note on customer {p['id']}")  # fmt: skip
def _note(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    body = (payload.get("body") or "").strip()
    if not body or len(body) > 4000:
        raise ValidationFailed("a note has 1 to 4000 characters", field="body")
    note = CustomerNote(company_id=row.company_id, customer_id=row.id, body=body,
                        author_id=actor.user_id, created_at=now)  # fmt: skip
    uow.session.add(note)
    uow.session.flush()
    return Done(entity_id=row.id, value=note.id, change={"note_id": note.id})


def add_note(uow: UnitOfWork, actor: Principal, *, customer_id: int, body: str,
             now: datetime) -> Done | Pending:  # fmt: skip
    return run_command(uow, actor, "customers.note", {"id": customer_id, "body": body}, now=now)


# --- blacklist / watch list ----------------------------------------------------------------------


def list_entry_view(row: ListEntry) -> ListEntryView:
    return ListEntryView(
        id=row.id,
        list_kind=row.list_kind,
        id_kind=row.id_kind,
        id_number=row.id_number,
        name=row.name,
        reason=row.reason,
        source=row.source,
        active=row.active,
        created_at=row.created_at,
    )


@command("customers.blacklist", entity_type="customer_list_entry",
         summary=lambda p: f"{p['list_kind']} list: {p['name']}")  # fmt: skip
def _list_identity(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    if payload["list_kind"] not in ("black", "watch"):
        raise ValidationFailed("black or watch", field="list_kind")
    try:
        id_kind = IdKind(payload["id_kind"])
    except ValueError:
        raise ValidationFailed("unknown document kind", field="id_kind") from None
    reason = (payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("give the reason", field="reason")
    row = ListEntry(group_id=group_of_company(uow, actor.company_id), company_id=actor.company_id,
                    list_kind=payload["list_kind"], id_kind=id_kind.value,
                    id_number=model.checked_identity(id_kind, payload["id_number"]),
                    name=model.checked_name(payload["name"]), reason=reason[:500],
                    source=(payload.get("source") or "manual")[:100], active=True,
                    created_by=actor.user_id, created_at=now)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return Done(entity_id=row.id, value=list_entry_view(row), change={"id": row.id})


def add_to_list(uow: UnitOfWork, actor: Principal, *, list_kind: str, id_kind: str,
                id_number: str, name: str, reason: str, source: str = "manual",
                now: datetime) -> Done | Pending:  # fmt: skip
    """Put an identity on the group's blacklist (registration refused) or watch list (warned)."""
    payload = {"list_kind": list_kind, "id_kind": id_kind, "id_number": id_number,
               "name": name, "reason": reason, "source": source}  # fmt: skip
    return run_command(uow, actor, "customers.blacklist", payload, now=now)


def list_entries(uow: UnitOfWork, actor: Principal) -> list[ListEntryView]:
    require(actor, "customers.view")
    group_id = group_of_company(uow, actor.company_id)
    rows = uow.session.scalars(select(ListEntry).where(ListEntry.group_id == group_id)
                               .order_by(ListEntry.id.desc()).limit(500))  # fmt: skip
    return [list_entry_view(row) for row in rows]


# --- documents -----------------------------------------------------------------------------------

DOCUMENT = "customer document"


def document_view(row: CustomerDocument) -> DocumentView:
    return DocumentView(id=row.id, doc_type=row.doc_type, filename=row.filename,
                        media_type=row.media_type, size=row.size, content_hash=row.content_hash,
                        uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at)  # fmt: skip


@command("customers.document.upload", permission="customers.update", entity_type="customer",
         summary=lambda p: f"document {p['filename']}")  # fmt: skip
def _upload(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = get_scoped(uow.session, actor, Customer, payload["id"])
    if payload["doc_type"] not in DOCUMENT_TYPES:
        raise ValidationFailed(
            "one of %(document_types)s",
            field="doc_type",
            params={"document_types": ", ".join(DOCUMENT_TYPES)},
        )
    document = CustomerDocument(company_id=row.company_id, customer_id=row.id,
                                doc_type=payload["doc_type"],
                                filename=Path(payload["filename"]).name[:200] or "document",
                                media_type=payload["media_type"][:100], size=payload["size"],
                                content_hash=payload["content_hash"], uploaded_by=actor.user_id,
                                uploaded_at=now)  # fmt: skip
    uow.session.add(document)
    uow.session.flush()
    return Done(entity_id=row.id, value=document_view(document), change={"doc": document.id})


def upload_document(uow: UnitOfWork, actor: Principal, *, customer_id: int, doc_type: str,
                    filename: str, media_type: str, content: bytes,
                    now: datetime) -> DocumentView | Pending:  # fmt: skip
    """Store ``content`` once under its SHA-256 and attach it to the customer."""
    require(actor, "customers.update")
    content_hash = documents.checked_content(content)
    payload = {"id": customer_id, "doc_type": doc_type, "filename": filename,
               "media_type": media_type or "application/octet-stream", "size": len(content),
               "content_hash": content_hash}  # fmt: skip
    outcome = run_command(uow, actor, "customers.document.upload", payload, now=now)
    documents.store(content)
    return outcome if isinstance(outcome, Pending) else outcome.value


def read_document(uow: UnitOfWork, actor: Principal, *, customer_id: int,
                  document_id: int) -> tuple[DocumentView, bytes]:  # fmt: skip
    require(actor, "customers.view")
    customer = get_scoped(uow.session, actor, Customer, customer_id)
    row = uow.session.get(CustomerDocument, document_id)
    if row is None or row.customer_id != customer.id:
        raise NotFound(
            "document %(document_id)s not found",
            code="document_not_found",
            params={"document_id": document_id},
        )
    stored = documents.StoredDocument(DOCUMENT, row.id, row.content_hash, row.size)
    return document_view(row), documents.read(stored)


def stored_documents(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The customers' documents of the actor's companies, as the document store checks them."""
    require(actor, "customers.view")
    return documents.stored_in(uow.session, DOCUMENT, CustomerDocument, actor.company_ids)

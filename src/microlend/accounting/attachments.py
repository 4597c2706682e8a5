"""Attachments of manual vouchers (原始凭证: invoices, receipts): the file is kept once by its
SHA-256 in the shared document store, the row links it to the voucher. Attaching is a command of
whoever may post vouchers; reading follows the voucher's scope."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from microlend.accounting.model import MANUAL
from microlend.accounting.tables import Voucher, VoucherAttachment
from microlend.accounting.views import AttachmentView
from microlend.db import documents
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, RuleViolation
from microlend.kernel.principal import Principal, require

ATTACH = "accounting.voucher.attach"
POST = "accounting.voucher.post"
VIEW = "accounting.view"
ATTACHMENT = "voucher attachment"


def attachment_view(row: VoucherAttachment) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        voucher_id=row.voucher_id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        content_hash=row.content_hash,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


@command(ATTACH, permission=POST, entity_type="voucher",
         summary=lambda p: f"attach {p['filename']} to voucher {p['voucher_id']}")  # fmt: skip
def _attach(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    voucher = get_scoped(uow.session, actor, Voucher, int(payload["voucher_id"]))
    if voucher.kind != MANUAL:
        raise RuleViolation("only manual vouchers take attachments", code="not_a_manual_voucher")
    row = VoucherAttachment(
        company_id=voucher.company_id,
        voucher_id=voucher.id,
        filename=Path(str(payload["filename"])).name[:200] or "attachment",
        media_type=str(payload["media_type"])[:100],
        size=int(payload["size"]),
        content_hash=str(payload["content_hash"]),
        uploaded_by=actor.username,
        uploaded_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    return Done(entity_id=voucher.id, value=attachment_view(row), change={"attachment": row.id})


def attach_file(
    uow: UnitOfWork,
    actor: Principal,
    *,
    voucher_id: int,
    filename: str,
    media_type: str,
    content: bytes,
    now: datetime,
) -> AttachmentView | Pending:
    """Store ``content`` once under its SHA-256 and attach it to a manual voucher."""
    require(actor, POST)
    content_hash = documents.checked_content(content)
    payload = {
        "voucher_id": voucher_id,
        "filename": filename,
        "media_type": media_type or "application/octet-stream",
        "size": len(content),
        "content_hash": content_hash,
    }
    outcome = run_command(uow, actor, ATTACH, payload, now=now)
    documents.store(content)
    return value_or_pending(outcome, AttachmentView)


def list_attachments(uow: UnitOfWork, actor: Principal, *, voucher_id: int) -> list[AttachmentView]:
    require(actor, VIEW)
    voucher = get_scoped(uow.session, actor, Voucher, voucher_id)
    rows = uow.session.scalars(
        select(VoucherAttachment)
        .where(VoucherAttachment.voucher_id == voucher.id)
        .order_by(VoucherAttachment.id)
    )
    return [attachment_view(row) for row in rows]


def read_attachment(
    uow: UnitOfWork, actor: Principal, *, voucher_id: int, attachment_id: int
) -> tuple[AttachmentView, bytes]:
    require(actor, VIEW)
    voucher = get_scoped(uow.session, actor, Voucher, voucher_id)
    row = uow.session.get(VoucherAttachment, attachment_id)
    if row is None or row.voucher_id != voucher.id:
        raise NotFound(
            "attachment %(attachment_id)s not found",
            code="attachment_not_found",
            params={"attachment_id": attachment_id},
        )
    stored = documents.StoredDocument(ATTACHMENT, row.id, row.content_hash, row.size)
    return attachment_view(row), documents.read(stored)


def stored_attachments(uow: UnitOfWork, actor: Principal) -> list[documents.StoredDocument]:
    """The vouchers' attachments of the actor's companies, as the document store checks them."""
    require(actor, VIEW)
    return documents.stored_in(uow.session, ATTACHMENT, VoucherAttachment, actor.company_ids)

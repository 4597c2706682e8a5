"""``/api/v1/accounting/vouchers/{id}/attachments``: the files behind a manual voucher."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from microlend.accounting import service
from microlend.accounting.api import DONE
from microlend.kernel.ids import Id
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.downloads import file_response
from microlend.web.kit.idempotency import CommandDep

router = APIRouter(prefix="/api/v1/accounting", tags=["accounting"])


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    voucher_id: Id
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_by: str
    uploaded_at: datetime


@router.get("/vouchers/{voucher_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(voucher_id: Id, uow: UowDep, actor: PrincipalDep) -> list[AttachmentOut]:
    rows = service.list_attachments(uow, actor, voucher_id=voucher_id)
    return [AttachmentOut.model_validate(row) for row in rows]


@router.post(
    "/vouchers/{voucher_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=DONE,
)
async def attach_file(
    voucher_id: Id, request: Request, command: CommandDep, filename: str
) -> Response:
    """The request body is the file itself (its Content-Type is kept), its name a query
    parameter; it is stored once under its SHA-256. Only manual vouchers take attachments."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    return command.respond(
        lambda: service.attach_file(
            command.uow,
            command.actor,
            voucher_id=voucher_id,
            filename=filename,
            media_type=media_type,
            content=content,
            now=command.now,
        ),
        AttachmentOut.model_validate,
    )


@router.get("/vouchers/{voucher_id}/attachments/{attachment_id}", response_class=Response)
def download_attachment(
    voucher_id: Id, attachment_id: Id, uow: UowDep, actor: PrincipalDep
) -> Response:
    attachment, content = service.read_attachment(
        uow, actor, voucher_id=voucher_id, attachment_id=attachment_id
    )
    return file_response(content, attachment.media_type, attachment.filename, inline=False)

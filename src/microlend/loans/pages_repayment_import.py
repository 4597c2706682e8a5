"""批量还款导入: a bank file of repayments posted from the browser, in two steps.

Upload: the file is read (UTF-8 CSV, ``batch_file``) and previewed (``batch_preview``): each line
with its loan and borrower and the problems found before posting; nothing is written. Confirm:
the file comes back in hidden fields (the columns read, as CSV, base64 in parts of at most
``PART_BYTES`` so that no form field passes the form parser's limit), is read and previewed
again, and its lines are posted with ``batch.repay_batch`` in one unit of work: all or nothing,
a reference posted already replayed, not paid twice.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError, Refusal, ValidationFailed
from microlend.loans import service
from microlend.loans.batch_file import MAX_LINES, refused_line, renumber, rows_of, text_of
from microlend.loans.batch_preview import PreviewLine
from microlend.loans.repayments import REPAY
from microlend.loans.views import EventOutcome
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import Gettext
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page
from microlend.web.kit.viewer import Viewer

router = page_router()
PAGE = "/loans/repayment-imports"
TEMPLATE = "loans/repayment_import.html"
MAX_BYTES = 2_000_000
PART_BYTES = 600_000  # 800 KB of base64: under the 1 MB a form field may have
N_ = error_text.N_
LABELS = {  # the preview's columns, naming the field of a problem
    "loan_number": N_("Loan number"),
    "external_reference": N_("Reference"),
    "file": N_("File"),
}


@router.get(PAGE)
def upload_page(request: Request, viewer: Viewer = Depends(permitted(REPAY))) -> Response:
    return render_page(request, TEMPLATE, _context())


@router.post(PAGE + "/preview")
async def preview(request: Request, viewer: Viewer = Depends(permitted(REPAY))) -> Response:
    _ = gettext_for(request)
    upload = (await request.form()).get("file")
    try:
        rows = rows_of(await _text_of(upload), limit=MAX_LINES)
        with page_uow(request, read_only=True) as uow:
            found = service.preview_repayments(uow, viewer.principal, rows)
    except DomainError as error:
        return _refused(request, error)
    notices = [] if found.ready else [_nothing_to_post(found, _)]
    return render_page(request, TEMPLATE, _context(found, _), notices=notices)


@router.post(PAGE + "/confirm")
async def confirm(request: Request, viewer: Viewer = Depends(permitted(REPAY))) -> Response:
    _ = gettext_for(request)
    parts = (await request.form()).getlist("file_text")
    try:
        rows = rows_of(_unpacked(parts), limit=MAX_LINES)
        with page_uow(request, read_only=True) as uow:
            found = service.preview_repayments(uow, viewer.principal, rows)
    except DomainError as error:
        return _refused(request, error)
    if not found.ready:
        notices = [_nothing_to_post(found, _)]
        return render_page(request, TEMPLATE, _context(found, _), notices=notices)
    numbers = [line.number for line in found.to_post]
    try:
        with page_uow(request) as uow:
            done = service.repay_batch(
                uow, viewer.principal, found.items(), now=request_now(request)
            )
            uow.commit()
    except DomainError as error:
        renumber(error, numbers)
        text = _("Nothing was posted: line %(line)s was refused. %(reason)s") % {
            "line": refused_line(error) or "-",
            "reason": error_text.describe(error, _, LABELS),
        }
        return render_page(request, TEMPLATE, _context(found, _), notices=[Notice("error", text)])
    outcome = [_result(line, answer) for line, answer in zip(found.to_post, done, strict=True)]
    context = {**_context(found, _), "outcome": outcome, "parts": []}
    return render_page(request, TEMPLATE, context, notices=[_summary(outcome, _)])


async def _text_of(upload: object) -> str:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("choose a file", field="file")
    content = await upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            "at most %(limit)s MB", field="file", params={"limit": MAX_BYTES // 1_000_000}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "not UTF-8 text: save the file as CSV UTF-8 and upload it again", field="file"
        ) from None


def _packed(found: service.FilePreview) -> list[str]:
    """The file as the confirm form carries it: the lines read, as CSV, base64 in parts."""
    raw = text_of(line.row for line in found.lines).encode("utf-8")
    return [
        base64.urlsafe_b64encode(raw[i : i + PART_BYTES]).decode("ascii")
        for i in range(0, len(raw), PART_BYTES)
    ]


def _unpacked(parts: list[Any]) -> str:
    try:
        raw = b"".join(base64.b64decode(str(part), b"-_", validate=True) for part in parts)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "the file did not come back whole: upload it again", field="file"
        ) from None


def _context(
    found: service.FilePreview | None = None, gettext: Gettext | None = None
) -> dict[str, Any]:
    if found is None or gettext is None:
        return {"found": None, "max_lines": MAX_LINES, "max_mb": MAX_BYTES // 1_000_000}
    problems = {line.number: [_problem(p, gettext) for p in line.problems] for line in found.lines}
    return {
        "found": found,
        "totals": found.totals(),
        "problems": problems,
        "parts": _packed(found) if found.ready else [],
        "max_lines": MAX_LINES,
        "max_mb": MAX_BYTES // 1_000_000,
    }


def _problem(refusal: Refusal, gettext: Gettext) -> str:
    """A problem of a line in the reader's language, naming its field."""
    detail = error_text.translated(refusal.template, dict(refusal.params), gettext)
    label = {**error_text.FIELD_NAMES, **LABELS}.get(refusal.field or "")
    return f"{gettext(label)}: {detail}" if label else detail


def _refused(request: Request, error: DomainError) -> Response:
    _ = gettext_for(request)
    text = error_text.describe(error, _, LABELS)
    return render_page(request, TEMPLATE, _context(), notices=[Notice("error", text)])


def _nothing_to_post(found: service.FilePreview, gettext: Gettext) -> Notice:
    if found.refused:
        text = gettext("Nothing can be posted until the lines with problems are put right.")
        return Notice("error", text)
    return Notice("warning", gettext("The file has no line to post."))


def _result(line: PreviewLine, answer: EventOutcome | Pending) -> dict[str, Any]:
    if isinstance(answer, Pending):
        return {"line": line, "state": "pending", "pending_id": answer.pending_id}
    return {"line": line, "state": "replayed" if answer.replayed else "posted"}


def _summary(outcome: list[dict[str, Any]], gettext: Gettext) -> Notice:
    count = {state: sum(1 for r in outcome if r["state"] == state) for state in STATES}
    text = (
        gettext("%(posted)s posted, %(replayed)s already there, %(pending)s waiting for approval.")
        % count
    )
    return Notice("success", text)


STATES = ("posted", "replayed", "pending")

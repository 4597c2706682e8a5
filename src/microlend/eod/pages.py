"""Close-of-business pages (read-only): the latest runs, one run's steps and report, and the
reconciliation of the business date as it stands."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.eod import service
from microlend.eod.reconciliation import GL_PERMISSION, live_reconciliation
from microlend.web.kit import error_text
from microlend.web.kit.edge import page_uow
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page
from microlend.web.kit.viewer import Viewer

router = page_router()


@router.get("/eod")
def runs_page(
    request: Request, viewer: Viewer = Depends(permitted(service.PERMISSION))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        runs = service.list_runs(uow, viewer.principal, limit=50)
    return render_page(request, "eod/runs.html", {"runs": runs})


@router.get("/eod/runs/{run_id}")
def run_page(
    run_id: int, request: Request, viewer: Viewer = Depends(permitted(service.PERMISSION))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        detail = service.get_run(uow, viewer.principal, run_id=run_id)
    kept = detail.summary.failure.get("reason") or {}
    reason = (
        error_text.translated(kept["template"], kept.get("params", {}), gettext_for(request))
        if kept.get("template")
        else ""
    )
    return render_page(request, "eod/run.html", {"detail": detail, "reason": reason})


@router.get("/accounting/reconciliation")
def reconciliation_page(
    request: Request, viewer: Viewer = Depends(permitted(GL_PERMISSION))
) -> Response:
    """对账: the loan sub-ledger against the general ledger as they stand now."""
    with page_uow(request, read_only=True) as uow:
        found = live_reconciliation(uow, viewer.principal)
    return render_page(request, "eod/reconciliation.html", {"check": found})

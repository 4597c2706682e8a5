"""批量代扣 page: the deduction request file of a collection date (``loans.autodebit``) — its
lines with their totals, the loans owing without a bank account, and the file to download."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers.records import may_view_pii
from microlend.kernel.errors import ValidationFailed
from microlend.loans.autodebit import PERMISSION, DebitRun, deduction_run
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, optional_date
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page
from microlend.web.kit.viewer import Viewer

router = page_router()
PAGE = "/loans/auto-debit"
API = "/api/v1/loans/auto-debit"


def _download(run: DebitRun | None) -> str:
    if run is None:
        return ""
    return f"{API}?{urlencode({'on': run.on.isoformat(), 'format': 'csv'})}"


@router.get(PAGE)
def auto_debit_page(
    request: Request, on: str = "", viewer: Viewer = Depends(permitted(PERMISSION))
) -> Response:
    """The file of date ``on`` (default the business date); a bad date is named above the page."""
    run: DebitRun | None = None
    notices: list[Notice] = []
    try:
        day = optional_date(on, "on")
        with page_uow(request, read_only=True) as uow:
            run = deduction_run(uow, viewer.principal, on=day)
    except ValidationFailed as error:
        notices = feedback(error, (), gettext_for(request))[1]
    context = {
        "run": run,
        "on": run.on if run else on,
        "download": _download(run),
        "pii": may_view_pii(viewer.principal),
    }
    return render_page(request, "loans/auto_debit.html", context, notices=notices)

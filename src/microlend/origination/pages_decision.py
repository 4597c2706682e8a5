"""The decision panel of an application (an htmx fragment of the application page, or a page of
its own) and the replay of a decision."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.origination import decision
from microlend.web.kit.edge import page_uow
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import render_page
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "origination.view"


@router.get("/applications/{application_id}/decision")
def decision_panel(
    application_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """Outcome, rule hits, score and grade with the points per characteristic, and the limit
    checks with their headroom. ``hx-get`` it into ``#decision-panel`` for the fragment alone."""
    with page_uow(request, read_only=True) as uow:
        history = decision.list_decisions(uow, viewer.principal, application_id=application_id)
    context = {"application_id": application_id, "d": history[0] if history else None,
               "history": history[1:], "replayed": None}  # fmt: skip
    return render_page(request, "origination/decision_panel.html", context)


@router.get("/decisions/{decision_id}/replay")
def decision_replay(
    decision_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """The decision evaluated again from its stored inputs (``#decision-replay`` fragment)."""
    with page_uow(request, read_only=True) as uow:
        replayed = decision.replay_decision(uow, viewer.principal, decision_id=decision_id)
    context = {"application_id": replayed.application_id, "d": replayed, "history": [],
               "replayed": replayed}  # fmt: skip
    return render_page(request, "origination/decision_panel.html", context)

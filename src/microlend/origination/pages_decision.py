"""The decision panel of an application (an htmx fragment of the application page, or a page of
its own) and the replay of a decision."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.origination import decision
from microlend.origination.decision_model import DecisionView
from microlend.origination.rules_model import read_hit_message
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "origination.view"

# The sentences of the rule hits (``rules_model.HIT_MESSAGES``), stored in English: marked here so
# that the catalog translates them, and a customer kind inside one.
HIT_MESSAGES = (
    N_("age %(age)s is outside %(min)s-%(max)s"),
    N_("the applicant is on the blacklist"),
    N_("the applicant is on the watch list"),
    N_("a related party is in default"),
    N_("days past due in the history %(dpd)s > %(above)s"),
    N_("DTI %(dti)s > %(above)s"),
    N_("industry %(code)s is excluded"),
    N_("amount %(amount)s > product maximum %(maximum)s"),
    N_("amount %(amount)s > office maximum %(maximum)s"),
    N_("the product does not lend to %(kind)s"),
    N_("scorecard grade %(grade)s"),
    N_("input missing"),
)
KIND_WORDS = {"individual": N_("individual"), "enterprise": N_("enterprise")}


def hit_texts(views: Sequence[DecisionView], _: Callable[[str], str]) -> dict[str, str]:
    """Each stored hit message in the reader's language (one the catalog does not know, as
    stored), by message."""
    texts = {}
    for view in views:
        for hit in view.reasons:
            read = read_hit_message(hit.message)
            if read is not None:
                template, values = read
                if "kind" in values:
                    values["kind"] = _(KIND_WORDS.get(values["kind"], values["kind"]))
                texts[hit.message] = _(template) % values
    return texts


@router.get("/applications/{application_id}/decision")
def decision_panel(
    application_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """Outcome, rule hits, score and grade with the points per characteristic, and the limit
    checks with their headroom. ``hx-get`` it into ``#decision-panel`` for the fragment alone."""
    with page_uow(request, read_only=True) as uow:
        history = decision.list_decisions(uow, viewer.principal, application_id=application_id)
    context = {"application_id": application_id, "d": history[0] if history else None,
               "history": history[1:], "replayed": None,
               "hit_texts": hit_texts(history[:1], gettext_for(request))}  # fmt: skip
    return render_page(request, "origination/decision_panel.html", context)


@router.get("/decisions/{decision_id}/replay")
def decision_replay(
    decision_id: int, request: Request, viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    """The decision evaluated again from its stored inputs (``#decision-replay`` fragment)."""
    with page_uow(request, read_only=True) as uow:
        replayed = decision.replay_decision(uow, viewer.principal, decision_id=decision_id)
    texts = hit_texts([replayed], gettext_for(request))
    context = {"application_id": replayed.application_id, "d": replayed, "history": [],
               "replayed": replayed, "hit_texts": texts}  # fmt: skip
    return render_page(request, "origination/decision_panel.html", context)

"""Risk pages: the policy rules (edit parameters, publish the next version), the limit settings
and the active scorecards (view the points tables, deploy a new version)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.orgs import service as orgs
from microlend.origination import limits, rules, scorecards
from microlend.origination.rules_model import RULE_KINDS
from microlend.products import service as products
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "risk.view"
RULES_URL, LIMITS_URL, SCORECARDS_URL = "/risk/rules", "/risk/limits", "/risk/scorecards"

# The texts the system stores with the default rules and scorecards (``rules.DEFAULT_NOTE``,
# ``scorecards_model.DEFAULTS``: names and bin labels) and the bin of a value no bin holds,
# shown through the ``catalogued`` filter: marked here so that the catalog translates them.
DEFAULT_RULES_NOTE = N_("default rules")
DEFAULT_SCORECARD_TEXTS = (
    N_("Default individual scorecard (illustrative)"),
    N_("Default enterprise scorecard (illustrative)"),
    N_("postgraduate"), N_("bachelor"), N_("college"),
    N_("married"), N_("single"), N_("divorced or widowed"),
    N_("agriculture (A)"), N_("manufacturing (C)"), N_("wholesale and retail (F)"),
    N_("hotels and catering (H)"), N_("construction (E)"), N_("real estate (K)"),
    N_("none"),
)  # fmt: skip
UNBINNED_LABELS = (N_("missing"), N_("other"))


def _failure(request: Request, error: DomainError) -> Notice:
    _ = gettext_for(request)
    where = f"{error.field}: " if error.field else ""
    return Notice("error", where + error_text.describe(error, _))


def _done(request: Request, url: str, outcome: object, message: str) -> Response:
    _ = gettext_for(request)
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
        return see_other(request, url, notice)
    return see_other(request, url, Notice("success", message))


# --- rules ---------------------------------------------------------------------------------------


def _rules_page(request: Request, viewer: Viewer, *, notices: list[Notice] | None = None,
                status_code: int = 200) -> Response:  # fmt: skip
    with page_uow(request, read_only=True) as uow:
        current = rules.current_rules(uow, viewer.principal)
        history = rules.rule_set_history(uow, viewer.principal)
    documents = [rule.to_document() for rule in current.rules]
    for document in documents:
        document["params_text"] = json.dumps(document["params"], ensure_ascii=False)
    context = {"current": current, "rules": documents, "history": history, "kinds": RULE_KINDS}
    return render_page(request, "risk/rules.html", context, notices=notices,
                       status_code=status_code)  # fmt: skip


@router.get(RULES_URL)
def rules_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return _rules_page(request, viewer)


def _params(raw: str, index: int) -> Any:
    try:
        return json.loads(raw or "{}")
    except json.JSONDecodeError:
        raise ValidationFailed("parameters as JSON, e.g. {\"above\": 30}",
                               field=f"rules[{index}].params") from None  # fmt: skip


def rules_from_form(form: FormData) -> list[dict[str, Any]]:
    """The rule list of the form: the rows shown, and a new one when its code is filled in."""
    found: list[dict[str, Any]] = []
    count = int(str(form.get("count") or 0))
    for index in range(count + 1):
        prefix = f"rule-{index}-"
        code = str(form.get(prefix + "code") or "").strip()
        if not code or form.get(prefix + "delete"):
            continue
        found.append({
            "code": code, "kind": str(form.get(prefix + "kind") or ""),
            "outcome": str(form.get(prefix + "outcome") or ""),
            "enabled": form.get(prefix + "enabled") == "on",
            "when_missing": str(form.get(prefix + "when_missing") or "") or None,
            "params": _params(str(form.get(prefix + "params") or ""), len(found)),
        })  # fmt: skip
    return found


@router.post(RULES_URL)
async def publish_rules(
    request: Request, viewer: Viewer = Depends(permitted("risk.rules.manage"))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        documents = rules_from_form(form)
        with page_uow(request) as uow:
            outcome = rules.publish_rules(uow, viewer.principal, rules=documents,
                                          note=str(form.get("note") or ""),
                                          now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _rules_page(request, viewer, notices=[_failure(request, error)],
                           status_code=error.status)  # fmt: skip
    version = getattr(outcome, "version", "")
    return _done(request, RULES_URL, outcome,
                 _("Rules version %(version)s published.") % {"version": version})  # fmt: skip


# --- limits --------------------------------------------------------------------------------------


def _limits_page(request: Request, viewer: Viewer, *, notices: list[Notice] | None = None,
                 status_code: int = 200) -> Response:  # fmt: skip
    with page_uow(request, read_only=True) as uow:
        view = limits.get_limits(uow, viewer.principal)
        offices = [o for o in orgs.list_offices(uow, viewer.principal, limit=500).items
                   if o.company_id == view.company_id]  # fmt: skip
        catalogue = (products.list_products(uow, viewer.principal, company_id=view.company_id)
                     if viewer.can("products.view") else [])  # fmt: skip
    context = {"view": view, "s": view.settings, "offices": offices, "products": catalogue}
    return render_page(request, "risk/limits.html", context, notices=notices,
                       status_code=status_code)  # fmt: skip


@router.get(LIMITS_URL)
def limits_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return _limits_page(request, viewer)


def limits_from_form(form: FormData) -> dict[str, Any]:
    def by_id(prefix: str) -> dict[str, str]:
        return {str(key)[len(prefix):]: str(value).strip() for key, value in form.multi_items()
                if str(key).startswith(prefix) and str(value).strip()}  # fmt: skip

    return {
        "single_borrower_percent": str(form.get("single_borrower_percent") or "").strip(),
        "related_group_percent": str(form.get("related_group_percent") or "").strip(),
        "breach_outcome": str(form.get("breach_outcome") or ""),
        "office_max_amounts": by_id("office_max-"),
        "office_totals": by_id("office_total-"),
        "product_totals": by_id("product_total-"),
    }


@router.post(LIMITS_URL)
async def set_limits(
    request: Request, viewer: Viewer = Depends(permitted(limits.MANAGE))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            outcome = limits.set_limits(uow, viewer.principal, settings=limits_from_form(form),
                                        now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _limits_page(request, viewer, notices=[_failure(request, error)],
                            status_code=error.status)  # fmt: skip
    return _done(request, LIMITS_URL, outcome, _("Limit settings saved."))


# --- scorecards ----------------------------------------------------------------------------------


def _scorecards_page(
    request: Request,
    viewer: Viewer,
    *,
    draft: str = "",
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        active = scorecards.active_scorecards(uow, viewer.principal)
        history = {kind: scorecards.scorecard_history(uow, viewer.principal, customer_kind=kind)
                   for kind in scorecards.KINDS}  # fmt: skip
    if not draft:
        draft = json.dumps(active[0].definition, ensure_ascii=False, indent=2)
    context = {"active": active, "history": history, "draft": draft}
    return render_page(request, "risk/scorecards.html", context, notices=notices,
                       status_code=status_code)  # fmt: skip


@router.get(SCORECARDS_URL)
def scorecards_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return _scorecards_page(request, viewer)


@router.post(SCORECARDS_URL)
async def deploy_scorecard(
    request: Request, viewer: Viewer = Depends(permitted(rules.MANAGE))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    draft = str(form.get("definition") or "")
    try:
        try:
            definition = json.loads(draft)
        except json.JSONDecodeError:
            raise ValidationFailed("a scorecard as JSON", field="definition") from None
        with page_uow(request) as uow:
            outcome = scorecards.deploy_scorecard(
                uow, viewer.principal, company_id=viewer.principal.company_id,
                definition=definition, note=str(form.get("note") or ""),
                now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        notices = [_failure(request, error)]
        return _scorecards_page(request, viewer, draft=draft, notices=notices,
                                status_code=error.status)  # fmt: skip
    version = getattr(outcome, "version", "")
    return _done(request, SCORECARDS_URL, outcome,
                 _("Scorecard version %(version)s deployed.") % {"version": version})  # fmt: skip

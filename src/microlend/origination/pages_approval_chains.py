"""The approval chains of the company (administration): the active chains with their steps, a
form that saves a chain as its next version (up to ``STEP_ROWS`` steps), and retiring a chain."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from microlend.auth import service as auth
from microlend.auth.tables import User
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs
from microlend.origination import approval_chains
from microlend.origination.approval_chains import ChainView
from microlend.origination.records import user_names
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.forms import feedback, form_texts
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
CHAINS_URL = "/admin/approval-chains"
MANAGE = "origination.chains.manage"
STEP_ROWS = 5
STEP_FIELDS = (
    "level_name",
    "role",
    "location",
    "final_up_to",
    "risk_review",
    "quorum",
    "committee_size",
    "members",
    "veto",
    "sla_hours",
)
CHAIN_FIELDS = ("code", "name", "office_id", "product_code", "min_amount", "max_amount")

# The default chain's name and level names (``approval_chains``), stored as English text and
# shown through the ``catalogued`` filter: marked here so that the catalog translates them.
DEFAULT_CHAIN_NAME = N_("Default approval chain")
DEFAULT_LEVEL_NAMES = (N_("Branch manager"), N_("Risk officer"), N_("Risk committee"))


def _form_of(chain: ChainView | None, names: dict[int, str]) -> dict[str, str]:
    form = dict.fromkeys(CHAIN_FIELDS, "")
    for index in range(STEP_ROWS):
        form.update({f"steps.{index}.{name}": "" for name in STEP_FIELDS})
        form[f"steps.{index}.location"] = "branch"
    if chain is None:
        return form
    form.update(
        code=chain.code,
        name=chain.name,
        office_id=str(chain.office_id or ""),
        product_code=chain.product_code or "",
        min_amount=str(chain.min_amount or ""),
        max_amount=str(chain.max_amount or ""),
    )
    for index, step in enumerate(chain.steps[:STEP_ROWS]):
        prefix = f"steps.{index}."
        form.update(
            {
                prefix + "level_name": step.level_name,
                prefix + "role": step.role,
                prefix + "location": step.location,
                prefix + "final_up_to": "" if step.final_up_to is None else str(step.final_up_to),
                prefix + "risk_review": "on" if step.risk_review else "",
                prefix + "quorum": str(step.quorum),
                prefix + "committee_size": str(step.committee_size),
                prefix + "members": ", ".join(names.get(m, str(m)) for m in step.members),
                prefix + "veto": "on" if step.veto else "",
                prefix + "sla_hours": str(step.sla_hours),
            }
        )
    return form


def _usernames(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(uow.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def render_chains(
    request: Request,
    viewer: Viewer,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
    edit: str | None = None,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        chains = approval_chains.list_chains(uow, viewer.principal)
        member_ids = {m for c in chains for s in c.steps for m in s.members}
        usernames = _usernames(uow, member_ids)
        display = user_names(uow, member_ids)
        roles = (
            [role.code for role in auth.list_roles(uow, viewer.principal)]
            if viewer.can("auth.role.view")
            else []
        )
        offices = (
            orgs.list_offices(uow, viewer.principal, limit=200).items
            if viewer.can("orgs.office.view")
            else []
        )
    chosen = next((c for c in chains if c.code == edit), None)
    context: dict[str, Any] = {
        "chains": chains,
        "form": form or _form_of(chosen, usernames),
        "errors": errors or {},
        "roles": roles,
        "offices": [o for o in offices if o.company_id == viewer.principal.company_id],
        "members": display,
        "step_rows": range(STEP_ROWS),
    }
    return render_page(
        request,
        "origination/approval_chains.html",
        context,
        notices=notices,
        status_code=status_code,
    )


@router.get(CHAINS_URL)
def chains_page(
    request: Request, edit: str | None = None, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    return render_chains(request, viewer, edit=edit)


def _steps(uow: UnitOfWork, actor: Principal, form: dict[str, str]) -> list[dict[str, Any]]:
    steps = []
    for index in range(STEP_ROWS):
        prefix = f"steps.{index}."
        if not form[prefix + "level_name"] and not form[prefix + "role"]:
            continue
        members = [
            auth.user_by_username(uow, actor, username=name.strip()).id
            for name in form[prefix + "members"].replace("，", ",").split(",")
            if name.strip()
        ]
        steps.append(
            {
                "level_name": form[prefix + "level_name"],
                "role": form[prefix + "role"],
                "location": form[prefix + "location"],
                "final_up_to": form[prefix + "final_up_to"],
                "risk_review": form[prefix + "risk_review"] == "on",
                "quorum": form[prefix + "quorum"] or 1,
                "committee_size": form[prefix + "committee_size"] or None,
                "members": members,
                "veto": form[prefix + "veto"] == "on",
                "sla_hours": form[prefix + "sla_hours"] or 24,
            }
        )
    return steps


def _read(submitted: FormData) -> dict[str, str]:
    names = [*CHAIN_FIELDS, *(f"steps.{i}.{n}" for i in range(STEP_ROWS) for n in STEP_FIELDS)]
    return form_texts(submitted, names)


@router.post(CHAINS_URL)
async def save_chain(request: Request, viewer: Viewer = Depends(permitted(MANAGE))) -> Response:
    _ = gettext_for(request)
    form = _read(await request.form())
    try:
        with page_uow(request) as uow:
            saved = approval_chains.save_chain(
                uow,
                viewer.principal,
                code=form["code"],
                name=form["name"],
                steps=_steps(uow, viewer.principal, form),
                now=request_now(request),
                product_code=form["product_code"] or None,
                office_id=int(form["office_id"]) if form["office_id"].isdigit() else None,
                min_amount=form["min_amount"] or None,
                max_amount=form["max_amount"] or None,
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, list(form), _)
        return render_chains(
            request, viewer, form=form, errors=errors, notices=notices, status_code=error.status
        )
    if isinstance(saved, Pending):
        text = _("Submitted for approval (#%(id)s).") % {"id": saved.pending_id}
        return see_other(request, CHAINS_URL, Notice("info", text))
    text = _("Approval chain %(code)s saved as version %(version)s.") % {
        "code": saved.code,
        "version": saved.version,
    }
    return see_other(request, CHAINS_URL, Notice("success", text))


@router.post(CHAINS_URL + "/{code}/retire")
def retire_chain(
    request: Request, code: str, viewer: Viewer = Depends(permitted(MANAGE))
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            approval_chains.retire_chain(uow, viewer.principal, code=code, now=request_now(request))
            uow.commit()
    except DomainError as error:
        return render_chains(
            request, viewer, notices=feedback(error, (), _)[1], status_code=error.status
        )
    text = _("Approval chain %(code)s retired.") % {"code": code}
    return see_other(request, CHAINS_URL, Notice("success", text))

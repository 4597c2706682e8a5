"""Office administration pages: the office tree and a form to open a child office."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.orgs import service
from microlend.orgs.model import OfficeNode
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import FieldErrors, feedback, optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
OFFICES_URL = "/admin/offices"
OFFICE_FIELDS = ("parent_id", "code", "name")


@dataclass(frozen=True)
class OfficeForm:
    parent_id: str = ""
    code: str = ""
    name: str = ""


def office_options(nodes: Iterable[OfficeNode], depth: int = 0) -> Iterator[tuple[int, str]]:
    """The tree as (id, indented label) pairs for a <select>, parents before their children."""
    for node in nodes:
        yield node.office.id, f"{'　' * depth}{node.office.name} ({node.office.code})"
        yield from office_options(node.children, depth + 1)


def render_offices(
    request: Request,
    viewer: Viewer,
    *,
    form: OfficeForm,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        tree = service.office_tree(uow, viewer.principal)
    return render_page(
        request,
        "orgs/offices.html",
        {
            "tree": tree,
            "parents": list(office_options(tree)),
            "form": form,
            "errors": errors or {},
        },
        notices=notices,
        status_code=status_code,
    )


@router.get(OFFICES_URL)
def offices_page(
    request: Request, viewer: Viewer = Depends(permitted("orgs.office.view"))
) -> Response:
    return render_offices(
        request, viewer, form=OfficeForm(parent_id=str(viewer.principal.office_id))
    )


@router.post(OFFICES_URL)
def create_office(
    request: Request,
    viewer: Viewer = Depends(permitted("orgs.office.view")),
    parent_id: str = Form(""),
    code: str = Form(""),
    name: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    form = OfficeForm(parent_id=parent_id, code=code, name=name)
    parent = optional_int(parent_id)
    if parent is None:
        return render_offices(
            request,
            viewer,
            form=form,
            errors={"parent_id": _("Choose a parent office.")},
            status_code=422,
        )
    try:
        with page_uow(request) as uow:
            created = service.create_office(
                uow,
                viewer.principal,
                parent_id=parent,
                code=code,
                name=name,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, OFFICE_FIELDS, _)
        return render_offices(
            request, viewer, form=form, errors=errors, notices=notices, status_code=error.status
        )
    if isinstance(created, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": created.pending_id})
    else:
        notice = Notice("success", _("Office %(name)s created.") % {"name": created.name})
    return see_other(request, OFFICES_URL, notice)

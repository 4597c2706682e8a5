"""Turning the session cookie into the ``Viewer`` of a page (installed on the app at startup)."""

from __future__ import annotations

from fastapi import Request

from microlend.auth import service as auth
from microlend.kernel.errors import NotFound, Unauthenticated
from microlend.orgs import service as orgs
from microlend.web.kit.deps import request_address, request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.viewer import Viewer


def resolve_viewer(request: Request, token: str) -> Viewer | None:
    """The signed-in user of ``token``, or None when the session has ended or never was."""
    with page_uow(request, read_only=True) as uow:
        try:
            principal, session = auth.resolve_session(
                uow, token=token, now=request_now(request), address=request_address(request)
            )
        except Unauthenticated:
            return None
        try:
            company = orgs.get_company(uow, principal, company_id=principal.company_id).name
            office = orgs.find_office(uow, office_id=principal.office_id).name
        except NotFound:
            company, office = "", ""
    return Viewer(
        principal=principal,
        username=principal.username,
        csrf_token=session.csrf_token,
        company_name=company,
        office_name=office,
    )

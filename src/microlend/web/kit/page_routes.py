"""Routers for HTML pages: every failure becomes a page a person can read, never a 500 trace.

``page_router()`` gives contexts' ``pages.py`` an ``APIRouter`` whose routes catch what escapes
the endpoint (and its dependencies): no session -> the sign-in page; a missing CSRF token -> 403;
a domain error -> its translated sentence with its status; a malformed request -> 400; anything
else -> a logged 500 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text
from microlend.web.kit.page_guard import CsrfRejected, LoginRequired
from microlend.web.kit.templating import gettext_for, render_page

log = logging.getLogger("microlend.web.pages")
N_ = error_text.N_

TITLES: dict[int, str] = {
    400: N_("Bad request"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    409: N_("Conflict"),
    410: N_("No longer available"),
    422: N_("Cannot be done"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


def error_page(request: Request, status_code: int, message: str) -> Response:
    _ = gettext_for(request)
    title = _(TITLES.get(status_code, TITLES[500] if status_code >= 500 else TITLES[400]))
    return render_page(
        request,
        "errors/error.html",
        {"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
    )


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login?next=" + quote(target, safe="")
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": location})
    return Response(status_code=303, headers={"Location": location})


async def friendly_failure(request: Request, failure: Exception) -> Response:
    _ = gettext_for(request)
    if isinstance(failure, LoginRequired):
        return login_redirect(request)
    if isinstance(failure, CsrfRejected):
        message = _(
            "The form has expired or did not come from this site. Reload the page and try again."
        )
        return error_page(request, 403, message)
    if isinstance(failure, DomainError):
        return error_page(request, failure.status, error_text.describe(failure, _))
    if isinstance(failure, RequestValidationError):
        return error_page(request, 400, _("The request is missing a field or has a malformed one."))
    if isinstance(failure, HTTPException):
        if failure.status_code == 404:
            return error_page(request, 404, _("There is no page at this address."))
        return error_page(request, failure.status_code, str(failure.detail))
    log.exception("page %s %s failed", request.method, request.url.path, exc_info=failure)
    message = _("The error was logged. Please try again, or tell your administrator.")
    return error_page(request, 500, message)


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as failure:
                return await friendly_failure(request, failure)

        return handle_page


def page_router() -> APIRouter:
    """An ``APIRouter`` for HTML pages (kept out of the OpenAPI document)."""
    return APIRouter(route_class=PageRoute, include_in_schema=False)

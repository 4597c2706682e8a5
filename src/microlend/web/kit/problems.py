"""RFC 9457 problem details for every error the API answers with.

A ``DomainError`` becomes its status and stable ``code``; a request that fails validation names
the offending field; unknown paths and methods get 404/405 in the same shape. Only a genuine
defect is a 500. Requests outside ``/api`` may be rendered as HTML by a renderer the web UI
installs on ``app.state.render_error_page(request, status, title, detail)``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from microlend.kernel.errors import DomainError, TooManyRequests, Unauthenticated

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("microlend.web")


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    members: dict[str, Any] | None = None,
) -> Response:
    """A problem+json response (or the web UI's HTML page for a browser outside ``/api``).

    ``members`` are extension members (RFC 9457 section 3.2); they never replace the standard
    ones, so a domain error's ``extra={"status": ...}`` cannot clash with the HTTP status."""
    renderer = getattr(request.app.state, "render_error_page", None)
    wants_html = "text/html" in request.headers.get("accept", "")
    if renderer is not None and wants_html and not request.url.path.startswith("/api"):
        page: Response = renderer(request, status, title, detail)
        return page
    body = {
        "type": f"urn:microlend:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    for name, value in (members or {}).items():
        if value is not None:
            body.setdefault(name, value)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie") and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    headers: dict[str, str] = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyRequests) and "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    return problem(
        request,
        status=error.status,
        code=error.code,
        title=error.title,
        detail=str(error),
        headers=headers or None,
        members={"field": error.field, **error.extra},
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": _field_of(tuple(item.get("loc", ()))), "message": item.get("msg", "invalid")}
        for item in error.errors()
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    return problem(
        request,
        status=422,
        code="validation_failed",
        title="Invalid input",
        detail=f"{first['field']}: {first['message']}",
        members={"field": first["field"], "errors": errors},
    )


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    phrase = HTTPStatus(error.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    detail = error.detail if isinstance(error.detail, str) else phrase
    return problem(
        request,
        status=error.status_code,
        code=code,
        title=phrase,
        detail=detail,
        headers=dict(error.headers or {}) or None,
    )


async def _defect(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        request,
        status=500,
        code="internal_error",
        title="Internal Server Error",
        detail="an unexpected error occurred; it has been logged",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _defect)

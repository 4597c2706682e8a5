"""Page dependencies: who is signed in (from the session cookie), their permissions, and CSRF.

The kit sits below ``auth``, so the app installs the function that turns a session token into a
``Viewer`` (``install_viewer_resolver``); contexts' pages depend on ``current_viewer`` or
``permitted(code)``. Unsafe methods must carry the session's CSRF token, as the ``X-CSRF-Token``
header (htmx sends it from ``<body hx-headers>``) or the ``csrf_token`` form field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from microlend.kernel.errors import Forbidden
from microlend.web.kit.deps import (
    SAFE_METHODS,
    SESSION_COOKIE,
    csrf_matches,
    submitted_csrf_token,
)
from microlend.web.kit.viewer import Viewer, set_viewer

ViewerResolver = Callable[[Request, str], Viewer | None]


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token."""


def install_viewer_resolver(app: FastAPI, resolver: ViewerResolver) -> None:
    app.state.viewer_resolver = resolver


async def optional_viewer(request: Request) -> Viewer | None:
    """The signed-in viewer, or None (no cookie, or an expired or ended session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    resolver: ViewerResolver = request.app.state.viewer_resolver
    viewer = await run_in_threadpool(resolver, request, token)
    if viewer is not None:
        set_viewer(request, viewer)
    return viewer


async def current_viewer(request: Request) -> Viewer:
    viewer = await optional_viewer(request)
    if viewer is None:
        raise LoginRequired()
    if request.method not in SAFE_METHODS and not csrf_matches(
        viewer.csrf_token, await submitted_csrf_token(request)
    ):
        raise CsrfRejected()
    return viewer


def permitted(code: str) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the viewer, who must hold permission ``code``."""

    async def dependency(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if not viewer.can(code):
            raise Forbidden(
                "%(username)s lacks permission %(code)s",
                code="permission_denied",
                params={"username": viewer.username, "code": code},
            )
        return viewer

    return dependency

"""Who is looking at a page: the signed-in principal and what the layout shows about them.

Whoever authenticates the request (the resolver the app installs, see ``page_guard``) stores a
``Viewer`` on ``request.state``; templates read it for the top bar and the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from microlend.kernel.principal import Principal

VIEWER_STATE = "viewer"


@dataclass(frozen=True, slots=True)
class Viewer:
    principal: Principal
    username: str
    csrf_token: str
    company_name: str
    office_name: str

    @property
    def display_name(self) -> str:
        return self.principal.display_name

    def can(self, code: str) -> bool:
        return self.principal.can(code)


def viewer_of(request: Request) -> Viewer | None:
    viewer = getattr(request.state, VIEWER_STATE, None)
    return viewer if isinstance(viewer, Viewer) else None


def set_viewer(request: Request, viewer: Viewer) -> None:
    setattr(request.state, VIEWER_STATE, viewer)

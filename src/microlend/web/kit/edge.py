"""A unit of work for a page handler.

Pages open their own units of work (a read for the page, a write for the command, and a read
again to show the outcome), on the session factory the app factory puts on
``app.state.session_factory``. The time and the client address come from ``kit.deps``.
"""

from __future__ import annotations

from fastapi import Request

from microlend.db.uow import SessionFactory, UnitOfWork


def page_uow(request: Request, *, read_only: bool = False) -> UnitOfWork:
    factory: SessionFactory = request.app.state.session_factory
    return UnitOfWork(factory, read_only=read_only)

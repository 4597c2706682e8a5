"""``microlend serve``: the web UI and the JSON API from one uvicorn process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from microlend.cli import app

if TYPE_CHECKING:
    from fastapi import FastAPI

APP_FACTORY = "microlend.cli.serve:served_app"


def served_app() -> FastAPI:
    """The app as ``serve`` runs it: built, then the heap settled (``kernel.heap``)."""
    from microlend.kernel.heap import settle_heap
    from microlend.web.app import create_app

    built = create_app()
    settle_heap()
    return built


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    reload: Annotated[
        bool, typer.Option(help="Restart when the source changes (development only).")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (ignored with --reload).")
    ] = 1,
) -> None:
    """Serve the web UI (/) and the API (/api/v1, docs at /api/docs) with uvicorn.

    The database is MICROLEND_DATABASE_URL, or ./microlend.db when it is not set; run
    `microlend migrate` first.
    """
    import uvicorn

    typer.echo(f"microlend: serving on http://{host}:{port}/  (API docs: /api/docs)")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=True,
        log_level="info",
    )

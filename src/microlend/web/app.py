"""The app factory: the JSON API (``/api/v1``) and the web UI from one FastAPI app.

``create_app(settings)`` wires the database (``app.state.session_factory``), the clock
(``app.state.clock``), the credential resolver of the API (``app.state.api_authenticator``) and
problem+json errors, then mounts each context's router. The web UI adds its pages, static files,
middleware and viewer resolver in ``_install_web_ui`` (marked below).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from microlend.accounting import api as accounting_api
from microlend.accounting import api_attachments as accounting_attachments
from microlend.accounting import api_reports as accounting_reports
from microlend.auth import api as auth_api
from microlend.auth import api_checks, api_users
from microlend.customers import api as customers_api
from microlend.db.engine import create_engine_for
from microlend.db.uow import UnitOfWork, make_session_factory
from microlend.loans import api as loans_api
from microlend.loans import api_autodebit as loans_autodebit_api
from microlend.orgs import api as orgs_api
from microlend.origination import api as applications_api
from microlend.origination import api_approvals as approvals_api
from microlend.origination import api_decisions as decisions_api
from microlend.products import api as products_api
from microlend.web.kit.deps import UowDep
from microlend.web.kit.problems import install_problem_handlers
from microlend.web.kit.settings import Settings

API_ROUTERS = (
    auth_api.router,
    api_users.router,
    api_checks.router,
    orgs_api.router,
    accounting_api.router,
    accounting_attachments.router,
    accounting_reports.router,
    customers_api.router,
    products_api.router,
    decisions_api.router,
    applications_api.router,
    approvals_api.router,
    loans_autodebit_api.router,  # before /loans/{loan_id}
    loans_api.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="microlend",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    engine = create_engine_for(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = settings.clock
    app.state.api_authenticator = auth_api.ServiceAuthenticator()
    install_problem_handlers(app)
    _install_probes(app)
    for router in API_ROUTERS:
        app.include_router(router)
    _install_web_ui(app)
    return app


def _install_probes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["probes"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["probes"])
    def readyz(uow: UowDep) -> Response:
        """The database answers."""
        return _ready(uow)


def _ready(uow: UnitOfWork) -> Response:
    try:
        uow.session.execute(text("SELECT 1"))
    except Exception as error:  # the probe reports any failure instead of raising it
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
    return JSONResponse({"status": "ok"})


def _install_web_ui(app: FastAPI) -> None:
    """The web UI's spot: page routers, static files, middleware, the viewer resolver and the
    HTML error renderer (``app.state.render_error_page``)."""
    from microlend.web.shell import install_web_ui

    install_web_ui(app)

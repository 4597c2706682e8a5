"""The web UI on the app: static assets, page routers, the session-to-viewer resolver, and the
HTML error page that ``kit.problems`` shows browsers outside ``/api``.

``create_app`` calls ``install_web_ui(app)`` once.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from microlend.accounting import pages as accounting_pages
from microlend.accounting import pages_chart as accounting_chart_pages
from microlend.accounting import pages_journal as accounting_journal_pages
from microlend.accounting import pages_rules as accounting_rules_pages
from microlend.auth import pages as auth_pages
from microlend.customers import pages as customers_pages
from microlend.customers import pages_bank as customer_bank_pages
from microlend.customers import pages_edit as customer_edit_pages
from microlend.customers import pages_pool as customer_pool_pages
from microlend.eod import pages as eod_pages
from microlend.loans import pages as loans_pages
from microlend.loans import pages_autodebit as loans_autodebit_pages
from microlend.loans import pages_disburse as loans_disburse_pages
from microlend.loans import pages_documents as loans_document_pages
from microlend.loans import pages_ledger as loans_ledger_pages
from microlend.loans import pages_repayment_import as repayment_import_pages
from microlend.loans import pages_schedule as loans_schedule_pages
from microlend.orgs import pages as orgs_pages
from microlend.origination import pages as application_pages
from microlend.origination import pages_approval_chains as approval_chain_pages
from microlend.origination import pages_approvals as approval_pages
from microlend.origination import pages_decision as decision_pages
from microlend.origination import pages_decision_admin as decision_admin_pages
from microlend.origination import pages_investigation as investigation_pages
from microlend.origination import pages_wizard as wizard_pages
from microlend.products import pages as products_pages
from microlend.products import pages_form as product_form_pages
from microlend.products import pages_quote as product_quote_pages
from microlend.web import approvals, pages
from microlend.web.kit import i18n
from microlend.web.kit.page_guard import install_viewer_resolver
from microlend.web.kit.page_routes import error_page
from microlend.web.kit.templating import STATIC_DIR, STATIC_URL, gettext_for
from microlend.web.viewers import resolve_viewer

PAGE_ROUTERS = (
    pages.router,
    approvals.router,
    auth_pages.router,
    orgs_pages.router,
    accounting_pages.router,
    accounting_journal_pages.router,
    accounting_chart_pages.router,
    accounting_rules_pages.router,
    customer_pool_pages.router,  # before customers_pages: /customers/pool
    customer_edit_pages.router,
    customer_bank_pages.router,
    customers_pages.router,
    product_quote_pages.router,  # before products_pages: /products/quote
    product_form_pages.router,
    products_pages.router,
    decision_pages.router,
    decision_admin_pages.router,
    approval_pages.router,
    approval_chain_pages.router,
    wizard_pages.router,  # before application_pages: /applications/new
    application_pages.router,
    investigation_pages.router,
    eod_pages.router,
    loans_disburse_pages.router,  # before /loans/{loan_id}
    loans_autodebit_pages.router,  # before /loans/{loan_id}
    loans_schedule_pages.router,
    loans_document_pages.router,
    loans_ledger_pages.router,  # before /loans/{loan_id}
    repayment_import_pages.router,  # before /loans/{loan_id}
    loans_pages.router,
)


def render_error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """A browser's page for an error raised outside the page routes (an unknown address...)."""
    _ = gettext_for(request)
    if status == 404:
        message = _("There is no page at this address.")
    elif status >= 500:
        message = _("The error was logged. Please try again, or tell your administrator.")
    else:
        message = detail
    return error_page(request, status, message)


def install_web_ui(app: FastAPI) -> None:
    i18n.compiled_catalogs()  # a broken .po fails at startup, not on the first Chinese page
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    install_viewer_resolver(app, resolve_viewer)
    app.state.render_error_page = render_error_page
    for router in PAGE_ROUTERS:
        app.include_router(router)

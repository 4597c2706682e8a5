"""The Jinja2 environment of the web UI and the render helpers that contexts' ``pages.py`` use.

One template serves both the full page and its HTMX fragment: a request made by htmx for a part of
the page (``HX-Request`` without ``HX-Request-Type: full``) gets only the block named after the
element it targets (``#user-rows`` -> block ``user_rows``), or the ``content`` block otherwise.
Messages are translated with the ``jinja2.ext.i18n`` extension; the catalog of the request's
locale is made active just for the duration of one render, so concurrent requests never mix.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from microlend.web.kit import formats, i18n
from microlend.web.kit.notices import NOTICES_COOKIE, Notice, encode_notices, take_notices
from microlend.web.kit.viewer import Viewer, viewer_of

WEB_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
STATIC_URL = "/static"
CONTENT_BLOCK = "content"
# Pages load nothing but the app's own assets and run no inline script: say so to the browser.
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
MACRO_LIBRARIES = ("_icons.html", "_macros.html")


@dataclass(frozen=True, slots=True)
class _ActiveLanguage:
    locale: str
    translations: stdlib_gettext.NullTranslations


_active: ContextVar[_ActiveLanguage] = ContextVar("microlend_active_language")


def _active_translations() -> stdlib_gettext.NullTranslations:
    active = _active.get(None)
    return active.translations if active else i18n.translations(i18n.DEFAULT_LOCALE)


def _gettext(message: str) -> str:
    return _active_translations().gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _active_translations().ngettext(singular, plural, count)


def _pgettext(context: str, message: str) -> str:
    return _active_translations().pgettext(context, message)


def catalogued(text: str) -> str:
    """Stored text in the reader's language when the catalog has it (names the system seeds
    into the database, such as the default approval chain's levels), else as stored; never
    %-formatted, unlike ``_()`` in a template, so any text a user typed is safe here."""
    return _active_translations().gettext(text) if text else text


def bilingual(*, en: str, zh: str) -> str:
    """The text of a record kept in both languages (a ledger account's ``name_en`` and
    ``name_zh``) in the language of the page: ``{{ bilingual(en=a.name_en, zh=a.name_zh) }}``."""
    active = _active.get(None)
    return i18n.bilingual(active.locale if active else i18n.DEFAULT_LOCALE, en=en, zh=zh)


@contextmanager
def language_active(locale: str) -> Iterator[None]:
    """Make ``locale`` the language of templates rendered inside the block."""
    token = _active.set(_ActiveLanguage(locale, i18n.translations(locale)))
    try:
        yield
    finally:
        _active.reset(token)


@functools.cache
def static_url(path: str) -> str:
    """URL of a static asset, versioned by a digest of its content so caches never serve stale."""
    asset = (STATIC_DIR / path).resolve()
    if STATIC_DIR not in asset.parents or not asset.is_file():
        raise FileNotFoundError(f"no static asset {path!r}")
    digest = hashlib.sha256(asset.read_bytes()).hexdigest()[:12]
    return f"{STATIC_URL}/{path}?v={digest}"


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, newstyle=True
    )
    environment.globals["static_url"] = static_url
    environment.globals["bilingual"] = bilingual
    # Shared macros are globals, so that a block rendered alone (an htmx fragment) has them too.
    for library in MACRO_LIBRARIES:
        module = environment.get_template(library).module
        environment.globals.update(
            (name, getattr(module, name)) for name in dir(module) if not name.startswith("_")
        )
    environment.filters["datetime"] = formats.format_when
    environment.filters["day"] = formats.format_day
    environment.filters["amount"] = formats.format_amount
    environment.filters["catalogued"] = catalogued
    return environment


environment = build_environment()


def render_template(name: str, context: Mapping[str, Any], *, locale: str) -> str:
    with language_active(locale):
        return environment.get_template(name).render(context)


def locale_of(request: Request) -> str:
    """The request's locale: the ``ml_lang`` cookie, else ``Accept-Language``, else the default."""
    return i18n.negotiate_locale(
        request.headers.get("accept-language"), request.cookies.get(i18n.LOCALE_COOKIE)
    )


def gettext_for(request: Request) -> Callable[[str], str]:
    """``_`` for messages composed in Python (notices, error texts), in the request's locale."""
    return i18n.translations(locale_of(request)).gettext


def is_fragment_request(request: Request) -> bool:
    """True when htmx asks for part of a page (boosted, full-page and history requests get all)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-request-type", "partial") != "full"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def fragment_block(template: Template, request: Request) -> str:
    """The block an htmx request targets: the one named like the target's id, else ``content``."""
    target = request.headers.get("hx-target", "")
    target_id = target.rpartition("#")[2].replace("-", "_")
    return target_id if target_id and target_id in template.blocks else CONTENT_BLOCK


def page_context(request: Request, notices: list[Notice]) -> dict[str, Any]:
    viewer: Viewer | None = viewer_of(request)
    locale = locale_of(request)
    return {
        "request": request,
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else "",
        "can": viewer.can if viewer else (lambda code: False),
        "locale": locale,
        "language": i18n.language(locale),
        "languages": i18n.LANGUAGES,
        "current_path": request.url.path,
        "notices": notices,
    }


def render_page(
    request: Request,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    notices: list[Notice] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only its targeted block for an htmx request, in the request's language.

    Pending flash notices (from a redirect) are shown and consumed, after ``notices`` given here.
    """
    shown = [*(notices or []), *take_notices(request)]
    variables = {**page_context(request, shown), **(context or {})}
    template = environment.get_template(template_name)
    with language_active(variables["locale"]):
        if is_fragment_request(request):
            block = template.blocks[fragment_block(template, request)]
            html = "".join(block(template.new_context(variables)))
        else:
            html = template.render(variables)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Vary"] = "Cookie, Accept-Language, HX-Request, HX-Target"
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(PAGE_SECURITY_HEADERS)
    if request.cookies.get(NOTICES_COOKIE):
        response.delete_cookie(NOTICES_COOKIE, path="/")
    return response


def see_other(request: Request, url: str, *notices: Notice) -> Response:
    """After a command: go to ``url`` and show ``notices`` there (Post/Redirect/Get).

    A plain form post gets ``303 See Other``; an htmx request gets ``HX-Location``, so htmx loads
    the page's content block into ``#content`` and pushes the URL to the history.
    """
    response: Response
    if request.headers.get("hx-request") == "true":
        location = json.dumps({"path": url, "target": "#content"})
        response = Response(status_code=200, headers={"HX-Location": location})
    else:
        response = RedirectResponse(url, status_code=303)
    if notices:
        response.set_cookie(
            NOTICES_COOKIE,
            encode_notices(list(notices)),
            max_age=60,
            path="/",
            httponly=True,
            samesite="lax",
        )
    return response

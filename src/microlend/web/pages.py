"""Top-level pages: sign in and out, the language switch, and the home page (the workbench of
``web.workbench`` and the maker-checker cards)."""

from __future__ import annotations

import secrets

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from microlend.auth import service as auth
from microlend.auth.permissions import DEFAULT_ROLES
from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text, i18n
from microlend.web.kit.deps import SESSION_COOKIE, csrf_matches, request_address, request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import current_viewer, optional_viewer
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, locale_of, render_page, see_other
from microlend.web.kit.viewer import Viewer
from microlend.web.workbench import workbench

router = page_router()
LOGIN_CSRF_COOKIE = "ml_login_csrf"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def safe_next(url: str | None) -> str:
    """A local path to go on to after signing in; anything else (other sites) becomes ``/``."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return "/"
    return url


def secure_cookies(request: Request) -> bool:
    """Cookies only over HTTPS: behind TLS, or when the settings say the site is served so."""
    settings = getattr(request.app.state, "settings", None)
    return request.url.scheme == "https" or bool(settings and settings.secure_cookies)


def render_login(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The sign-in form, with a fresh double-submit token against login CSRF."""
    login_csrf = secrets.token_urlsafe(24)
    response = render_page(
        request,
        "login.html",
        {"login_csrf": login_csrf, "next_url": next_url, "username": username, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        login_csrf,
        path="/login",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )
    return response


@router.get("/login")
async def login_page(
    request: Request, next: str = "/", viewer: Viewer | None = Depends(optional_viewer)
) -> Response:
    if viewer is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render_login(request, next_url=safe_next(next))


def sign_in_error(error: DomainError, gettext: error_text.Gettext) -> tuple[str, int]:
    """What the sign-in page says when sign-in is refused, and its status."""
    return error_text.describe(error, gettext), error.status


@router.post("/login")
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    _ = gettext_for(request)
    next_url = safe_next(next)
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        message = _("The sign-in form has expired. Please try again.")
        return render_login(
            request, next_url=next_url, username=username, error=message, status_code=403
        )
    if not username.strip() or not password:
        message = _("Enter your username and password.")
        return render_login(
            request, next_url=next_url, username=username, error=message, status_code=422
        )
    now = request_now(request)
    try:
        with page_uow(request) as uow:
            principal = auth.authenticate(
                uow, username=username, password=password, address=request_address(request), now=now
            )
            session = auth.start_session(uow, principal=principal, now=now)
            uow.commit()
    except DomainError as error:
        message, status = sign_in_error(error, _)
        return render_login(
            request, next_url=next_url, username=username, error=message, status_code=status
        )
    response = RedirectResponse(next_url, status_code=303)
    lifetime = int((session.expires_at - now).total_seconds())
    set_session_cookie(response, request, session.token, lifetime)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def set_session_cookie(response: Response, request: Request, token: str, lifetime: int) -> None:
    """The session cookie: script-proof, same-site, and as long-lived as the session itself
    (a relative max-age, so a skewed browser clock cannot cut the session short)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=lifetime,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


@router.post("/logout")
def sign_out(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    _ = gettext_for(request)
    with page_uow(request) as uow:
        auth.end_session(uow, token=request.cookies.get(SESSION_COOKIE, ""))
        uow.commit()
    response = see_other(request, "/login", Notice("success", _("You have signed out.")))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/language/{locale}")
def choose_language(request: Request, locale: str, next: str = "/") -> Response:
    """Remember the chosen language in the ``ml_lang`` cookie and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if locale in i18n.LOCALES:
        response.set_cookie(
            i18n.LOCALE_COOKIE,
            locale,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path="/",
            samesite="lax",
            secure=secure_cookies(request),
        )
    return response


def role_label(code: str, locale: str) -> str:
    """A built-in role's name in the request's language (a company's own role: its code)."""
    role = DEFAULT_ROLES.get(code)
    return i18n.bilingual(locale, en=role.name_en, zh=role.name_zh) if role else code


@router.get("/")
def home(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    _ = gettext_for(request)
    with page_uow(request, read_only=True) as uow:
        pending = auth.list_pending(uow, viewer.principal)
        sections = workbench(uow, viewer, now=request_now(request))
    cards = [
        {
            "href": "/inbox",
            "label": _("Your submissions"),
            "value": sum(1 for item in pending if item.maker_id == viewer.principal.user_id),
            "note": _("waiting for a checker"),
        },
    ]
    if viewer.can("makerchecker.approve"):
        waiting = {
            "href": "/inbox",
            "label": _("Waiting for your approval"),
            "value": sum(1 for item in pending if item.can_decide),
            "note": _("commands submitted by others"),
        }
        cards.insert(0, waiting)
    roles = sorted(role_label(code, locale_of(request)) for code in viewer.principal.roles)
    return render_page(request, "home.html", {**sections, "cards": cards, "roles": roles})

"""User and role administration pages: list and search users, create one, set their roles and
data scope, reset a password; the roles with their permission codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.auth import service
from microlend.auth.permissions import PERMISSIONS
from microlend.db.commands import Pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError
from microlend.kernel.principal import DataScope
from microlend.orgs import service as orgs
from microlend.orgs.pages import office_options
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.error_text import N_
from microlend.web.kit.forms import FieldErrors, feedback, optional_int
from microlend.web.kit.i18n import bilingual
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, locale_of, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
USERS_URL = "/admin/users"
USER_FIELDS = ("username", "display_name", "password", "office_id", "scope", "roles")
SCOPE_LABELS: dict[str, str] = {
    DataScope.OWN: N_("Own records"),
    DataScope.OFFICE: N_("Own office"),
    DataScope.OFFICE_SUBTREE: N_("Office and the offices below it"),
    DataScope.COMPANY: N_("Whole company"),
    DataScope.GROUP: N_("Whole group"),
}


@dataclass(frozen=True)
class RoleChoice:
    name: str
    label: str


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    office_name: str
    roles: tuple[str, ...]
    role_labels: tuple[str, ...]
    scope: str
    scope_label: str
    active: bool


@dataclass(frozen=True)
class UserForm:
    username: str = ""
    display_name: str = ""
    office_id: str = ""
    scope: str = DataScope.OFFICE.value
    roles: tuple[str, ...] = field(default_factory=tuple)


class Labels:
    """Role, scope and office names for one request, in its language."""

    def __init__(self, request: Request, uow: UnitOfWork, viewer: Viewer) -> None:
        self.locale = locale_of(request)
        self.gettext = gettext_for(request)
        self.roles = (
            {
                role.code: bilingual(self.locale, en=role.name_en, zh=role.name_zh)
                for role in service.list_roles(uow, viewer.principal)
            }
            if viewer.can("auth.role.view")
            else {}
        )
        self.uow = uow
        self.offices: dict[int, str] = {}

    def role(self, code: str) -> str:
        return self.roles.get(code, code)

    def scope(self, scope: str) -> str:
        return self.gettext(SCOPE_LABELS[scope]) if scope in SCOPE_LABELS else scope

    def office(self, office_id: int) -> str:
        if office_id not in self.offices:
            self.offices[office_id] = orgs.find_office(self.uow, office_id=office_id).name
        return self.offices[office_id]

    def scopes(self) -> list[tuple[str, str]]:
        return [(scope.value, self.scope(scope.value)) for scope in DataScope]

    def role_choices(self) -> list[RoleChoice]:
        return [RoleChoice(code, label) for code, label in self.roles.items()]

    def user_rows(self, users: Iterable[service.UserView]) -> list[UserRow]:
        return [
            UserRow(
                user.id,
                user.username,
                user.display_name,
                self.office(user.office_id),
                user.roles,
                tuple(self.role(code) for code in user.roles),
                user.scope,
                self.scope(user.scope),
                user.active,
            )
            for user in users
        ]


def _pending_notice(request: Request, pending: Pending) -> Notice:
    _ = gettext_for(request)
    return Notice("info", _("Submitted for approval (#%(id)s).") % {"id": pending.pending_id})


# --- list ----------------------------------------------------------------------------------------


@router.get(USERS_URL)
def users_page(
    request: Request,
    q: str = "",
    cursor: str | None = None,
    viewer: Viewer = Depends(permitted("auth.user.view")),
) -> Response:
    with page_uow(request, read_only=True) as uow:
        page = service.list_users(uow, viewer.principal, q=q or None, cursor=cursor, limit=50)
        rows = Labels(request, uow, viewer).user_rows(page.items)
    context = {"users": rows, "q": q, "next_cursor": page.next_cursor}
    return render_page(request, "auth/users.html", context)


# --- create --------------------------------------------------------------------------------------


def render_new_user(
    request: Request,
    viewer: Viewer,
    form: UserForm,
    *,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        labels = Labels(request, uow, viewer)
        offices = list(office_options(orgs.office_tree(uow, viewer.principal)))
        context = {
            "form": form,
            "errors": errors or {},
            "offices": offices,
            "scopes": labels.scopes(),
            "roles": labels.role_choices(),
        }
    return render_page(
        request, "auth/user_new.html", context, notices=notices, status_code=status_code
    )


@router.get(USERS_URL + "/new")
def new_user_page(
    request: Request, viewer: Viewer = Depends(permitted("auth.user.create"))
) -> Response:
    return render_new_user(request, viewer, UserForm(office_id=str(viewer.principal.office_id)))


@router.post(USERS_URL + "/new")
def create_user(
    request: Request,
    viewer: Viewer = Depends(permitted("auth.user.create")),
    username: str = Form(""),
    display_name: str = Form(""),
    password: str = Form(""),
    office_id: str = Form(""),
    scope: str = Form(""),
    roles: list[str] = Form(default_factory=list),
) -> Response:
    _ = gettext_for(request)
    form = UserForm(username, display_name, office_id, scope, tuple(roles))
    office = optional_int(office_id)
    if office is None:
        errors = {"office_id": _("Choose an office.")}
        return render_new_user(request, viewer, form, errors=errors, status_code=422)
    try:
        with page_uow(request) as uow:
            created = service.create_user(
                uow,
                viewer.principal,
                username=username,
                password=password,
                display_name=display_name,
                office_id=office,
                roles=roles,
                scope=scope,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, USER_FIELDS, _)
        return render_new_user(
            request, viewer, form, errors=errors, notices=notices, status_code=error.status
        )
    if isinstance(created, Pending):
        return see_other(request, USERS_URL, _pending_notice(request, created))
    message = _("User %(username)s created.") % {"username": created.username}
    return see_other(request, f"{USERS_URL}/{created.id}", Notice("success", message))


# --- one user: roles, scope, password ------------------------------------------------------------


def render_user(
    request: Request,
    viewer: Viewer,
    user_id: int,
    *,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status_code: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        labels = Labels(request, uow, viewer)
        user = labels.user_rows([service.get_user(uow, viewer.principal, user_id=user_id)])[0]
        context = {
            "user": user,
            "errors": errors or {},
            "roles": labels.role_choices(),
            "scopes": labels.scopes(),
        }
    return render_page(
        request, "auth/user_detail.html", context, notices=notices, status_code=status_code
    )


@router.get(USERS_URL + "/{user_id:int}")
def user_page(
    request: Request, user_id: int, viewer: Viewer = Depends(permitted("auth.user.view"))
) -> Response:
    return render_user(request, viewer, user_id)


@router.post(USERS_URL + "/{user_id:int}/roles")
def grant_roles(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(permitted("auth.user.view")),
    roles: list[str] = Form(default_factory=list),
    scope: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            granted = service.grant_roles(
                uow,
                viewer.principal,
                user_id=user_id,
                roles=roles,
                scope=scope or None,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, ("roles", "scope"), _)
        return render_user(
            request, viewer, user_id, errors=errors, notices=notices, status_code=error.status
        )
    if isinstance(granted, Pending):
        notice = _pending_notice(request, granted)
    else:
        notice = Notice("success", _("Roles and data scope saved."))
    return see_other(request, f"{USERS_URL}/{user_id}", notice)


@router.post(USERS_URL + "/{user_id:int}/password")
def reset_password(
    request: Request,
    user_id: int,
    viewer: Viewer = Depends(permitted("auth.user.view")),
    password: str = Form(""),
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            done = service.reset_password(
                uow,
                viewer.principal,
                user_id=user_id,
                new_password=password,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, ("password",), _)
        return render_user(
            request, viewer, user_id, errors=errors, notices=notices, status_code=error.status
        )
    if isinstance(done, Pending):
        notice = _pending_notice(request, done)
    else:
        notice = Notice("success", _("Password reset. The user's open sessions were ended."))
    return see_other(request, f"{USERS_URL}/{user_id}", notice)


# --- roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PermissionLabel:
    code: str
    label: str


@dataclass(frozen=True)
class RoleRow:
    name: str
    label: str
    builtin: bool
    permissions: tuple[PermissionLabel, ...]


@router.get("/admin/roles")
def roles_page(request: Request, viewer: Viewer = Depends(permitted("auth.role.view"))) -> Response:
    locale = locale_of(request)

    def permission(code: str) -> PermissionLabel:
        en, zh = PERMISSIONS.get(code, (code, code))
        return PermissionLabel(code, bilingual(locale, en=en, zh=zh))

    with page_uow(request, read_only=True) as uow:
        roles = [
            RoleRow(
                role.code,
                bilingual(locale, en=role.name_en, zh=role.name_zh),
                role.builtin,
                tuple(permission(code) for code in role.permissions),
            )
            for role in service.list_roles(uow, viewer.principal)
        ]
    return render_page(request, "auth/roles.html", {"roles": roles})

"""The auth context's use cases, in one place for the edge (API, web pages, CLI).

Sign-in, sessions and tokens live in ``signin``, users in ``users``, roles in ``roles``, the
audit log in ``audit_log``; maker-checker (shared by every context) in ``db.makerchecker``.
"""

from microlend.auth.audit_log import AuditEntryView, audit_record_count, list_audit, verify_audit
from microlend.auth.principals import principal_for_user, system_principal
from microlend.auth.roles import (
    PermissionView,
    RoleView,
    get_role,
    list_roles,
    permission_catalogue,
    save_role,
    sync_default_roles,
)
from microlend.auth.signin import (
    ApiTokenView,
    WebSession,
    authenticate,
    end_session,
    issue_api_token,
    list_api_tokens,
    principal_for_api_token,
    principal_for_session,
    resolve_session,
    revoke_api_token,
    start_session,
    token_id_of,
)
from microlend.auth.users import (
    UserView,
    change_password,
    create_user,
    export_users,
    get_user,
    grant_roles,
    list_users,
    reset_password,
    set_user_active,
    user_by_username,
)
from microlend.db.audit import ChainProblem
from microlend.db.commands import Done, Pending
from microlend.db.makerchecker import (
    PendingView,
    approve_pending,
    configure_maker_checker,
    list_pending,
    maker_checker_rules,
    reject_pending,
)
from microlend.kernel.errors import Forbidden, NotFound, Unauthenticated
from microlend.kernel.principal import Principal

__all__ = [
    "ApiTokenView",
    "AuditEntryView",
    "ChainProblem",
    "Done",
    "Forbidden",
    "NotFound",
    "Pending",
    "PendingView",
    "PermissionView",
    "Principal",
    "RoleView",
    "Unauthenticated",
    "UserView",
    "WebSession",
    "approve_pending",
    "audit_record_count",
    "authenticate",
    "change_password",
    "configure_maker_checker",
    "create_user",
    "end_session",
    "export_users",
    "get_role",
    "get_user",
    "grant_roles",
    "issue_api_token",
    "list_api_tokens",
    "list_audit",
    "list_pending",
    "list_roles",
    "list_users",
    "maker_checker_rules",
    "permission_catalogue",
    "principal_for_api_token",
    "principal_for_session",
    "principal_for_user",
    "reject_pending",
    "reset_password",
    "resolve_session",
    "revoke_api_token",
    "save_role",
    "set_user_active",
    "start_session",
    "sync_default_roles",
    "system_principal",
    "token_id_of",
    "user_by_username",
    "verify_audit",
]

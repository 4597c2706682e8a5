"""Who is acting: the principal every service receives, and the permission check.

It lives in the kernel (pure, no I/O) so that every context — including those below ``auth`` in the
layering, such as ``orgs`` — can take an acting user and check a permission without importing
``auth``. ``auth.model`` re-exports it; ``auth`` builds it from the user's roles and data scope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from microlend.kernel.errors import Forbidden


class DataScope(StrEnum):
    """Which rows a user may see: the data-level permission."""

    OWN = "own"
    OFFICE = "office"
    OFFICE_SUBTREE = "office_subtree"
    COMPANY = "company"
    GROUP = "group"


@dataclass(frozen=True)
class Principal:
    """The acting user, resolved once per request or command.

    ``office_ids`` are the offices whose rows the user may see (``None``: every office of the
    visible companies); ``company_ids`` the companies the user may see.
    """

    user_id: int | None
    username: str
    display_name: str
    company_id: int
    office_id: int
    permissions: frozenset[str]
    scope: DataScope
    company_ids: frozenset[int]
    office_ids: frozenset[int] | None
    address: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    def can(self, code: str) -> bool:
        return code in self.permissions

    def sees_company(self, company_id: int) -> bool:
        return company_id in self.company_ids

    def sees_office(self, company_id: int, office_id: int | None) -> bool:
        if not self.sees_company(company_id):
            return False
        return self.office_ids is None or office_id in self.office_ids

    def with_address(self, address: str | None) -> Principal:
        return Principal(**{**self._fields(), "address": address})

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy (a pending maker-checker command runs as its maker)."""
        snapshot = self._fields()
        snapshot["permissions"] = sorted(self.permissions)
        snapshot["scope"] = self.scope.value
        snapshot["company_ids"] = sorted(self.company_ids)
        snapshot["office_ids"] = None if self.office_ids is None else sorted(self.office_ids)
        snapshot["roles"] = sorted(self.roles)
        return snapshot

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> Principal:
        office_ids = snapshot["office_ids"]
        return cls(
            user_id=snapshot["user_id"],
            username=snapshot["username"],
            display_name=snapshot["display_name"],
            company_id=snapshot["company_id"],
            office_id=snapshot["office_id"],
            permissions=frozenset(snapshot["permissions"]),
            scope=DataScope(snapshot["scope"]),
            company_ids=frozenset(snapshot["company_ids"]),
            office_ids=None if office_ids is None else frozenset(office_ids),
            address=snapshot.get("address"),
            roles=frozenset(snapshot.get("roles", ())),
        )

    def _fields(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items()}


def require(principal: Principal, code: str) -> None:
    """Refuse the command unless ``principal`` holds permission ``code``."""
    if not principal.can(code):
        raise Forbidden(
            "%(username)s lacks permission %(code)s",
            code="permission_denied",
            extra={"permission": code},
            params={"username": principal.username, "code": code},
        )

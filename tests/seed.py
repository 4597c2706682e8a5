"""The seeded world of the integration and end-to-end tests.

Company MLC (group GRP): HQ → branch A (→ sub-branch A1) and branch B. Company MLD in the same
group, with only its head office. Users (password ``PASSWORD``), with office and data scope:

    admin, admin2    admin          HQ  company
    officer_a        loan_officer   A   office       (phone 13800000001)
    officer_a1       loan_officer   A1  office
    officer_b        loan_officer   B   office       (phone 13800000002)
    manager_a        manager        A   office_subtree
    risk             risk_officer   HQ  company
    approver         approver       HQ  company
    finance          finance        HQ  company
    collector        collector      HQ  company
    manager          manager        HQ  company
    auditor          auditor        HQ  company
    group_auditor    auditor        HQ  group
    mld_admin        admin          MLD head office, company
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.auth.tables import User
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeView

PASSWORD = "Correct-horse-42"
BUSINESS_DATE = date(2025, 3, 3)

USERS: tuple[tuple[str, str, str, str, str | None], ...] = (
    # username, role, office key, scope, phone
    ("admin", "admin", "hq", "company", None),
    ("admin2", "admin", "hq", "company", None),
    ("officer_a", "loan_officer", "a", "office", "13800000001"),
    ("officer_a1", "loan_officer", "a1", "office", None),
    ("officer_b", "loan_officer", "b", "office", "13800000002"),
    ("manager_a", "manager", "a", "office_subtree", None),
    ("risk", "risk_officer", "hq", "company", None),
    ("approver", "approver", "hq", "company", None),
    ("finance", "finance", "hq", "company", None),
    ("collector", "collector", "hq", "company", None),
    ("manager", "manager", "hq", "company", None),
    ("auditor", "auditor", "hq", "company", None),
    ("group_auditor", "auditor", "hq", "group", None),
)


@dataclass
class World:
    company_id: int
    other_company_id: int
    offices: dict[str, int]
    user_ids: dict[str, int]
    make_uow: Callable[..., UnitOfWork]
    now: datetime
    _principals: dict[str, Principal] = field(default_factory=dict)

    def principal(self, username: str, *, fresh: bool = False) -> Principal:
        """The user's principal, as the auth context builds it."""
        if fresh or username not in self._principals:
            with self.make_uow(read_only=True) as uow:
                user = uow.session.get(User, self.user_ids[username])
                assert user is not None
                self._principals[username] = auth.principal_for_user(uow, user, address="test")
        return self._principals[username]


def build_world(make_uow: Callable[..., UnitOfWork], now: datetime) -> World:
    with make_uow() as uow:
        company = orgs.found_company(
            uow,
            company_code="MLC",
            company_name="小贷公司",
            business_date=BUSINESS_DATE,
            now=now,
            group_code="GRP",
        )
        other = orgs.found_company(
            uow,
            company_code="MLD",
            company_name="第二小贷",
            business_date=BUSINESS_DATE,
            now=now,
            group_code="GRP",
        )
        assert company.head_office_id and other.head_office_id
        system = auth.system_principal(
            uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
        )
        offices = {"hq": company.head_office_id, "mld_hq": other.head_office_id}
        for key, parent, code in (("a", "hq", "A"), ("b", "hq", "B"), ("a1", "a", "A1")):
            office = orgs.create_office(
                uow, system, parent_id=offices[parent], code=code, name=f"Branch {code}", now=now
            )
            assert isinstance(office, OfficeView)
            offices[key] = office.id
        user_ids: dict[str, int] = {}
        for username, role, office_key, scope, phone in USERS:
            user = auth.create_user(
                uow,
                system,
                username=username,
                password=PASSWORD,
                display_name=username.title(),
                office_id=offices[office_key],
                roles=[role],
                scope=scope,
                phone=phone,
                now=now,
            )
            assert isinstance(user, auth.UserView)
            user_ids[username] = user.id
        other_system = auth.system_principal(
            uow, company_id=other.id, permissions=frozenset(PERMISSIONS)
        )
        mld_admin = auth.create_user(
            uow,
            other_system,
            username="mld_admin",
            password=PASSWORD,
            display_name="MLD admin",
            office_id=offices["mld_hq"],
            roles=["admin"],
            scope="company",
            now=now,
        )
        assert isinstance(mld_admin, auth.UserView)
        user_ids["mld_admin"] = mld_admin.id
        uow.commit()
    return World(company.id, other.id, offices, user_ids, make_uow, now)

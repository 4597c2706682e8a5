"""Customers against a real database (SQLite and PostgreSQL): anti-collision, scope, masking,
blacklist, the protection period, the related-party group, the 360."""

from __future__ import annotations

import types
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.customers import credit_file, extensions, file360, pool, transfers
from microlend.customers import service as customers
from microlend.customers.tables import Collision, Customer
from microlend.customers.views import CustomerView, TransferRequestView
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from tests.integration.applications_support import blacklist
from tests.seed import World

# Resident IDs with check digits computed by hand (see tests/unit/customers/test_identity.py).
ZHANG = "11010519491231002X"
LI = "440524188001010014"
USCC = "91350100M000100Y43"


def register(
    world: World, username: str, id_number: str = ZHANG, name: str = "张三", **fields: object
) -> CustomerView:
    with world.make_uow() as uow:
        view = customers.register_customer(
            uow,
            world.principal(username),
            kind="individual",
            id_number=id_number,
            name=name,
            now=world.now,
            **fields,
        )
        uow.commit()
    assert isinstance(view, CustomerView)
    return view


def test_registration_derives_birth_date_and_sex(world: World) -> None:
    view = register(world, "officer_a", phone="138 0000 0009")
    assert (view.birth_date, view.sex, view.phone) == (date(1949, 12, 31), "female", "13800000009")
    assert view.owner_id == world.user_ids["officer_a"]


def test_a_duplicate_registration_names_the_holder_and_files_a_collision(world: World) -> None:
    first = register(world, "officer_a")
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        customers.register_customer(
            uow,
            world.principal("officer_b"),
            kind="individual",
            id_number=ZHANG.lower(),
            name="张三",
            now=world.now,
        )
    assert refused.value.code == "customer_collision"
    holder = refused.value.extra["holder"]
    assert holder["officer"] == "Officer_A" and holder["office"] == "Branch A"
    assert holder["company"] == "小贷公司" and holder["since"] == "2025-03-03"
    with world.make_uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Customer)) == 1
        collision = uow.session.scalars(select(Collision)).one()
        assert (collision.customer_id, collision.attempted_by, collision.holder_id) == (
            first.id,
            world.user_ids["officer_b"],
            world.user_ids["officer_a"],
        )
        refusal = uow.session.scalars(
            select(AuditRecord).where(
                AuditRecord.command == "customers.create", AuditRecord.outcome == "failed"
            )
        ).one()
        assert refusal.error_code == "customer_collision"


def test_the_other_company_of_the_group_collides_too(world: World) -> None:
    register(world, "officer_a")
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        mld = auth.system_principal(
            uow, company_id=world.other_company_id, permissions=frozenset(PERMISSIONS)
        )
        customers.register_customer(
            uow, mld, kind="individual", id_number=ZHANG, name="张三", now=world.now
        )
    assert refused.value.extra["holder"]["company"] == "小贷公司"


def test_search_and_detail_are_scoped_to_the_branch(world: World) -> None:
    a = register(world, "officer_a", name="张三丰")
    b = register(world, "officer_b", LI, name="张无忌")
    with world.make_uow(read_only=True) as uow:
        officer_a, manager = world.principal("officer_a"), world.principal("manager")
        assert [c.id for c in customers.search_customers(uow, officer_a, q="张").items] == [a.id]
        assert [c.id for c in customers.search_customers(uow, officer_a, q=LI).items] == []
        assert {c.id for c in customers.search_customers(uow, manager, q="张").items} == {
            a.id,
            b.id,
        }
        with pytest.raises(NotFound):
            customers.get_customer(uow, officer_a, customer_id=b.id)
        with pytest.raises(NotFound):
            file360.customer_file(uow, officer_a, customer_id=b.id)


def test_search_by_contains_id_and_phone(world: World) -> None:
    view = register(world, "officer_a", name="欧阳 修文", phone="13912345678")
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("manager")
        for q, by in (
            ("修文", "name_contains"),
            ("欧阳修", "auto"),
            (ZHANG, "auto"),
            ("13912345678", "auto"),
        ):
            found = customers.search_customers(uow, actor, q=q, by=by).items
            assert [c.id for c in found] == [view.id], (q, by)
        assert customers.search_customers(uow, actor, q="修文", by="name_prefix").items == []


def test_personal_data_is_masked_without_pii_view(world: World) -> None:
    view = register(world, "officer_a", phone="13912345678")
    with world.make_uow(read_only=True) as uow:
        masked = customers.get_customer(uow, world.principal("manager"), customer_id=view.id)
        shown = customers.get_customer(uow, world.principal("officer_a"), customer_id=view.id)
    assert (masked.id_number, masked.phone) == ("110***********002X", "139****5678")
    assert (shown.id_number, shown.phone) == (ZHANG, "13912345678")


def test_a_blacklisted_identity_is_refused(world: World) -> None:
    blacklist(world, ZHANG, "张三")
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        customers.register_customer(
            uow,
            world.principal("officer_a"),
            kind="individual",
            id_number=ZHANG,
            name="张三",
            now=world.now,
        )
    assert (refused.value.code, refused.value.field) == ("customer_blacklisted", "id_number")


def test_an_officer_may_not_blacklist(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(Forbidden):
        credit_file.add_to_list(
            uow,
            world.principal("officer_a"),
            list_kind="black",
            id_kind="resident_id",
            id_number=ZHANG,
            name="张三",
            reason="x",
            now=world.now,
        )


def test_bad_input_names_the_field(world: World) -> None:
    bad = (
        ({"kind": "individual", "id_number": "110105194912310021", "name": "张三"}, "id_number"),
        ({"kind": "individual", "id_number": ZHANG, "name": "张三", "phone": "12345"}, "phone"),
        ({"kind": "enterprise", "id_number": USCC, "name": "某司", "founded_on": "2020-13-01"},
         "founded_on"),
        ({"kind": "individual", "id_number": ZHANG, "name": "张三", "monthly_income": "-5"},
         "monthly_income"),
        ({"kind": "enterprise", "id_number": USCC, "name": "某司", "registered_capital": "-1"},
         "registered_capital"),
    )  # fmt: skip
    for fields, named in bad:  # a wrong check digit, a short phone, no 13th month, below 0
        with world.make_uow() as uow, pytest.raises(ValidationFailed) as refused:
            customers.register_customer(uow, world.principal("officer_a"), now=world.now, **fields)
        assert refused.value.field == named


def test_the_protection_period_lapses_and_the_customer_can_be_claimed(world: World) -> None:
    view = register(world, "officer_a")  # held since the business date 2025-03-03
    officer_a1 = world.principal("officer_a1")
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        pool.claim_customer(
            uow, officer_a1, customer_id=view.id, as_of=date(2025, 6, 1), now=world.now
        )
    assert refused.value.extra["protection_ends"] == "2025-06-02"
    with world.make_uow() as uow:
        claimed = pool.claim_customer(
            uow, officer_a1, customer_id=view.id, as_of=date(2025, 6, 2), now=world.now
        )
        uow.commit()
    assert isinstance(claimed, CustomerView)
    assert (claimed.owner_id, claimed.office_id) == (
        world.user_ids["officer_a1"],
        world.offices["a1"],
    )
    with world.make_uow(read_only=True) as uow:
        holder = pool.holder_of(uow, officer_a1, customer_id=view.id, as_of=date(2025, 6, 2))
        assert holder.held and holder.held_since == date(2025, 6, 2)
        commands = uow.session.scalars(
            select(AuditRecord.command).where(
                AuditRecord.outcome == "ok", AuditRecord.entity_type == "customer"
            )
        ).all()
        assert commands == ["customers.create", "customers.claim"]


def test_a_released_customer_is_in_the_pool_and_registering_it_says_so(world: World) -> None:
    view = register(world, "officer_a")
    with world.make_uow() as uow:
        pool.release_customer(uow, world.principal("officer_a"), customer_id=view.id, now=world.now)
        uow.commit()
    with world.make_uow() as uow, pytest.raises(Conflict) as refused:
        customers.register_customer(
            uow,
            world.principal("officer_b"),
            kind="individual",
            id_number=ZHANG,
            name="张三",
            now=world.now,
        )
    assert refused.value.code == "customer_in_pool"


def test_a_transfer_is_asked_then_approved_by_someone_else(world: World) -> None:
    view = register(world, "officer_a")
    with world.make_uow() as uow, pytest.raises(Forbidden):  # risk neither holds nor transfers
        transfers.request_transfer(uow, world.principal("risk"), customer_id=view.id,
                                   to_user_id=world.user_ids["officer_b"], reason="x",
                                   now=world.now)  # fmt: skip
    with world.make_uow() as uow:
        asked = transfers.request_transfer(uow, world.principal("officer_a"), customer_id=view.id,
                                           to_user_id=world.user_ids["officer_b"],
                                           reason="moves to branch B", now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(asked, TransferRequestView) and asked.status == "pending"
    with world.make_uow(read_only=True) as uow:  # nothing moved yet
        assert uow.session.get(Customer, view.id).owner_id == world.user_ids["officer_a"]  # type: ignore[union-attr]
    with world.make_uow() as uow, pytest.raises(Forbidden):  # a loan officer may not approve
        transfers.decide_transfer(uow, world.principal("officer_a"), request_id=asked.id,
                                  approve=True, now=world.now)  # fmt: skip
    with world.make_uow() as uow:
        decided = transfers.decide_transfer(uow, world.principal("manager"), request_id=asked.id,
                                            approve=True, opinion="ok", now=world.now)  # fmt: skip
        uow.commit()
    assert (decided.status, decided.decided_by, decided.opinion) == (
        "approved", world.user_ids["manager"], "ok")  # fmt: skip
    with world.make_uow(read_only=True) as uow:
        moved = uow.session.get(Customer, view.id)
        assert moved is not None
        assert (moved.owner_id, moved.office_id) == (world.user_ids["officer_b"],
                                                     world.offices["b"])  # fmt: skip
    with world.make_uow() as uow, pytest.raises(Conflict):  # decided once only
        transfers.decide_transfer(uow, world.principal("manager"), request_id=asked.id,
                                  approve=False, now=world.now)  # fmt: skip


def test_no_one_approves_their_own_transfer_request(world: World) -> None:
    view = register(world, "officer_a")
    with world.make_uow() as uow:
        asked = transfers.request_transfer(uow, world.principal("manager"), customer_id=view.id,
                                           to_user_id=world.user_ids["officer_b"],
                                           reason="rebalance", now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(asked, TransferRequestView)
    with world.make_uow() as uow, pytest.raises(Forbidden) as refused:
        transfers.decide_transfer(uow, world.principal("manager"), request_id=asked.id,
                                  approve=True, now=world.now)  # fmt: skip
    assert refused.value.code == "own_request"


def test_the_360_shows_ratios_and_the_related_party_group(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = register(world, "officer_a")
    spouse = register(world, "officer_a", LI, name="李四")
    other = register(
        world, "officer_a", "110105194912310038", name="王五"
    )  # sum 169, mod 11 = 4 -> "8"
    with world.make_uow() as uow:
        actor = world.principal("officer_a")
        enterprise = customers.register_customer(
            uow,
            actor,
            kind="enterprise",
            id_number=USCC,
            name="福州某某有限公司",
            now=world.now,
            registered_capital="1000000.00",
            industry_code="C1391",
        )
        assert isinstance(enterprise, CustomerView)
        credit_file.link_customers(
            uow, actor, from_id=person.id, to_id=spouse.id, relation="spouse", now=world.now
        )
        credit_file.link_customers(
            uow,
            actor,
            from_id=enterprise.id,
            to_id=spouse.id,
            relation="shareholder",
            share_percent="60",
            now=world.now,
        )
        credit_file.record_financials(
            uow,
            actor,
            customer_id=enterprise.id,
            period="2024",
            amounts={
                "total_assets": "900000",
                "total_liabilities": "600000",
                "current_assets": "150",
                "current_liabilities": "100",
            },
            now=world.now,
        )
        uow.commit()
    loans_file = types.SimpleNamespace(exposure=lambda uow, ids: {spouse.id: Decimal("5000.00")})
    monkeypatch.setattr(extensions, "contributions", lambda: (loans_file,))
    with world.make_uow(read_only=True) as uow:
        card = file360.customer_file(uow, world.principal("officer_a"), customer_id=person.id)
        firm = file360.customer_file(uow, world.principal("manager"), customer_id=enterprise.id)
    assert {m.id for m in card.group} == {person.id, spouse.id, enterprise.id}
    assert other.id not in {m.id for m in card.group}
    assert (card.own_exposure, card.group_exposure) == (Decimal(0), Decimal("5000.00"))
    assert firm.financials[0].debt_ratio == Decimal("0.6667")
    assert firm.financials[0].current_ratio == Decimal("1.5000")
    assert firm.customer.registered_capital == Decimal("1000000.00")
    assert [(link.relation, link.share_percent) for link in firm.links] == [
        ("shareholder", Decimal("60"))
    ]


def test_an_update_changes_only_what_it_names_and_renews_activity(world: World) -> None:
    view = register(world, "officer_a", address="福州市鼓楼区", monthly_income="8000.00")
    with world.make_uow() as uow:
        updated = customers.update_customer(
            uow,
            world.principal("officer_a"),
            customer_id=view.id,
            changes={"monthly_income": Decimal("9500.50"), "employer": "某厂"},
            now=world.now,
        )
        uow.commit()
    assert isinstance(updated, CustomerView)
    assert (updated.monthly_income, updated.employer, updated.address) == (
        Decimal("9500.50"),
        "某厂",
        "福州市鼓楼区",
    )
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as refused:
        customers.update_customer(
            uow,
            world.principal("officer_a"),
            customer_id=view.id,
            changes={"monthly_income": "1.234"},
            now=world.now,
        )
    assert refused.value.field == "monthly_income"


def test_a_renamed_customer_is_found_by_its_new_name_only(world: World) -> None:
    view = register(world, "officer_a", name="张三丰")
    with world.make_uow() as uow:
        customers.update_customer(
            uow,
            world.principal("officer_a"),
            customer_id=view.id,
            changes={"name": "李四光"},
            now=world.now,
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        actor = world.principal("manager")
        found = customers.search_customers(uow, actor, q="四光", by="name_contains").items
        stale = customers.search_customers(uow, actor, q="三丰", by="name_contains").items
    assert ([c.id for c in found], stale) == ([view.id], [])

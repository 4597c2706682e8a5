"""The applicant check origination runs at application time, and the contributions of the
contexts above customers on the 360 (SQLite and PostgreSQL)."""

from __future__ import annotations

import types
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.customers import credit_file, extensions, file360, pool
from microlend.customers import service as customers
from microlend.customers.tables import Collision, Customer
from microlend.customers.views import CustomerView, File360Section, RepaymentBehaviour
from microlend.kernel.errors import NotFound
from tests.seed import World

ZHANG = "11010519491231002X"  # check digit by hand in tests/unit/customers/test_identity.py


def register(world: World, username: str) -> CustomerView:
    with world.make_uow() as uow:
        view = customers.register_customer(uow, world.principal(username), kind="individual",
                                           id_number=ZHANG, name="张三", now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(view, CustomerView)
    return view


def list_identity(world: World, list_kind: str, reason: str, source: str) -> None:
    with world.make_uow() as uow:
        credit_file.add_to_list(uow, world.principal("risk"), list_kind=list_kind,
                                id_kind="resident_id", id_number=ZHANG, name="张三",
                                reason=reason, source=source, now=world.now)  # fmt: skip
        uow.commit()


def test_the_owner_applying_is_clean_and_renews_the_protection(world: World) -> None:
    view = register(world, "officer_a")  # business date 2025-03-03
    with world.make_uow() as uow:
        uow.session.get(Customer, view.id).last_activity_on = date(2025, 1, 2)  # type: ignore[union-attr]
        check = customers.check_applicant(uow, world.principal("officer_a"),
                                          customer_id=view.id, now=world.now)  # fmt: skip
        uow.commit()
    assert check == customers.ApplicantCheck(False, False, (), None, None)
    with world.make_uow(read_only=True) as uow:
        assert uow.session.get(Customer, view.id).last_activity_on == date(2025, 3, 3)  # type: ignore[union-attr]
        assert uow.session.scalars(select(Collision)).all() == []


def test_another_officer_applying_files_a_collision_and_names_the_holder(world: World) -> None:
    view = register(world, "officer_a")
    list_identity(world, "watch", "court case pending", "court")
    with world.make_uow() as uow:
        check = customers.check_applicant(uow, world.principal("manager"),
                                          customer_id=view.id, now=world.now)  # fmt: skip
        uow.commit()
    assert (check.blacklisted, check.watchlisted) == (False, True)
    assert check.list_reasons == ("watch: court case pending (court)",)
    assert check.held_by_other == "Officer_A (Branch A, 小贷公司) since 2025-03-03"
    with world.make_uow(read_only=True) as uow:
        collision = uow.session.scalars(select(Collision)).one()
    assert collision.id == check.collision_id
    assert (collision.channel, collision.attempted_by, collision.holder_id) == (
        "apply", world.user_ids["manager"], world.user_ids["officer_a"])  # fmt: skip


def test_a_blacklisted_customer_in_the_pool_is_reported_without_collision(world: World) -> None:
    view = register(world, "officer_a")
    list_identity(world, "black", "fraud", "court")
    with world.make_uow() as uow:
        pool.release_customer(uow, world.principal("officer_a"), customer_id=view.id, now=world.now)
        check = customers.check_applicant(uow, world.principal("manager"),
                                          customer_id=view.id, now=world.now)  # fmt: skip
    assert (check.blacklisted, check.watchlisted, check.held_by_other) == (True, False, None)
    assert check.list_reasons == ("black: fraud (court)",) and check.collision_id is None


def test_outside_the_scope_the_customer_is_not_found(world: World) -> None:
    view = register(world, "officer_a")
    with world.make_uow() as uow, pytest.raises(NotFound):
        customers.check_applicant(uow, world.principal("officer_b"), customer_id=view.id,
                                  now=world.now)  # fmt: skip


def test_the_360_shows_what_the_contexts_above_contribute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = register(world, "officer_a")
    seen: list[int] = []

    def file_sections(uow: object, actor: object, *, customer_id: int) -> list[File360Section]:
        seen.append(customer_id)
        return [File360Section("loans", "Loans", ("Loan no.",), (("L-1",),), ("/loans/1",))]

    loans = types.SimpleNamespace(
        file_sections=file_sections,
        exposure=lambda uow, ids: {view.id: Decimal("3000.00")},
        repayment_behaviour=lambda uow, ids: {view.id: RepaymentBehaviour(35, 5, 2, False)},
    )
    monkeypatch.setattr(extensions, "contributions", lambda: (loans,))
    with world.make_uow(read_only=True) as uow:
        card = file360.customer_file(uow, world.principal("officer_a"), customer_id=view.id)
        behaviour = customers.repayment_behaviour(uow, frozenset({view.id}))
    assert seen == [view.id]
    assert card.sections[0].rows == (("L-1",),) and card.own_exposure == Decimal("3000.00")
    assert card.group_exposure == Decimal("3000.00")
    assert card.repayment == behaviour[view.id] == RepaymentBehaviour(35, 5, 2, False)


def test_the_collision_is_kept_when_the_application_is_refused(world: World) -> None:
    view = register(world, "officer_a")
    with world.make_uow() as uow:  # the caller refuses the application: nothing else is kept
        check = customers.check_applicant(uow, world.principal("manager"),
                                          customer_id=view.id, now=world.now)  # fmt: skip
        uow.rollback()
    with world.make_uow(read_only=True) as uow:
        kept = uow.session.scalars(select(Collision)).one()
    assert (kept.id, kept.channel, kept.customer_id) == (check.collision_id, "apply", view.id)

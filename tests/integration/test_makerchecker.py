"""Maker-checker: a configured command (or one that waits by default: waivers, reschedules,
write-offs) waits for a second person, who is never its maker."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from microlend.auth import service as auth
from microlend.db.commands import Pending, command, command_spec, needs_checker
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeView
from tests.seed import PASSWORD, World


def switch_on(world: World, command: str) -> None:
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name=command, enabled=True, now=world.now
        )
        uow.commit()


def make_office(world: World, maker: str = "admin", code: str = "C1") -> Pending:
    with world.make_uow() as uow:
        outcome = orgs.create_office(
            uow,
            world.principal(maker),
            parent_id=world.offices["hq"],
            code=code,
            name="Pending branch",
            now=world.now,
        )
        uow.commit()
    assert isinstance(outcome, Pending)
    return outcome


def office_codes(world: World) -> set[str]:
    with world.make_uow(read_only=True) as uow:
        page = orgs.list_offices(uow, world.principal("admin"), limit=100)
    return {office.code for office in page.items}


def test_without_configuration_a_command_runs_at_once(world: World) -> None:
    with world.make_uow() as uow:
        outcome = orgs.create_office(
            uow,
            world.principal("admin"),
            parent_id=world.offices["hq"],
            code="C0",
            name="Direct",
            now=world.now,
        )
        uow.commit()
    assert isinstance(outcome, OfficeView)


def test_a_configured_command_waits_and_another_user_approves_it(world: World) -> None:
    switch_on(world, "orgs.office.create")
    pending = make_office(world)
    assert "C1" not in office_codes(world)
    with world.make_uow(read_only=True) as uow:
        inbox = auth.list_pending(uow, world.principal("admin2"))
        makers_view = auth.list_pending(uow, world.principal("admin"))
    assert [(item.id, item.can_decide) for item in inbox] == [(pending.pending_id, True)]
    assert [(item.id, item.can_decide) for item in makers_view] == [(pending.pending_id, False)]
    with world.make_uow() as uow:
        done = auth.approve_pending(
            uow, world.principal("admin2"), pending_id=pending.pending_id, now=world.now
        )
        uow.commit()
    assert "C1" in office_codes(world)
    with world.make_uow(read_only=True) as uow:
        assert auth.list_pending(uow, world.principal("admin2")) == []
        records = uow.session.scalars(
            select(AuditRecord)
            .where(AuditRecord.command == "orgs.office.create")
            .order_by(AuditRecord.seq)
        ).all()
    assert [(r.username, r.outcome) for r in records][-2:] == [
        ("admin", "pending"),
        ("admin2", "approved"),
    ]
    assert records[-1].entity_id == str(done.entity_id)


def test_the_maker_can_never_approve_their_own_command(world: World) -> None:
    switch_on(world, "orgs.office.create")
    pending = make_office(world)
    with world.make_uow() as uow, pytest.raises(Forbidden) as caught:
        auth.approve_pending(
            uow, world.principal("admin"), pending_id=pending.pending_id, now=world.now
        )
    assert caught.value.code == "own_command"
    assert "C1" not in office_codes(world)


def test_a_checker_needs_the_approval_permission_and_the_commands_own(world: World) -> None:
    switch_on(world, "orgs.office.create")
    pending = make_office(world)
    # The approver may approve, but not create offices; the officer may do neither.
    for checker in ("approver", "officer_a"):
        with world.make_uow() as uow, pytest.raises((Forbidden, NotFound)):
            auth.approve_pending(
                uow, world.principal(checker), pending_id=pending.pending_id, now=world.now
            )
    assert "C1" not in office_codes(world)


def test_a_rejected_command_never_runs_and_keeps_its_reason(world: World) -> None:
    switch_on(world, "orgs.office.create")
    pending = make_office(world)
    with world.make_uow() as uow, pytest.raises(ValidationFailed):
        auth.reject_pending(
            uow,
            world.principal("admin2"),
            pending_id=pending.pending_id,
            reason="  ",
            now=world.now,
        )
    with world.make_uow() as uow:
        view = auth.reject_pending(
            uow,
            world.principal("admin2"),
            pending_id=pending.pending_id,
            reason="wrong city",
            now=world.now,
        )
        uow.commit()
    assert (view.status, view.reason, view.checker_username) == ("rejected", "wrong city", "admin2")
    with world.make_uow() as uow, pytest.raises(Conflict):
        auth.approve_pending(
            uow, world.principal("admin2"), pending_id=pending.pending_id, now=world.now
        )
    assert "C1" not in office_codes(world)


def test_a_pending_user_creation_keeps_no_password_and_runs_on_approval(world: World) -> None:
    switch_on(world, "auth.user.create")
    with world.make_uow() as uow:
        outcome = auth.create_user(
            uow,
            world.principal("admin"),
            username="new.officer",
            password=PASSWORD,
            display_name="New",
            roles=["loan_officer"],
            office_id=world.offices["b"],
            scope="office",
            now=world.now,
        )
        uow.commit()
    assert isinstance(outcome, Pending)
    with world.make_uow(read_only=True) as uow:
        [item] = auth.list_pending(uow, world.principal("admin2"))
    assert "password_hash" not in item.payload and PASSWORD not in str(item.payload)
    with world.make_uow() as uow:
        auth.approve_pending(
            uow, world.principal("admin2"), pending_id=outcome.pending_id, now=world.now
        )
        uow.commit()
    with world.make_uow() as uow:
        principal = auth.authenticate(
            uow, username="new.officer", password=PASSWORD, address="10.0.0.1", now=world.now
        )
    assert principal.roles == {"loan_officer"}


def test_other_companies_pending_commands_are_invisible(world: World) -> None:
    switch_on(world, "orgs.office.create")
    pending = make_office(world)
    with world.make_uow() as uow:
        assert auth.list_pending(uow, world.principal("mld_admin")) == []
        with pytest.raises(NotFound):
            auth.approve_pending(
                uow, world.principal("mld_admin"), pending_id=pending.pending_id, now=world.now
            )


def test_a_command_that_cannot_wait_refuses_the_switch(world: World) -> None:
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        auth.configure_maker_checker(
            uow,
            world.principal("admin"),
            command_name="auth.token.issue",
            enabled=True,
            now=world.now,
        )
    assert caught.value.field == "command"


CHECKED_BY_DEFAULT = {
    "loans.waive",
    "loans.reschedule",
    "loans.accelerate",
    "loans.writeoff",
    "loans.classification.adjust",
    "loans.classification.restore",
}


def test_waivers_reschedules_write_offs_and_classification_adjustments_wait_by_default(
    world: World,
) -> None:
    with world.make_uow(read_only=True) as uow:
        rules = auth.maker_checker_rules(uow, world.principal("admin"))
    # every command that may wait is listed with the rule in effect; recovery is cash coming in
    # (like a repayment) and posts at once
    assert {name for name, on in rules.items() if on} == CHECKED_BY_DEFAULT
    assert rules["loans.recover"] is False and rules["orgs.office.create"] is False
    assert "auth.token.issue" not in rules  # it cannot wait at all
    for name in CHECKED_BY_DEFAULT:
        assert command_spec(name).checked_by_default


def test_an_administrator_switches_a_default_off_for_their_company_only(world: World) -> None:
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name="loans.waive", enabled=False, now=world.now
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        ours = auth.maker_checker_rules(uow, world.principal("admin"))
        theirs = auth.maker_checker_rules(uow, world.principal("mld_admin"))
        assert needs_checker(uow, company_id=world.company_id, name="loans.waive") is False
        assert needs_checker(uow, company_id=world.other_company_id, name="loans.waive") is True
    assert (ours["loans.waive"], ours["loans.writeoff"]) == (False, True)
    assert theirs["loans.waive"] is True


def test_a_command_that_cannot_wait_cannot_wait_by_default() -> None:
    with pytest.raises(ValueError):
        command("tests.never", entity_type="x", checkable=False, checked_by_default=True)

"""A second person's approval of a command that waited for a checker (maker-checker), for the
tests of commands that wait by default: waivers, reschedules and write-offs.

In the seeded world the loans sit in branch A. Finance (HQ) waives and the manager (HQ) approves;
the branch manager ``manager_a`` reschedules and writes off and the manager (HQ, whole company)
approves: a checker holds ``makerchecker.approve`` and the command's own permission, and sees the
maker's office.
"""

from __future__ import annotations

from typing import Any

from microlend.db.commands import Pending
from microlend.db.makerchecker import approve_pending, reject_pending
from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.seed import World


def approved(world: World, outcome: object, checker: str = "manager") -> Any:
    """``outcome`` must be a pending command: ``checker`` approves it; returns what it made."""
    assert isinstance(outcome, Pending), f"expected a pending command, got {outcome!r}"
    with world.make_uow() as uow:
        done = approve_pending(
            uow, world.principal(checker), pending_id=outcome.pending_id, now=world.now
        )
        uow.commit()
    return done.value


def rejected(world: World, outcome: object, reason: str, checker: str = "manager") -> None:
    """``outcome`` must be a pending command: ``checker`` rejects it for ``reason``."""
    assert isinstance(outcome, Pending), f"expected a pending command, got {outcome!r}"
    with world.make_uow() as uow:
        reject_pending(
            uow,
            world.principal(checker),
            pending_id=outcome.pending_id,
            reason=reason,
            now=world.now,
        )
        uow.commit()


def written_off(world: World, loan_id: int, reason: str = "失联") -> EventOutcome:
    """The branch manager writes the loan off and the manager approves it."""
    with world.make_uow() as uow:
        request = loans.write_off(
            uow, world.principal("manager_a"), loan_id=loan_id, reason=reason, now=world.now
        )
        uow.commit()
    done = approved(world, request)
    assert isinstance(done, EventOutcome) and done.loan.status == "written_off"
    return done

"""Repayments, refunds and reversals learn their maker-checker rule with the loan's lock (no
query of its own): a command that is to wait for a checker is stored as pending, exactly as
before, and nothing of it is written until the checker approves."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from microlend.auth import service as auth
from microlend.db.commands import Pending
from microlend.db.tables import AuditRecord, PendingCommand
from microlend.kernel.errors import NotFound
from microlend.loans import service as loans
from microlend.loans import tables
from microlend.loans.views import EventOutcome, LoanView
from tests.integration.approvals_support import add_user
from tests.integration.checker_support import approved
from tests.integration.loans_support import D, disbursed, set_business_date
from tests.seed import World

FIN = "finance"


def _rule(world: World, command: str, enabled: bool) -> None:
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name=command, enabled=enabled, now=world.now
        )
        uow.commit()


def _second_finance(world: World) -> str:
    """A second finance user: the checker of finance's repayments."""
    add_user(world, "finance2", roles=["finance"], office="hq", scope="company")
    return "finance2"


def _events(world: World, loan_id: int) -> int:
    with world.make_uow(read_only=True) as uow:
        count = select(func.count()).where(tables.LoanEvent.loan_id == loan_id)
        return int(uow.session.scalar(count) or 0)


def _last_audit(world: World) -> AuditRecord:
    with world.make_uow(read_only=True) as uow:
        last = uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1))
        return last.one()


def _verify(world: World) -> list[object]:
    with world.make_uow(read_only=True) as uow:
        return list(auth.verify_audit(uow, world.principal("auditor")))


def _repay(world: World, loan_id: int, amount: str = "1120.00") -> EventOutcome | Pending:
    with world.make_uow() as uow:
        done = loans.repay(uow, world.principal(FIN), loan_id=loan_id, amount=amount, now=world.now)
        uow.commit()
    return done


def test_a_repayment_that_needs_a_checker_waits_and_writes_nothing(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    checker = _second_finance(world)
    _rule(world, "loans.repay", True)
    before = _events(world, loan.id)
    waiting = _repay(world, loan.id)
    assert isinstance(waiting, Pending) and waiting.command == "loans.repay"
    assert _events(world, loan.id) == before
    last = _last_audit(world)
    assert (last.command, last.outcome, last.entity_type) == (
        "loans.repay",
        "pending",
        "pending_command",
    )
    done = approved(world, waiting, checker)
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_principal == D("11000.00")
    assert _events(world, loan.id) == before + 1
    assert _verify(world) == []


def test_a_rule_switched_off_runs_at_once(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    _rule(world, "loans.repay", True)
    _rule(world, "loans.repay", False)
    done = _repay(world, loan.id)
    assert isinstance(done, EventOutcome)
    assert done.loan.outstanding_principal == D("11000.00")
    last = _last_audit(world)
    assert (last.command, last.outcome) == ("loans.repay", "ok")


def test_a_repayment_of_an_unknown_loan_waits_when_a_checker_is_needed(world: World) -> None:
    _rule(world, "loans.repay", True)
    assert isinstance(_repay(world, 999_999), Pending)
    _rule(world, "loans.repay", False)
    with pytest.raises(NotFound):
        _repay(world, 999_999)
    last = _last_audit(world)
    assert (last.command, last.outcome, last.error_code) == (
        "loans.repay",
        "failed",
        "loans_not_found",
    )


def test_a_repayment_after_other_work_in_its_transaction_waits_too(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    _rule(world, "loans.repay", True)
    with world.make_uow() as uow:
        view = loans.get_loan(uow, world.principal(FIN), loan_id=loan.id)  # touches the uow
        done = loans.repay(uow, world.principal(FIN), loan_id=view.id, amount="10", now=world.now)
        uow.commit()
    assert isinstance(done, Pending)
    with world.make_uow(read_only=True) as uow:
        stored = uow.session.scalars(select(PendingCommand.command)).all()
    assert list(stored) == ["loans.repay"]


def test_refunds_and_reversals_wait_for_their_own_rules(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    checker = _second_finance(world)
    paid = _repay(world, loan.id, "1500.00")  # 380.00 of credit
    assert isinstance(paid, EventOutcome)
    _rule(world, "loans.refund", True)
    _rule(world, "loans.repayment.reverse", True)
    finance = world.principal(FIN)
    with world.make_uow() as uow:
        refund = loans.refund(uow, finance, loan_id=loan.id, amount="380.00", now=world.now)
        uow.commit()
    with world.make_uow() as uow:
        reversal = loans.reverse(
            uow, finance, loan_id=loan.id, event_id=paid.event.id, reason="退票", now=world.now
        )
        uow.commit()
    assert isinstance(refund, Pending) and isinstance(reversal, Pending)
    assert _events(world, loan.id) == 2  # the disbursement and the repayment
    undone = approved(world, reversal, checker)
    assert isinstance(undone, EventOutcome)
    assert undone.loan.outstanding_principal == D("12000.00")
    assert _verify(world) == []


@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_a_repayment_asks_for_neither_its_rule_nor_the_audit_head_on_its_own(
    world: World,
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    assert isinstance(_repay(world, loan.id, "10.00"), EventOutcome)  # its engine state stored
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(" ".join(statement.split()))

    with world.make_uow() as uow:
        bind = uow.session.get_bind()
        event.listen(bind, "before_cursor_execute", seen)
        try:
            done = loans.repay(
                uow, world.principal(FIN), loan_id=loan.id, amount="10.00", now=world.now
            )
            uow.commit()
        finally:
            event.remove(bind, "before_cursor_execute", seen)
    assert isinstance(done, EventOutcome) and isinstance(done.loan, LoanView)
    assert not [s for s in sent if s.startswith("SELECT maker_checker_rules")]
    assert not [s for s in sent if s.startswith("SELECT audit_chain_head")]
    written = [s for s in sent if s.startswith("WITH ")]
    assert len(written) == 1 and "UPDATE audit_chain_head" in written[0]  # linked as it is written
    assert _verify(world) == []

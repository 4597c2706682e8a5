"""The loan lock (loans/account.py ``lock_loans``) reads the loan's contract as text: the loan it
returns holds the stored document, unchanged in the session's eyes (no UPDATE of the loan is
flushed for it), whether or not the session had loaded the loan before."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event, inspect, select

from microlend.loans.account import lock_loans
from microlend.loans.tables import Loan
from tests.integration.loans_support import disbursed
from tests.seed import World


def _stored_contract(world: World, loan_id: int) -> object:
    with world.make_uow(read_only=True) as uow:
        return uow.session.scalars(select(Loan.contract).where(Loan.id == loan_id)).one()


def test_the_locked_loan_holds_its_stored_contract_and_writes_nothing(world: World) -> None:
    loan_id = disbursed(world).id
    stored = _stored_contract(world, loan_id)
    sent: list[str] = []
    with world.make_uow() as uow:
        actor = world.principal("finance")
        earlier = uow.session.get(Loan, loan_id)  # loaded before the lock: refreshed by it
        assert earlier is not None
        loan = lock_loans(uow, actor, [loan_id], now=world.now)[loan_id].loan
        assert loan is earlier
        assert loan.contract == stored
        assert not inspect(loan).modified and not uow.session.dirty
        again = lock_loans(uow, actor, [loan_id], now=world.now)[loan_id].loan
        assert again.contract is loan.contract  # the same text: the same document
        bind, record = uow.session.get_bind(), _recorder(sent)
        event.listen(bind, "before_cursor_execute", record)
        try:
            uow.flush()
        finally:
            event.remove(bind, "before_cursor_execute", record)
    assert not [sql for sql in sent if sql.lstrip().upper().startswith("UPDATE")]


def _recorder(sent: list[str]) -> Callable[..., None]:
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    return record

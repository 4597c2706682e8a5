"""Notes on a loan (贷中备注): append-only, each with its author and time. Anyone who may see the
loan may add one (permission ``loans.view``); a note is never edited or deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.tables_notes import LoanNote

NOTE = "loans.note"
MAX_CHARS = 4000


@dataclass(frozen=True)
class NoteView:
    id: int
    loan_id: int
    body: str
    author: str
    created_at: datetime


@command(NOTE, permission="loans.view", entity_type="loan",
         summary=lambda p: f"note on loan {p['loan_id']}")  # fmt: skip
def _note(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = get_scoped(uow.session, actor, tables.Loan, int(payload["loan_id"]))
    body = str(payload.get("body") or "").strip()
    if not 0 < len(body) <= MAX_CHARS:
        raise ValidationFailed(
            "a note has 1 to %(max_chars)s characters",
            field="body",
            params={"max_chars": MAX_CHARS},
        )
    note = LoanNote(
        company_id=loan.company_id,
        office_id=loan.office_id,
        loan_id=loan.id,
        body=body,
        author_id=actor.user_id,
        created_at=now,
    )
    uow.session.add(note)
    uow.session.flush()
    return Done(
        entity_id=loan.id, value=_view(note, actor.display_name), change={"note_id": note.id}
    )


def _view(row: LoanNote, author: str) -> NoteView:
    return NoteView(row.id, row.loan_id, row.body, author, row.created_at)


def add_note(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, body: str, now: datetime
) -> NoteView | Pending:
    """Append a note to ``loan_id``."""
    payload = {"loan_id": loan_id, "body": body}
    return value_or_pending(run_command(uow, actor, NOTE, payload, now=now), NoteView)


def notes(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[NoteView]:
    """The loan's notes, newest first."""
    require(actor, "loans.view")
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = uow.session.execute(
        select(LoanNote, User.display_name)
        .outerjoin(User, User.id == LoanNote.author_id)
        .where(LoanNote.loan_id == loan.id)
        .order_by(LoanNote.created_at.desc(), LoanNote.id.desc())
    ).all()
    return [_view(row, name or "") for row, name in rows]

"""Named commands: the registry, maker-checker, and the audit record of every run.

A context registers each state change under its permission code:

    @command("orgs.office.create", entity_type="office")
    def _create_office(uow, actor, payload, *, now):
        ...
        return Done(entity_id=office.id, value=view, change={...})

and its service runs it with ``run_command(uow, actor, "orgs.office.create", payload, now=now)``.
``run_command`` checks the permission, stores the command as pending when the company has
maker-checker switched on for it (the checker's ``approve_pending`` runs it later, as its maker),
and otherwise runs the handler in a savepoint. Every outcome — done, pending, refused, failed — is
appended to the audit chain; the record of a refused or failed command is a durable write, so it
survives the rollback of the command's transaction.

A command registered ``rule_in_lock=True`` (its handler's first statement is a lock such as
``loans.account.lock_loans``) learns its maker-checker rule from that statement
(``CHECKER_RULE``, ``checker_params``, ``checker_read``) instead of asking the database first:
one round trip less for the busiest commands. Told to wait, the handler stops there, the
transaction is rolled back, and the command is stored as pending as any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, select

from microlend.db.audit import Actor, append_audit
from microlend.db.bulk import table_of
from microlend.db.tables import MakerCheckerRule, PendingCommand
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, Forbidden
from microlend.kernel.fingerprint import canonical_json, digest
from microlend.kernel.principal import Principal, require

Payload = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Done:
    """A command that ran: the entity it touched, the value for the caller, the change made."""

    entity_id: int | str | None
    value: Any = None
    change: Payload = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """A command stored for a checker."""

    pending_id: int
    command: str
    summary: str


class Handler(Protocol):
    def __call__(
        self, uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime
    ) -> Done: ...


@dataclass(frozen=True)
class CommandSpec:
    name: str
    permission: str | None  # None: any authenticated user; the handler checks the rest
    entity_type: str
    handler: Handler
    summary: Callable[[Payload], str]
    hidden_fields: frozenset[str]
    checkable: bool  # may maker-checker be switched on for it?
    checked_by_default: bool = False  # does it wait for a checker where the company set no rule?
    rule_in_lock: bool = False  # does its handler's first statement read its checker rule?


_REGISTRY: dict[str, CommandSpec] = {}


def command(
    name: str,
    *,
    entity_type: str,
    permission: str | None = None,
    open_to_all: bool = False,
    summary: Callable[[Payload], str] | None = None,
    hidden_fields: frozenset[str] = frozenset(),
    checkable: bool = True,
    checked_by_default: bool = False,
    rule_in_lock: bool = False,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as command ``name`` (its permission code defaults to the name;
    ``open_to_all`` commands need none, their handler checks who may do what).
    ``checked_by_default`` commands wait for a checker unless the company switched that off.
    ``rule_in_lock``: the handler's first statement reads the command's maker-checker rule with
    what it locks (``CHECKER_RULE``) and hands it to ``checker_read`` before it does anything
    else."""
    if checked_by_default and not checkable:
        raise ValueError(f"{name}: a command that cannot wait cannot wait by default")

    def register(handler: Handler) -> Handler:
        _REGISTRY[name] = CommandSpec(
            name=name,
            permission=None if open_to_all else (permission or name),
            entity_type=entity_type,
            handler=handler,
            summary=summary or (lambda _payload: name),
            hidden_fields=hidden_fields,
            checkable=checkable,
            checked_by_default=checked_by_default,
            rule_in_lock=rule_in_lock,
        )
        return handler

    return register


def command_spec(name: str) -> CommandSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no command named {name!r} is registered") from None


def registered_commands() -> list[str]:
    return sorted(_REGISTRY)


_RULES = table_of(MakerCheckerRule)
_RULE = select(_RULES.c.enabled).where(
    _RULES.c.company_id == bindparam("company_id"), _RULES.c.command == bindparam("command")
)
# The rule of the command waiting for its first statement (``checker_params``), as a column of
# that statement: NULL when there is no rule, or nobody waits (the parameters are NULL).
CHECKER_RULE = (
    select(_RULES.c.enabled)
    .where(
        _RULES.c.company_id == bindparam("checker_company", type_=_RULES.c.company_id.type),
        _RULES.c.command == bindparam("checker_command", type_=_RULES.c.command.type),
    )
    .scalar_subquery()
)
_QUESTION = "db.commands.checker"
_AUDITED = "the refusal is audited"  # a note on a refusal audited after its command ended
_NOBODY_ASKS = {"checker_company": None, "checker_command": None}


def needs_checker(uow: UnitOfWork, *, company_id: int, name: str) -> bool:
    """The company's rule for command ``name``, or the command's default where it has none
    (a prebuilt Core statement on the session's connection: no ORM object, no flush)."""
    params = {"company_id": company_id, "command": name}
    enabled = uow.session.connection().execute(_RULE, params).scalar()
    return _decided(name, enabled)


def _decided(name: str, enabled: object) -> bool:
    if enabled is not None:
        return bool(enabled)
    return name in _REGISTRY and _REGISTRY[name].checked_by_default


@dataclass
class _Question:
    """A ``rule_in_lock`` command waiting to learn its rule from its first statement."""

    company_id: int
    name: str
    answer: bool | None = None


class _WaitsForChecker(Exception):
    """Raised by ``checker_read`` out of a handler whose command is to wait for a checker."""


def checker_params(uow: UnitOfWork) -> dict[str, Any]:
    """The parameters of ``CHECKER_RULE`` in the statement being built: the rule of the command
    that waits for it (its first statement), or NULLs."""
    question: _Question | None = uow.session.info.get(_QUESTION)
    if question is None or question.answer is not None:
        return _NOBODY_ASKS
    return {"checker_company": question.company_id, "checker_command": question.name}


def checker_read(uow: UnitOfWork, enabled: object, *, read: bool = True) -> None:
    """Hand the command waiting for it the rule ``CHECKER_RULE`` read (``read`` False: the
    statement returned no row, so read it now). Raises out of the handler if the command is to
    wait for a checker: it has not run, and ``run_command`` stores it as pending."""
    question: _Question | None = uow.session.info.get(_QUESTION)
    if question is None or question.answer is not None:
        return
    if not read:
        enabled = (
            uow.session.connection()
            .execute(_RULE, {"company_id": question.company_id, "command": question.name})
            .scalar()
        )
    question.answer = _decided(question.name, enabled)
    if question.answer:
        raise _WaitsForChecker(question.name)


def run_command(
    uow: UnitOfWork, actor: Principal, name: str, payload: Payload, *, now: datetime
) -> Done | Pending:
    """Run command ``name`` for ``actor`` (or store it for a checker), auditing the outcome."""
    spec = command_spec(name)
    input_digest = digest(payload)
    first = uow.untouched()  # nothing before the command in its transaction to keep
    run = partial(
        execute,
        uow,
        actor,
        spec,
        payload,
        now=now,
        outcome="ok",
        input_digest=input_digest,
        first_in_transaction=first,
    )
    wait = partial(_pending, uow, actor, spec, payload, now=now, input_digest=input_digest)
    try:
        if spec.permission is not None:
            require(actor, spec.permission)
        if spec.checkable and first and spec.rule_in_lock:
            return _run_asking(uow, actor.company_id, name, run, wait)
        if spec.checkable and needs_checker(uow, company_id=actor.company_id, name=name):
            return wait()
        return run()
    except DomainError as error:
        if _AUDITED not in getattr(error, "__notes__", ()):
            audit_refusal(uow, Actor.of(actor), name, input_digest, error, now=now)
        raise


def _run_asking(
    uow: UnitOfWork,
    company_id: int,
    name: str,
    run: Callable[[], Done],
    wait: Callable[[], Pending],
) -> Done | Pending:
    """Run a ``rule_in_lock`` command, the first of its transaction, whose handler learns the
    rule with its lock. Told to wait, or having failed or run without reading the rule (which
    it should not), it reads it now; a command that is to wait is undone (its transaction
    rolled back) and stored as pending (``wait``)."""
    question = _Question(company_id, name)
    uow.session.info[_QUESTION] = question
    try:
        done: Done | None = run()
    except _WaitsForChecker:
        done = None
    except DomainError:
        if question.answer is not None or not needs_checker(uow, company_id=company_id, name=name):
            raise
        done = None
    finally:
        uow.session.info.pop(_QUESTION, None)
    if done is not None and (
        question.answer is not None or not needs_checker(uow, company_id=company_id, name=name)
    ):
        return done
    uow.rollback()
    return wait()


def _pending(
    uow: UnitOfWork,
    actor: Principal,
    spec: CommandSpec,
    payload: Payload,
    *,
    now: datetime,
    input_digest: str,
) -> Pending:
    pending = _store_pending(uow, actor, spec, payload, now=now)
    append_audit(
        uow.session,
        actor=Actor.of(actor),
        command=spec.name,
        outcome="pending",
        input_digest=input_digest,
        entity_type="pending_command",
        entity_id=pending.pending_id,
        now=now,
    )
    return pending


def execute(
    uow: UnitOfWork,
    actor: Principal,
    spec: CommandSpec,
    payload: Payload,
    *,
    now: datetime,
    outcome: str,
    audited_as: Actor | None = None,
    input_digest: str | None = None,
    first_in_transaction: bool = False,
) -> Done:
    """Run the handler and append its audit record (no permission check here).

    The handler runs in a savepoint, so that a failure undoes it alone, unless it is the first
    thing of its transaction: then the transaction itself is the command's (a failure leaves
    the unit of work ``rollback_only``), and the rows it staged are written with its audit record
    in one go, left for the commit (``UnitOfWork.defer_staged``: on PostgreSQL with the
    ``COMMIT``, in one round trip), or for whatever next runs on the connection."""
    if first_in_transaction:
        try:
            done = spec.handler(uow, actor, payload, now=now)
            _audit_done(uow, actor, spec, payload, done, now, outcome, audited_as, input_digest)
            digested = input_digest or digest(payload)

            def refused_later(error: DomainError) -> None:
                """A refusal by the checks of the command's rows, written after it ended (at
                the commit, or by the next statement): audited as the command's, once."""
                error.add_note(_AUDITED)
                audit_refusal(uow, Actor.of(actor), spec.name, digested, error, now=now)

            uow.defer_staged(refused_later)
        except BaseException:
            uow.staged.discard()
            uow.rollback_only = True
            raise
        return done
    uow.flush_staged()
    with uow.savepoint():
        try:
            done = spec.handler(uow, actor, payload, now=now)
            uow.flush_staged()
        except BaseException:
            uow.staged.discard()
            raise
    _audit_done(uow, actor, spec, payload, done, now, outcome, audited_as, input_digest)
    uow.flush_staged()
    return done


def _audit_done(
    uow: UnitOfWork,
    actor: Principal,
    spec: CommandSpec,
    payload: Payload,
    done: Done,
    now: datetime,
    outcome: str,
    audited_as: Actor | None,
    input_digest: str | None,
) -> None:
    append_audit(
        uow.session,
        actor=audited_as or Actor.of(actor),
        command=spec.name,
        outcome=outcome,
        input_digest=input_digest or digest(payload),
        change_digest=digest(done.change),
        entity_type=spec.entity_type,
        entity_id=done.entity_id,
        now=now,
        staged=uow.staged,
    )


def audit_refusal(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    input_digest: str,
    error: DomainError,
    *,
    now: datetime,
) -> None:
    """Record a refused or failed command so that the record outlives the rollback."""
    outcome = "denied" if isinstance(error, Forbidden) else "failed"

    def write(session: Any) -> None:
        append_audit(
            session,
            actor=actor,
            command=name,
            outcome=outcome,
            input_digest=input_digest,
            error_code=error.code,
            now=now,
        )

    uow.durable(write)


def _store_pending(
    uow: UnitOfWork, actor: Principal, spec: CommandSpec, payload: Payload, *, now: datetime
) -> Pending:
    summary = spec.summary(payload)[:300]
    row = PendingCommand(
        company_id=actor.company_id,
        office_id=actor.office_id,
        command=spec.name,
        payload=canonical_json(payload),
        summary=summary,
        maker_id=actor.user_id,
        maker_username=actor.username,
        maker_snapshot=json.dumps(actor.to_snapshot()),
        created_at=now,
        status="pending",
    )
    uow.session.add(row)
    uow.session.flush()
    return Pending(pending_id=row.id, command=spec.name, summary=summary)


def value_or_pending(outcome: Done | Pending, kind: type[T]) -> T | Pending:
    """What a service returns for a command: the value it made, or the pending command."""
    if isinstance(outcome, Pending):
        return outcome
    if not isinstance(outcome.value, kind):
        raise TypeError(f"{outcome.value!r} is not a {kind.__name__}")
    return outcome.value

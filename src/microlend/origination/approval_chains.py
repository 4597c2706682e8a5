"""Approval chain configuration, per company: save (a new version), retire, list.

A company that has never configured a chain gets the default one the first time an application
of it goes under review (``ensure_default_chain``): branch manager (role ``approver`` at the
branch) final up to 50,000; risk officer (role ``risk_officer`` at the head office, the risk
review step) final up to 200,000; risk committee above (role ``approver``, 2 of 3, head office).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from microlend.auth.roles import role_codes_of, roles_by_code
from microlend.auth.tables import User
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import NotFound, ValidationFailed
from microlend.kernel.money import Money, minor_units_of
from microlend.kernel.principal import Principal, require
from microlend.orgs import service as orgs
from microlend.origination import approval_model as model
from microlend.origination.approval_model import ChainSpec, Location, StepSpec
from microlend.origination.tables_approvals import ApprovalChain, ApprovalChainStep

DEFAULT_CODE = "default"
MANAGE = "origination.chains.manage"


@dataclass(frozen=True)
class ChainStepView:
    position: int
    level_name: str
    role: str
    location: str
    final_up_to: Decimal | None
    risk_review: bool
    quorum: int
    committee_size: int
    members: tuple[int, ...]
    veto: bool
    sla_hours: int


@dataclass(frozen=True)
class ChainView:
    id: int
    company_id: int
    code: str
    version: int
    name: str
    product_code: str | None
    office_id: int | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    currency: str
    status: str
    created_at: datetime
    steps: tuple[ChainStepView, ...]


def _default_steps() -> list[StepSpec]:
    return [
        StepSpec(1, "Branch manager", "approver", Location.BRANCH, 5_000_000, sla_hours=24),
        StepSpec(
            2,
            "Risk officer",
            "risk_officer",
            Location.HEAD_OFFICE,
            20_000_000,
            risk_review=True,
            sla_hours=48,
        ),
        StepSpec(
            3,
            "Risk committee",
            "approver",
            Location.HEAD_OFFICE,
            None,
            sla_hours=72,
            quorum=2,
            committee_size=3,
        ),
    ]


def _currency(uow: UnitOfWork, company_id: int) -> str:
    companies = orgs.list_companies_by_id(uow, company_ids=[company_id])
    return companies[0].currency if companies else "CNY"


def _decimal(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else Money.from_minor(minor, currency).amount


def _minor(raw: Any, currency: str, *, field: str) -> int | None:
    if raw in (None, ""):
        return None
    value = minor_units_of(str(raw), currency, field=field)
    if value <= 0:
        raise ValidationFailed("an amount above zero", field=field)
    return value


def _insert(
    uow: UnitOfWork,
    *,
    company_id: int,
    code: str,
    name: str,
    steps: Sequence[StepSpec],
    created_by: int | None,
    now: datetime,
    **scope: Any,
) -> ApprovalChain:
    last = uow.session.scalars(
        select(ApprovalChain)
        .where(ApprovalChain.company_id == company_id, ApprovalChain.code == code)
        .order_by(ApprovalChain.version.desc())
        .limit(1)
    ).first()
    if last is not None and last.status == "active":
        last.status = "superseded"
    row = ApprovalChain(
        company_id=company_id,
        code=code,
        version=(last.version + 1 if last else 1),
        name=name,
        status="active",
        created_by=created_by,
        created_at=now,
        **scope,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add_all(
        ApprovalChainStep(
            company_id=company_id,
            chain_id=row.id,
            position=index + 1,
            level_name=step.level_name,
            role_code=step.role_code,
            location=step.location.value,
            final_up_to_minor=step.final_up_to_minor,
            risk_review=step.risk_review,
            quorum=step.quorum,
            committee_size=step.committee_size,
            members=list(step.members),
            veto=step.veto,
            sla_hours=step.sla_hours,
        )
        for index, step in enumerate(steps)
    )
    uow.session.flush()
    return row


def ensure_default_chain(uow: UnitOfWork, *, company_id: int, now: datetime) -> None:
    """Seed the default chain for a company that has no chain at all (not even a retired one)."""
    count = uow.session.scalar(
        select(func.count())
        .select_from(ApprovalChain)
        .where(ApprovalChain.company_id == company_id)
    )
    if count:
        return
    try:
        with uow.savepoint():
            _insert(uow, company_id=company_id, code=DEFAULT_CODE,
                    name="Default approval chain", steps=_default_steps(), created_by=None,
                    now=now)  # fmt: skip
    except IntegrityError:
        pass  # a concurrent first review seeded it: (company, code, version) is unique


def _step_spec(row: ApprovalChainStep) -> StepSpec:
    return StepSpec(
        position=row.position,
        level_name=row.level_name,
        role_code=row.role_code,
        location=Location(row.location),
        final_up_to_minor=row.final_up_to_minor,
        risk_review=row.risk_review,
        sla_hours=row.sla_hours,
        quorum=row.quorum,
        committee_size=row.committee_size,
        members=tuple(int(m) for m in row.members),
        veto=row.veto,
    )


def _steps_of(uow: UnitOfWork, chain_ids: Sequence[int]) -> dict[int, list[ApprovalChainStep]]:
    found: dict[int, list[ApprovalChainStep]] = {chain_id: [] for chain_id in chain_ids}
    if chain_ids:
        for step in uow.session.scalars(
            select(ApprovalChainStep)
            .where(ApprovalChainStep.chain_id.in_(sorted(chain_ids)))
            .order_by(ApprovalChainStep.chain_id, ApprovalChainStep.position)
        ):
            found[step.chain_id].append(step)
    return found


def active_chain_specs(uow: UnitOfWork, *, company_id: int) -> list[ChainSpec]:
    """The active chains of a company, as the rules see them."""
    rows = uow.session.scalars(
        select(ApprovalChain).where(
            ApprovalChain.company_id == company_id, ApprovalChain.status == "active"
        )
    ).all()
    steps = _steps_of(uow, [row.id for row in rows])
    return [
        ChainSpec(
            id=row.id,
            code=row.code,
            version=row.version,
            steps=tuple(_step_spec(step) for step in steps[row.id]),
            product_code=row.product_code,
            office_id=row.office_id,
            min_amount_minor=row.min_amount_minor,
            max_amount_minor=row.max_amount_minor,
        )
        for row in rows
    ]


def _views(uow: UnitOfWork, rows: Sequence[ApprovalChain]) -> list[ChainView]:
    steps = _steps_of(uow, [row.id for row in rows])
    currencies: dict[int, str] = {}
    views = []
    for row in rows:
        currency = currencies.setdefault(row.company_id, _currency(uow, row.company_id))
        step_views = tuple(
            ChainStepView(
                s.position,
                s.level_name,
                s.role_code,
                s.location,
                _decimal(s.final_up_to_minor, currency),
                s.risk_review,
                s.quorum,
                s.committee_size,
                tuple(int(m) for m in s.members),
                s.veto,
                s.sla_hours,
            )
            for s in steps[row.id]
        )
        views.append(
            ChainView(
                row.id,
                row.company_id,
                row.code,
                row.version,
                row.name,
                row.product_code,
                row.office_id,
                _decimal(row.min_amount_minor, currency),
                _decimal(row.max_amount_minor, currency),
                currency,
                row.status,
                row.created_at,
                step_views,
            )
        )
    return views


def _company_of(actor: Principal, company_id: int | None) -> int:
    company = actor.company_id if company_id is None else company_id
    if not actor.sees_company(company):
        raise NotFound(
            "company %(company)s not found", code="company_not_found", params={"company": company}
        )
    return company


def list_chains(
    uow: UnitOfWork, actor: Principal, *, company_id: int | None = None, history: bool = False
) -> list[ChainView]:
    """The company's active chains (``history``: every version, newest first)."""
    if not actor.can(MANAGE):
        require(actor, "origination.view")
    company = _company_of(actor, company_id)
    stmt = select(ApprovalChain).where(ApprovalChain.company_id == company)
    if not history:
        stmt = stmt.where(ApprovalChain.status == "active")
    rows = uow.session.scalars(stmt.order_by(ApprovalChain.code, ApprovalChain.version.desc()))
    return _views(uow, rows.all())


def _parse_step(raw: dict[str, Any], index: int, currency: str) -> StepSpec:
    where = f"steps.{index}"
    try:
        location = Location(str(raw.get("location") or "branch"))
    except ValueError:
        raise ValidationFailed(
            "branch, parent, head_office or group", field=f"{where}.location"
        ) from None
    members = tuple(int(m) for m in raw.get("members") or ())
    try:
        quorum = int(raw.get("quorum") or 1)
        size = int(raw.get("committee_size") or len(members) or quorum)
        sla_hours = int(raw.get("sla_hours") or 24)
    except (TypeError, ValueError):
        raise ValidationFailed("whole numbers", field=where) from None
    return StepSpec(
        position=index + 1,
        level_name=str(raw.get("level_name") or "").strip()[:100],
        role_code=str(raw.get("role") or "").strip(),
        location=location,
        final_up_to_minor=_minor(raw.get("final_up_to"), currency, field=f"{where}.final_up_to"),
        risk_review=bool(raw.get("risk_review")),
        sla_hours=sla_hours,
        quorum=quorum,
        committee_size=size,
        members=members,
        veto=bool(raw.get("veto")),
    )


def _check_people(uow: UnitOfWork, company_id: int, steps: Sequence[StepSpec]) -> None:
    """Every role exists; every named member is a user of the group who holds the step's role."""
    try:
        roles_by_code(uow, company_id=company_id, codes=[step.role_code for step in steps])
    except ValidationFailed as error:
        raise ValidationFailed(error.template, field="steps.role", params=error.params) from None
    group = orgs.group_company_ids(uow, company_id=company_id)
    for index, step in enumerate(steps):
        if not step.members:
            continue
        known = set(
            uow.session.scalars(
                select(User.id).where(
                    User.id.in_(step.members), User.company_id.in_(sorted(group)), User.active
                )
            )
        )
        held = role_codes_of(uow, step.members)
        if any(m not in known or step.role_code not in held[m] for m in step.members):
            raise ValidationFailed(
                "every member must be an active user holding role %(role_code)s",
                field=f"steps.{index}.members",
                params={"role_code": step.role_code},
            )


@command(MANAGE, entity_type="approval_chain", summary=lambda p: f"approval chain {p['code']}")
def _save(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = _company_of(actor, payload.get("company_id"))
    currency = _currency(uow, company)
    code = str(payload["code"]).strip().lower()
    if not code or len(code) > 30 or not code.replace("_", "").replace("-", "").isalnum():
        raise ValidationFailed("1 to 30 letters, digits, '-' or '_'", field="code")
    steps = [_parse_step(raw, i, currency) for i, raw in enumerate(payload.get("steps") or [])]
    model.check_steps(steps)
    _check_people(uow, company, steps)
    office_id = payload.get("office_id")
    if office_id is not None and orgs.find_office(uow, office_id=office_id).company_id != company:
        raise ValidationFailed("an office of the company", field="office_id")
    low = _minor(payload.get("min_amount"), currency, field="min_amount")
    high = _minor(payload.get("max_amount"), currency, field="max_amount")
    if low is not None and high is not None and low > high:
        raise ValidationFailed("the band's minimum is above its maximum", field="max_amount")
    row = _insert(
        uow,
        company_id=company,
        code=code,
        name=str(payload.get("name") or code).strip()[:100],
        steps=steps,
        created_by=actor.user_id,
        now=now,
        product_code=payload.get("product_code"),
        office_id=office_id,
        min_amount_minor=low,
        max_amount_minor=high,
    )
    view = _views(uow, [row])[0]
    return Done(entity_id=row.id, value=view, change={"code": code, "version": row.version})


def save_chain(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    name: str,
    steps: list[dict[str, Any]],
    now: datetime,
    product_code: str | None = None,
    office_id: int | None = None,
    min_amount: str | None = None,
    max_amount: str | None = None,
    company_id: int | None = None,
) -> ChainView | Pending:
    """Save a chain: version 1 of a new code, or the next version of an existing one (the last
    version is superseded; approvals under way keep their steps). Each step is a dict of
    level_name, role, location (branch | parent | head_office | group), final_up_to (decimal
    string, the largest amount the step approves on its own; none on the last step), risk_review,
    quorum, committee_size, members (user ids), veto, sla_hours."""
    payload = {
        "code": code,
        "name": name,
        "steps": steps,
        "product_code": product_code or None,
        "office_id": office_id,
        "min_amount": min_amount,
        "max_amount": max_amount,
        "company_id": company_id,
    }
    return value_or_pending(run_command(uow, actor, MANAGE, payload, now=now), ChainView)


@command(
    "origination.chains.retire",
    permission=MANAGE,
    entity_type="approval_chain",
    summary=lambda p: f"retire approval chain {p['code']}",
)
def _retire(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    company = _company_of(actor, payload.get("company_id"))
    row = uow.session.scalars(
        select(ApprovalChain).where(
            ApprovalChain.company_id == company,
            ApprovalChain.code == payload["code"],
            ApprovalChain.status == "active",
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            "no active approval chain %(code)s",
            code="approval_chain_not_found",
            params={"code": payload["code"]},
        )
    row.status = "retired"
    uow.session.flush()
    return Done(entity_id=row.id, value=_views(uow, [row])[0], change={"code": row.code})


def retire_chain(
    uow: UnitOfWork, actor: Principal, *, code: str, now: datetime, company_id: int | None = None
) -> ChainView | Pending:
    """Retire a chain: no new application goes through it (approvals under way finish)."""
    payload = {"code": code, "company_id": company_id}
    outcome = run_command(uow, actor, "origination.chains.retire", payload, now=now)
    return value_or_pending(outcome, ChainView)

"""Taking an application: create, edit (while a draft), submit and withdraw (``origination.apply``),
and the queries that read applications through the actor's data scope.

At creation and at submission the applicant is checked by customers (blacklist, watch list,
ownership): a customer another officer holds cannot be applied for (the holder is named), and a
blacklisted applicant cannot submit. The request must fit the product version (ranges, method,
customer kind) and its quote must stay under the product's APR cap.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from microlend.customers import service as customers
from microlend.customers.tables import CustomerDocument
from microlend.db.commands import Done, Payload, Pending, command, run_command, value_or_pending
from microlend.db.pagination import Page, page_of, paginate
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import Conflict, RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.origination import model
from microlend.origination.records import (
    application_view,
    application_views,
    business_date_of,
    from_minor,
    move,
    next_number,
    record_created,
    to_minor,
)
from microlend.origination.tables import Application, ApplicationParty, Collateral
from microlend.origination.views import ApplicationView
from microlend.products import pricing
from microlend.products import service as products
from microlend.products.model import RequestProblem, check_request
from microlend.products.views import ProductVersionView

MAX_PURPOSE = 1000


def checked_rate(raw: Any, *, field: str = "annual_rate") -> Decimal:
    try:
        rate = Decimal(str(raw)) if not isinstance(raw, float | bool) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0:
        raise ValidationFailed("an annual rate in percent, such as 12.5", field=field)
    return rate


def checked_term(raw: Any, *, field: str = "term_count") -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValidationFailed("a whole number of installments", field=field)
    try:
        term = int(raw)
    except ValueError:
        term = 0
    if term < 1:
        raise ValidationFailed("a whole number of installments, 1 or more", field=field)
    return term


def _purpose(raw: Any) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValidationFailed("say what the loan is for", field="purpose")
    if len(text) > MAX_PURPOSE:
        raise ValidationFailed(
            "at most %(max_purpose)s characters",
            field="purpose",
            params={"max_purpose": MAX_PURPOSE},
        )
    return text


def _problem_member(problem: model.SubmissionProblem | RequestProblem) -> dict[str, Any]:
    """A problem as the refusal lists it: its English ``message``, and for a UI that shows it
    translated the ``template`` and ``params`` it was filled from."""
    return {
        "code": problem.code,
        "field": problem.field,
        "message": problem.message,
        "template": problem.template,
        "params": {name: str(value) for name, value in problem.params.items()},
    }


def fit_to_product(
    version: ProductVersionView,
    *,
    customer_kind: str,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: str,
    disbursement_date: Any,
) -> pricing.Quote:
    """The quote of a request that fits the product; else a ``RuleViolation`` naming the first
    problem's field and listing every problem (or the APR cap's refusal)."""
    problems = check_request(
        version.terms,
        customer_kind=customer_kind,
        amount=amount,
        term_count=term_count,
        annual_rate=annual_rate,
        method=method,
    )
    if problems:
        first = problems[0]
        raise RuleViolation(
            first.template,
            code=first.code,
            field=first.field,
            extra={"problems": [_problem_member(p) for p in problems]},
            params=first.params,
        )
    return pricing.quote(
        version.terms,
        amount=amount,
        term_count=term_count,
        annual_rate=annual_rate,
        method=method,
        disbursement_date=disbursement_date,
    )


def _applicant(uow: UnitOfWork, actor: Principal, customer_id: int, *, now: datetime) -> Any:
    """The customer, checked: held by another officer is a ``Conflict`` naming the holder."""
    customer = customers.get_customer(uow, actor, customer_id=customer_id)
    check = customers.check_applicant(uow, actor, customer_id=customer_id, now=now)
    if check.held_by_other:
        raise Conflict(
            "customer held by %(held_by_other)s",
            code="customer_held_by_other",
            field="customer_id",
            extra={"holder": check.held_by_other, "collision_id": check.collision_id},
            params={"held_by_other": check.held_by_other},
        )
    return customer, check


def _request(
    uow: UnitOfWork, actor: Principal, payload: Payload, *, customer_kind: str, company_id: int
) -> tuple[ProductVersionView, dict[str, Any]]:
    version = products.get_version(uow, actor, version_id=int(payload["product_version_id"]))
    if version.status != "active":
        raise RuleViolation(
            "the product is retired", code="product_retired", field="product_version_id"
        )
    currency = version.terms.currency
    amount_minor = to_minor(payload["amount"], currency, field="amount")
    term_count = checked_term(payload["term_count"])
    annual_rate = checked_rate(payload["annual_rate"])
    method = str(payload["method"])
    fields: dict[str, Any] = {
        "product_version_id": version.id,
        "currency": currency,
        "amount_minor": amount_minor,
        "term_count": term_count,
        "annual_rate": annual_rate,
        "method": method,
        "purpose": _purpose(payload.get("purpose")),
    }
    fit_to_product(
        version,
        customer_kind=customer_kind,
        amount=from_minor(amount_minor, currency),
        term_count=term_count,
        annual_rate=annual_rate,
        method=method,
        disbursement_date=business_date_of(uow, company_id),
    )
    return version, fields


@command(
    "origination.apply",
    entity_type="application",
    summary=lambda p: f"application for customer {p['customer_id']}",
)
def _create(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    customer, _check = _applicant(uow, actor, int(payload["customer_id"]), now=now)
    _version, fields = _request(
        uow, actor, payload, customer_kind=customer.kind, company_id=customer.company_id
    )
    year = business_date_of(uow, actor.company_id).year
    sequence = next_number(uow, company_id=actor.company_id, kind="application", year=year)
    row = Application(
        company_id=actor.company_id,
        office_id=actor.office_id,
        owner_id=actor.user_id,
        customer_id=customer.id,
        number=model.formatted_number(model.APPLICATION_PREFIX, year, sequence),
        status=model.Status.DRAFT.value,
        approved_amount_minor=None,
        approved_term_count=None,
        approved_annual_rate=None,
        created_at=now,
        updated_at=now,
        **fields,
    )
    uow.session.add(row)
    uow.session.flush()
    record_created(uow, row, actor_id=actor.user_id, now=now)
    return Done(
        entity_id=row.id,
        value=application_view(uow, row),
        change={"id": row.id, "number": row.number},
    )


def create_application(
    uow: UnitOfWork,
    actor: Principal,
    *,
    customer_id: int,
    product_version_id: int,
    amount: Decimal | str,
    term_count: int,
    annual_rate: Decimal | str,
    method: str,
    purpose: str,
    now: datetime,
) -> ApplicationView | Pending:
    """A draft application of the customer for a product version (``origination.apply``)."""
    asked = (product_version_id, amount, term_count, annual_rate, method, purpose)
    payload = {"customer_id": customer_id, **_request_payload(*asked)}
    outcome = run_command(uow, actor, "origination.apply", payload, now=now)
    return value_or_pending(outcome, ApplicationView)


def _request_payload(
    version: int, amount: Decimal | str, terms: int, rate: Decimal | str, method: str, purpose: str
) -> Payload:
    """The request's fields in a command payload (the amount and the rate as text)."""
    return {"product_version_id": version, "amount": str(amount), "term_count": terms,
            "annual_rate": str(rate), "method": method, "purpose": purpose}  # fmt: skip


def locked(uow: UnitOfWork, actor: Principal, application_id: int) -> Application:
    """The application, in the actor's scope, locked for the command."""
    return get_scoped(uow.session, actor, Application, application_id, for_update=True)


@command(
    "origination.edit",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"edit application {p['application_id']}",
)
def _edit(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    model.require_status(row.status, model.EDITABLE, doing="edit")
    customer = customers.get_customer(uow, actor, customer_id=row.customer_id)
    _version, fields = _request(
        uow, actor, payload, customer_kind=customer.kind, company_id=row.company_id
    )
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = now
    uow.session.flush()
    return Done(entity_id=row.id, value=application_view(uow, row), change={"id": row.id})


def update_application(
    uow: UnitOfWork,
    actor: Principal,
    *,
    application_id: int,
    product_version_id: int,
    amount: Decimal | str,
    term_count: int,
    annual_rate: Decimal | str,
    method: str,
    purpose: str,
    now: datetime,
) -> ApplicationView | Pending:
    """Change the request of a draft (``origination.apply``)."""
    asked = (product_version_id, amount, term_count, annual_rate, method, purpose)
    payload = {"application_id": application_id, **_request_payload(*asked)}
    outcome = run_command(uow, actor, "origination.edit", payload, now=now)
    return value_or_pending(outcome, ApplicationView)


def _documents_on_file(uow: UnitOfWork, customer_id: int) -> frozenset[str]:
    rows = uow.session.scalars(
        select(CustomerDocument.doc_type).where(CustomerDocument.customer_id == customer_id)
    )
    return frozenset(rows)


def _count(uow: UnitOfWork, entity: Any, application_id: int, **where: Any) -> int:
    stmt = select(func.count()).select_from(entity).where(entity.application_id == application_id)
    for name, value in where.items():
        stmt = stmt.where(getattr(entity, name) == value)
    return int(uow.session.scalar(stmt) or 0)


@command(
    "origination.submit",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"submit application {p['application_id']}",
)
def _submit(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    model.next_status(row.status, model.Action.SUBMIT)  # refuse early, naming the status
    customer, check = _applicant(uow, actor, row.customer_id, now=now)
    version = products.get_version(uow, actor, version_id=row.product_version_id)
    terms = version.terms
    fit_to_product(
        version,
        customer_kind=customer.kind,
        amount=from_minor(row.amount_minor, row.currency),
        term_count=row.term_count,
        annual_rate=row.annual_rate,
        method=row.method,
        disbursement_date=business_date_of(uow, row.company_id),
    )
    facts = model.SubmissionFacts(
        guarantors=_count(uow, ApplicationParty, row.id, role="guarantor"),
        guarantors_required=terms.guarantors_required,
        collateral_count=_count(uow, Collateral, row.id),
        collateral_required=terms.collateral_required,
        documents_on_file=_documents_on_file(uow, row.customer_id),
        documents_required=tuple(terms.required_documents),
        applicant_blacklisted=check.blacklisted,
    )
    problems = model.submission_problems(facts)
    if problems:
        first = problems[0]
        raise RuleViolation(
            first.template,
            code=first.code,
            field=first.field,
            extra={"problems": [_problem_member(p) for p in problems]},
            params=first.params,
        )
    note = "; ".join(check.list_reasons) if check.watchlisted else ""
    move(uow, row, model.Action.SUBMIT, actor_id=actor.user_id, now=now, note=note)
    return Done(entity_id=row.id, value=application_view(uow, row), change={"status": row.status})


def submit_application(
    uow: UnitOfWork, actor: Principal, *, application_id: int, now: datetime
) -> ApplicationView | Pending:
    """Submit a draft that meets the product's requirements (``origination.apply``)."""
    outcome = run_command(
        uow, actor, "origination.submit", {"application_id": application_id}, now=now
    )
    return value_or_pending(outcome, ApplicationView)


@command(
    "origination.withdraw",
    permission="origination.apply",
    entity_type="application",
    summary=lambda p: f"withdraw application {p['application_id']}",
)
def _withdraw(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    row = locked(uow, actor, int(payload["application_id"]))
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed("say why the application is withdrawn", field="reason")
    move(uow, row, model.Action.WITHDRAW, actor_id=actor.user_id, now=now, note=reason)
    return Done(entity_id=row.id, value=application_view(uow, row), change={"status": row.status})


def withdraw_application(
    uow: UnitOfWork, actor: Principal, *, application_id: int, reason: str, now: datetime
) -> ApplicationView | Pending:
    """Withdraw an open application, with the reason (``origination.apply``)."""
    outcome = run_command(
        uow,
        actor,
        "origination.withdraw",
        {"application_id": application_id, "reason": reason},
        now=now,
    )
    return value_or_pending(outcome, ApplicationView)


def get_application(uow: UnitOfWork, actor: Principal, *, application_id: int) -> ApplicationView:
    require(actor, "origination.view")
    return application_view(uow, get_scoped(uow.session, actor, Application, application_id))


def list_applications(
    uow: UnitOfWork,
    actor: Principal,
    *,
    status: str | None = None,
    customer_id: int | None = None,
    owner_id: int | None = None,
    office_id: int | None = None,
    number: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ApplicationView]:
    """Applications in the actor's scope, newest first, filtered."""
    require(actor, "origination.view")
    stmt = apply_scope(select(Application), actor, Application)
    if status:
        stmt = stmt.where(Application.status == model.status_of(status).value)
    filters = {
        "customer_id": customer_id,
        "owner_id": owner_id,
        "office_id": office_id,
        "number": number.strip() if number else None,
    }
    for name, value in filters.items():
        if value:
            stmt = stmt.where(getattr(Application, name) == value)
    stmt = paginate(stmt, Application.id, cursor=cursor, limit=limit, newest_first=True)
    page = page_of(list(uow.session.scalars(stmt)), limit=limit, id_of=lambda r: r.id)
    return Page(items=application_views(uow, page.items), next_cursor=page.next_cursor)

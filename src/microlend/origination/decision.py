"""The automated decision of an application: gather every input through the other contexts'
services, evaluate the company's rules, limits and scorecard (``decision_evaluation``), store a
decision record, and replay a stored record to show it gives the same result.

``decide`` runs inside the caller's command (completing the investigation): it checks no
permission of its own, but reads the application, the customer and the product as the actor,
within the actor's scope. Each call stores a new record; the latest one is the current decision.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.customers import file360
from microlend.customers import service as customers
from microlend.customers.views import CustomerFile, FinancialView
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, Forbidden, NotFound
from microlend.kernel.money import Money
from microlend.kernel.principal import Principal
from microlend.loans.calculator.schedule import build_schedule
from microlend.orgs import service as orgs
from microlend.origination import limits, rules, scorecards
from microlend.origination.decision_evaluation import Evaluation, Pricing, evaluate
from microlend.origination.decision_model import (
    CharacteristicPoints,
    DecisionView,
    Facts,
    LimitCheck,
    RuleHit,
    age_on,
    debt_to_income,
)
from microlend.origination.limits_model import Exposures, LimitSettings, parse_limit_settings
from microlend.origination.rules_model import parse_rules
from microlend.origination.scorecards_model import parse_scorecard
from microlend.origination.tables import Application, ApplicationParty
from microlend.origination.tables_decisions import DecisionRecord
from microlend.products import pricing
from microlend.products import service as products
from microlend.products.model import loan_terms
from microlend.products.views import ProductVersionView

READERS = ("origination.view", "risk.view")


def _require_reader(actor: Principal) -> None:
    if not any(actor.can(code) for code in READERS):
        raise Forbidden(
            "%(username)s lacks permission origination.view",
            code="permission_denied",
            extra={"permission": "origination.view"},
            params={"username": actor.username},
        )


def business_date(uow: UnitOfWork, company_id: int) -> date:
    return orgs.list_companies_by_id(uow, company_ids=[company_id])[0].business_date


def _installment(version: ProductVersionView, app: Application, amount: Decimal,
                 on: date) -> Decimal | None:  # fmt: skip
    """The first installment of the loan asked for (the quote's; when the request does not fit
    the product, the schedule of the same terms; ``None`` when neither can be built)."""
    request: dict[str, Any] = {"amount": amount, "term_count": app.term_count,
                               "annual_rate": app.annual_rate, "method": app.method}  # fmt: skip
    try:
        return pricing.quote(version.terms, disbursement_date=on, **request).first_installment
    except (DomainError, ValueError):
        pass
    try:
        schedule = build_schedule(loan_terms(version.terms, disbursement_date=on, **request))
    except (DomainError, ValueError):
        return None
    return schedule.installments[0].total


def _latest_financials(card: CustomerFile) -> FinancialView | None:
    return card.financials[0] if card.financials else None


def _monthly_income(card: CustomerFile, financials: FinancialView | None) -> Decimal | None:
    if financials is not None and financials.monthly_income is not None:
        return financials.monthly_income
    if card.customer.monthly_income is not None:
        return card.customer.monthly_income
    if financials is not None and financials.revenue is not None and len(financials.period) == 4:
        return (financials.revenue / 12).quantize(Decimal("0.01"))
    return None


def _parties(uow: UnitOfWork, application_id: int) -> list[tuple[str, int]]:
    stmt = select(ApplicationParty.role, ApplicationParty.customer_id).where(
        ApplicationParty.application_id == application_id
    )
    rows = uow.session.execute(stmt.order_by(ApplicationParty.id)).all()
    return [(role, customer_id) for role, customer_id in rows]


def gather(uow: UnitOfWork, actor: Principal, app: Application, *, now: datetime
           ) -> tuple[Facts, Exposures, Pricing, dict[str, Any], ProductVersionView]:  # fmt: skip
    """Every input of the decision, through the customers, products and accounting services."""
    today = business_date(uow, app.company_id)
    version = products.get_version(uow, actor, version_id=app.product_version_id)
    card = file360.customer_file(uow, actor, customer_id=app.customer_id, as_of=today)
    customer = card.customer
    parties = _parties(uow, app.id)
    group = {member.id for member in card.group}
    others = (group | {customer_id for _, customer_id in parties}) - {customer.id}
    behaviour = customers.repayment_behaviour(uow, frozenset(others | {customer.id}))
    borrowers = {customer.id} | {cid for role, cid in parties if role == "co_borrower"}
    amount = Money.from_minor(app.amount_minor, app.currency).amount
    financials = _latest_financials(card)
    installment = _installment(version, app, amount, today)
    income = _monthly_income(card, financials)
    existing = (financials.monthly_debt_payments if financials else None) or Decimal(0)
    settings = limits.limit_settings_of(uow, app.company_id)
    terms = version.terms
    facts = Facts(
        customer_kind=customer.kind,
        amount=amount,
        age=age_on(customer.birth_date, today) if customer.birth_date else None,
        education=customer.education,
        marital_status=customer.marital_status,
        monthly_income=income,
        dti=None if installment is None else debt_to_income(
            existing_payments=existing, new_installment=installment, monthly_income=income),
        years_in_business=age_on(customer.founded_on, today) if customer.founded_on else None,
        industry_code=customer.industry_code,
        debt_ratio=financials.debt_ratio if financials else None,
        own_exposure=card.own_exposure,
        group_exposure=card.group_exposure,
        blacklisted=any(w.list_kind == "black" and w.active for w in card.warnings),
        watchlisted=any(w.list_kind == "watch" and w.active for w in card.warnings),
        related_party_in_default=any(behaviour[o].in_default for o in others if o in behaviour),
        max_dpd=max((behaviour[b].max_dpd for b in borrowers if b in behaviour), default=0),
        product_max_amount=terms.max_amount,
        office_max_amount=settings.office_max_amounts.get(app.office_id),
        eligible_kinds=tuple(terms.customer_kinds),
    )  # fmt: skip
    product_exposure, office_exposure = limits.portfolio_exposure(
        uow, app.company_id, product_id=version.product_id, office_id=app.office_id)  # fmt: skip
    exposures = Exposures(
        net_assets=limits.net_assets(uow, app.company_id, as_of=today, currency=app.currency),
        own=card.own_exposure, group=card.group_exposure, requested=amount,
        office_id=app.office_id, office=office_exposure, product_id=version.product_id,
        product=product_exposure,
    )  # fmt: skip
    prices = Pricing(terms.min_rate, terms.max_rate, app.annual_rate, dict(terms.grade_rates))
    sources = {"business_date": today.isoformat(), "customer_id": customer.id,
               "parties": [[role, cid] for role, cid in parties], "group": sorted(group),
               "product_version_id": version.id, "installment": None if installment is None
               else str(installment), "existing_debt_payments": str(existing),
               "financials_period": financials.period if financials else None}  # fmt: skip
    return facts, exposures, prices, {"sources": sources, "limits": settings.to_document()}, version


def _stored(evaluation: Evaluation) -> dict[str, Any]:
    return {"outcome": evaluation.outcome.value, "score": evaluation.scored.score,
            "grade": evaluation.scored.grade, "suggested_rate": evaluation.suggested_rate,
            "hits": [hit.to_document() for hit in evaluation.hits],
            "points": [p.to_document() for p in evaluation.scored.points],
            "limit_checks": [c.to_document() for c in evaluation.checks]}  # fmt: skip


def decide(uow: UnitOfWork, actor: Principal, *, application_id: int, now: datetime
           ) -> DecisionView:  # fmt: skip
    """Evaluate the application now and store the decision record (see the module)."""
    app = get_scoped(uow.session, actor, Application, application_id)
    facts, exposures, prices, extra, _version = gather(uow, actor, app, now=now)
    rule_set = rules.rule_set_in_force(uow, app.company_id, now=now)
    card_row = scorecards.scorecard_in_force(uow, app.company_id, facts.customer_kind, now=now)
    settings = parse_limit_settings(extra["limits"])
    evaluation = evaluate(rules=parse_rules(rule_set.rules),
                          scorecard=parse_scorecard(card_row.definition), limits=settings,
                          facts=facts, exposures=exposures, pricing=prices)  # fmt: skip
    inputs = {"facts": facts.to_document(), "exposures": exposures.to_document(),
              "pricing": prices.to_document(), **extra}  # fmt: skip
    row = DecisionRecord(company_id=app.company_id, office_id=app.office_id,
                         owner_id=app.owner_id, application_id=app.id,
                         customer_id=app.customer_id, rule_set_id=rule_set.id,
                         scorecard_id=card_row.id, inputs=inputs, decided_by=actor.user_id,
                         decided_at=now, **_stored(evaluation))  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    return decision_view(uow, row)


def decision_view(uow: UnitOfWork, row: DecisionRecord, *, matches: bool | None = None
                  ) -> DecisionView:  # fmt: skip
    rule_set = rules.rule_set_by_id(uow, row.rule_set_id)
    card = scorecards.scorecard_by_id(uow, row.scorecard_id)
    return DecisionView(
        id=row.id, application_id=row.application_id, outcome=row.outcome,
        reasons=tuple(RuleHit.from_document(hit) for hit in row.hits), score=row.score,
        grade=row.grade, suggested_rate=row.suggested_rate,
        limit_checks=tuple(LimitCheck.from_document(c) for c in row.limit_checks),
        inputs=row.inputs, decided_at=row.decided_at,
        points=tuple(CharacteristicPoints.from_document(p) for p in row.points),
        base_points=int(card.definition.get("base_points", 0)),
        rule_set_version=rule_set.version, scorecard_version=card.version,
        scorecard_name=card.name, decided_by=row.decided_by, matches=matches,
    )  # fmt: skip


def latest_decision(uow: UnitOfWork, actor: Principal, *, application_id: int
                    ) -> DecisionView | None:  # fmt: skip
    """The application's current decision (its latest record), or None before the first."""
    _require_reader(actor)
    app = get_scoped(uow.session, actor, Application, application_id)
    row = uow.session.scalars(select(DecisionRecord).where(
        DecisionRecord.application_id == app.id).order_by(DecisionRecord.id.desc()).limit(1)
    ).first()  # fmt: skip
    return None if row is None else decision_view(uow, row)


def list_decisions(uow: UnitOfWork, actor: Principal, *, application_id: int
                   ) -> list[DecisionView]:  # fmt: skip
    """Every decision of the application, newest (the current one) first."""
    _require_reader(actor)
    app = get_scoped(uow.session, actor, Application, application_id)
    rows = uow.session.scalars(select(DecisionRecord).where(
        DecisionRecord.application_id == app.id).order_by(DecisionRecord.id.desc()).limit(100)
    ).all()  # fmt: skip
    return [decision_view(uow, row) for row in rows]


def _record(uow: UnitOfWork, actor: Principal, decision_id: int) -> DecisionRecord:
    row = uow.session.get(DecisionRecord, decision_id)
    if row is None:
        raise NotFound(
            "decision %(decision_id)s not found",
            code="decision_not_found",
            params={"decision_id": decision_id},
        )
    get_scoped(uow.session, actor, Application, row.application_id)  # in the actor's scope?
    return row


def get_decision(uow: UnitOfWork, actor: Principal, *, decision_id: int) -> DecisionView:
    _require_reader(actor)
    return decision_view(uow, _record(uow, actor, decision_id))


def replay_decision(uow: UnitOfWork, actor: Principal, *, decision_id: int) -> DecisionView:
    """Evaluate a stored decision's inputs again with the rule-set, scorecard and limit settings
    it used; the view is the replayed result, with ``matches`` telling whether it equals the
    stored one (outcome, every hit, every point, every limit check, score, grade and rate)."""
    _require_reader(actor)
    row = _record(uow, actor, decision_id)
    inputs = row.inputs
    rule_set = rules.rule_set_by_id(uow, row.rule_set_id)
    card = scorecards.scorecard_by_id(uow, row.scorecard_id)
    settings: LimitSettings = parse_limit_settings(inputs["limits"])
    evaluation = evaluate(rules=parse_rules(rule_set.rules),
                          scorecard=parse_scorecard(card.definition), limits=settings,
                          facts=Facts.from_document(inputs["facts"]),
                          exposures=Exposures.from_document(inputs["exposures"]),
                          pricing=Pricing.from_document(inputs["pricing"]))  # fmt: skip
    replayed = _stored(evaluation)
    original = {"outcome": row.outcome, "score": row.score, "grade": row.grade,
                "suggested_rate": row.suggested_rate, "hits": row.hits, "points": row.points,
                "limit_checks": row.limit_checks}  # fmt: skip
    again = DecisionRecord(id=row.id, application_id=row.application_id,
                           rule_set_id=row.rule_set_id, scorecard_id=row.scorecard_id,
                           inputs=inputs, decided_by=row.decided_by, decided_at=row.decided_at,
                           **replayed)  # fmt: skip
    view = decision_view(uow, again, matches=replayed == original)
    return view


def customer_decisions(uow: UnitOfWork, actor: Principal, *, customer_id: int,
                       limit: int = 50) -> list[tuple[DecisionRecord, str]]:  # fmt: skip
    """The customer's decisions the actor may see, newest first, with the application number."""
    stmt = (select(DecisionRecord, Application.number)
            .join(Application, Application.id == DecisionRecord.application_id)
            .where(DecisionRecord.customer_id == customer_id)
            .order_by(DecisionRecord.id.desc()).limit(limit))  # fmt: skip
    scoped: Any = apply_scope(stmt, actor, Application)  # type: ignore[type-var]
    rows = uow.session.execute(scoped).all()
    return [(record, number) for record, number in rows]

"""A loan's five-category classification (五级分类) as close of business last set it, and its
manual adjustment (人工调整) and review.

Close of business classifies every open loan from its days past due (``risk.model``). Where the
borrower's condition says more than the arrears (a business failing, a lawsuit, fraud found),
the risk officer adjusts the category, saying why (``adjust_classification``): worse than the
rules, or as they do, never better (their categories are floors, ``risk.model``). The adjustment
waits for a checker by default (``checked_by_default``: another user holding
``makerchecker.approve`` and ``risk.classification.override``, such as the manager) and then
holds until it is reviewed: close of business keeps it as the category while it is worse than
the rules' (a loan whose arrears grow past it takes the rules' category), the computed one
beside it. ``restore_classification`` gives the loan back what the rules give; adjusting again
replaces the adjustment. The category changes at once; the allowance follows it at the next
close of business, which posts the change of provision. Every adjustment and review is kept
with its reason, its maker and the business date (``loan_classification_adjustments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from microlend.auth.tables import User
from microlend.db.commands import Done, Payload, Pending, value_or_pending
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, require_serviceable
from microlend.loans.adjustments import loan_request, submit_request
from microlend.loans.queries import RISK_CATEGORIES, risk_category
from microlend.loans.records import money
from microlend.loans.tables_close import LoanClassificationAdjustment, LoanRisk

ADJUST = "loans.classification.adjust"
RESTORE = "loans.classification.restore"
PERMISSION = "risk.classification.override"
VIEW = "loans.view"
MAX_REASON = 1000


@dataclass(frozen=True)
class AdjustmentView:
    """A manual adjustment (``action`` adjust) or its review (restore)."""

    action: str
    category_before: str
    category_after: str
    computed_category: str
    reason: str
    made_by: str
    business_date: date
    made_at: datetime


@dataclass(frozen=True)
class ClassificationView:
    """A loan's classification (``queries.RISK_CATEGORIES``), its impairment stage and allowance
    (减值准备), as of the business date close of business last classified it; ``computed`` is
    what the rules gave, ``adjusted`` the adjustment in force (None: the rules' category
    applies); ``adjustments`` all of them and their reviews, newest first."""

    as_of: date
    category: str
    computed: str
    stage: int
    allowance: Decimal
    adjusted: AdjustmentView | None
    adjustments: tuple[AdjustmentView, ...]


def classification(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> ClassificationView | None:
    """The loan's classification (None before its first close of business)."""
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    risk = uow.session.get(LoanRisk, loan.id)
    if risk is None:
        return None
    return _view(uow, loan, risk)


def _view(uow: UnitOfWork, loan: tables.Loan, risk: LoanRisk) -> ClassificationView:
    A = LoanClassificationAdjustment
    rows = uow.session.execute(
        select(A, User.display_name)
        .outerjoin(User, User.id == A.made_by_id)
        .where(A.loan_id == loan.id)
        .order_by(A.id.desc())
    ).all()
    made = [
        AdjustmentView(
            row.action,
            row.category_before,
            row.category_after,
            row.computed_category,
            row.reason,
            name or "",
            row.business_date,
            row.made_at,
        )
        for row, name in rows
    ]
    # the adjustment in force is the latest, which made the override the row holds
    in_force = risk.override_category is not None and bool(made) and made[0].action == "adjust"
    return ClassificationView(
        as_of=risk.as_of,
        category=risk.category,
        computed=risk.computed_category,
        stage=risk.stage,
        allowance=money(risk.allowance_minor, loan.currency),
        adjusted=made[0] if in_force else None,
        adjustments=tuple(made),
    )


def _reason(payload: Payload) -> str:
    reason = str(payload.get("reason") or "").strip()
    if not 0 < len(reason) <= MAX_REASON:
        raise ValidationFailed(
            "say why, in 1 to %(max_chars)s characters",
            field="reason",
            params={"max_chars": MAX_REASON},
        )
    return reason


def _risk_of(uow: UnitOfWork, loan: tables.Loan, *, lock: bool) -> LoanRisk:
    """The loan's risk row (locked, with ``lock``); refused before its first classification."""
    risk = uow.session.get(LoanRisk, loan.id, with_for_update=lock)
    if risk is None:
        raise RuleViolation(
            "loan %(number)s is not classified yet: its first close of business classifies it",
            code="not_classified",
            params={"number": loan.number},
        )
    return risk


def _adjustment(
    uow: UnitOfWork, payload: Payload, loan: tables.Loan, *, lock: bool = False
) -> tuple[str, str, LoanRisk]:
    """The category and reason of an adjustment of ``loan``, with its risk row. The rules'
    categories are floors (至少归为, ``risk.model``): an adjustment may classify the loan worse
    than they do (or as they do, to hold it there), never better."""
    category, reason = risk_category(str(payload.get("category") or "")), _reason(payload)
    risk = _risk_of(uow, loan, lock=lock)
    if RISK_CATEGORIES.index(category) < RISK_CATEGORIES.index(risk.computed_category):
        raise RuleViolation(
            "the rules classify loan %(number)s worse than that: an adjustment may only "
            "classify a loan worse",
            code="better_than_rules",
            params={"number": loan.number},
        )
    return category, reason, risk


def _review(
    uow: UnitOfWork, payload: Payload, loan: tables.Loan, *, lock: bool = False
) -> tuple[str, LoanRisk]:
    """The reason of a review of ``loan``'s adjustment, with its risk row (which must hold
    one)."""
    reason = _reason(payload)
    risk = _risk_of(uow, loan, lock=lock)
    if risk.override_category is None:
        raise RuleViolation(
            "the classification of loan %(number)s is not adjusted",
            code="not_adjusted",
            params={"number": loan.number},
        )
    return reason, risk


@loan_request(
    ADJUST, lambda p: f"classify loan {p['loan_id']} as {p['category']}", permission=PERMISSION
)
def _adjust(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = get_scoped(uow.session, actor, tables.Loan, int(payload["loan_id"]))
    require_serviceable(loan)
    category, reason, risk = _adjustment(uow, payload, loan, lock=True)
    return _set(uow, actor, loan, risk, category=category, reason=reason, now=now)


@loan_request(
    RESTORE, lambda p: f"restore the classification of loan {p['loan_id']}", permission=PERMISSION
)
def _restore(uow: UnitOfWork, actor: Principal, payload: Payload, *, now: datetime) -> Done:
    loan = get_scoped(uow.session, actor, tables.Loan, int(payload["loan_id"]))
    require_serviceable(loan)
    reason, risk = _review(uow, payload, loan, lock=True)
    return _set(uow, actor, loan, risk, category=None, reason=reason, now=now)


def _set(
    uow: UnitOfWork,
    actor: Principal,
    loan: tables.Loan,
    risk: LoanRisk,
    *,
    category: str | None,
    reason: str,
    now: datetime,
) -> Done:
    """Put the loan at ``category`` until reviewed (None: back to the computed category)."""
    before = risk.category
    after = category or risk.computed_category
    risk.override_category = category
    risk.category = after
    action = "adjust" if category is not None else "restore"
    uow.session.add(
        LoanClassificationAdjustment(
            company_id=loan.company_id,
            office_id=loan.office_id,
            loan_id=loan.id,
            business_date=business_date(uow, loan.company_id),
            action=action,
            category_before=before,
            category_after=after,
            computed_category=risk.computed_category,
            reason=reason,
            made_by_id=actor.user_id,
            made_at=now,
        )
    )
    uow.session.flush()
    change = {action: {"from": before, "to": after}, "reason": reason}
    return Done(entity_id=loan.id, value=_view(uow, loan, risk), change=change)


def adjust_classification(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, category: str, reason: str, now: datetime
) -> ClassificationView | Pending:
    """Put the loan at ``category`` until the adjustment is reviewed (or a checker's request)."""
    payload = {"loan_id": loan_id, "category": category, "reason": reason}
    check = partial(_adjustment, uow, payload)
    outcome = submit_request(uow, actor, ADJUST, payload, check, now=now)
    return value_or_pending(outcome, ClassificationView)


def restore_classification(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, reason: str, now: datetime
) -> ClassificationView | Pending:
    """Review the adjustment in force: the loan takes the category the rules give again."""
    payload = {"loan_id": loan_id, "reason": reason}
    check = partial(_review, uow, payload)
    outcome = submit_request(uow, actor, RESTORE, payload, check, now=now)
    return value_or_pending(outcome, ClassificationView)

"""人工调整五级分类: a manual adjustment of a loan's classification holds through close of business
until it is reviewed, with a checker's approval, each step kept with its reason.

Worked by hand: 12,000.00 over 12 months, equal principal, disbursed 2025-01-15; installment 1
(1,000.00 + 120.00) falls due 2025-02-15 and is not paid. At the close of 2025-02-24 the loan is 9
days past due: 关注 (special mention) by the rules, stage 1, allowance 12,000.00 x 3 % = 360.00.
Adjusted to 次级 (substandard), the next close keeps it there although the rules still give 关注,
and provides 12,000.00 x 30 % = 3,600.00; restored, the next close provides 360.00 again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from microlend.db.tables import AuditRecord
from microlend.db.uow import SessionFactory
from microlend.eod.runner import run_close_of_business
from microlend.kernel.errors import Forbidden, RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans.classification import ADJUST, RESTORE, ClassificationView
from microlend.loans.tables_close import LoanRisk
from tests.integration.checker_support import approved
from tests.integration.loans_support import disbursed
from tests.seed import World


def _close(session_factory: SessionFactory, world: World, target: date) -> None:
    summary = run_close_of_business(
        session_factory,
        company_id=world.company_id,
        target_date=target,
        now=lambda: datetime.now(UTC),
    )
    assert summary.status == "done", summary


def _classified(world: World, loan_id: int) -> ClassificationView:
    with world.make_uow(read_only=True) as uow:
        found = loans.classification(uow, world.principal("finance"), loan_id=loan_id)
    assert found is not None
    return found


def _adjust(world: World, loan_id: int, category: str, reason: str) -> object:
    with world.make_uow() as uow:
        request = loans.adjust_classification(
            uow,
            world.principal("risk"),
            loan_id=loan_id,
            category=category,
            reason=reason,
            now=world.now,
        )
        uow.commit()
    return request


def test_an_adjustment_holds_through_close_of_business_until_it_is_reviewed(
    world: World, session_factory: SessionFactory
) -> None:
    loan = disbursed(world)
    _close(session_factory, world, date(2025, 2, 24))
    before = _classified(world, loan.id)
    assert (before.category, before.computed, before.stage) == ("special_mention",) * 2 + (1,)
    assert before.allowance == Decimal("360.00") and before.adjusted is None

    request = _adjust(world, loan.id, "substandard", "借款人经营停滞，已涉诉")
    assert _classified(world, loan.id).category == "special_mention"  # waits for a checker
    adjusted = approved(world, request)
    assert isinstance(adjusted, ClassificationView)
    assert (adjusted.category, adjusted.computed) == ("substandard", "special_mention")
    assert adjusted.adjusted is not None
    assert adjusted.adjusted.reason == "借款人经营停滞，已涉诉"
    assert adjusted.adjusted.made_by == "Risk"  # the maker; the checker approved it
    assert adjusted.adjusted.business_date == date(2025, 2, 25)
    assert adjusted.allowance == Decimal("360.00")  # the next close provides for it

    _close(session_factory, world, date(2025, 2, 25))
    held = _classified(world, loan.id)
    assert (held.category, held.computed, held.as_of) == (
        "substandard",
        "special_mention",
        date(2025, 2, 25),
    )
    assert held.allowance == Decimal("3600.00")
    with world.make_uow(read_only=True) as uow:
        finance = world.principal("finance")
        listed = loans.list_loans(uow, finance, category="substandard")
        adjusted = loans.list_loans(uow, finance, adjusted=True)
        not_adjusted = loans.list_loans(uow, finance, adjusted=False)
    assert [row.id for row in listed] == [row.id for row in adjusted] == [loan.id]
    assert not_adjusted == []

    with world.make_uow() as uow:
        review = loans.restore_classification(
            uow, world.principal("risk"), loan_id=loan.id, reason="诉讼已和解", now=world.now
        )
        uow.commit()
    restored = approved(world, review)
    assert isinstance(restored, ClassificationView)
    assert (restored.category, restored.adjusted) == ("special_mention", None)
    assert [(a.action, a.category_before, a.category_after) for a in restored.adjustments] == [
        ("restore", "substandard", "special_mention"),
        ("adjust", "special_mention", "substandard"),
    ]
    with world.make_uow(read_only=True) as uow:
        assert loans.list_loans(uow, world.principal("finance"), adjusted=True) == []
    _close(session_factory, world, date(2025, 2, 26))
    again = _classified(world, loan.id)
    assert (again.category, again.allowance) == ("special_mention", Decimal("360.00"))
    with world.make_uow(read_only=True) as uow:
        audited = uow.session.execute(
            select(AuditRecord.command, AuditRecord.outcome)
            .where(AuditRecord.command.in_((ADJUST, RESTORE)))
            .order_by(AuditRecord.seq)
        ).all()
    assert [tuple(row) for row in audited] == [
        (ADJUST, "pending"),
        (ADJUST, "approved"),
        (RESTORE, "pending"),
        (RESTORE, "approved"),
    ]


def test_adjustments_are_refused_clearly(world: World, session_factory: SessionFactory) -> None:
    loan = disbursed(world)
    with pytest.raises(RuleViolation) as unclassified:
        _adjust(world, loan.id, "substandard", "涉诉")
    assert unclassified.value.code == "not_classified"
    _close(session_factory, world, date(2025, 2, 24))
    for category, reason, field in (("bad", "涉诉", "category"), ("loss", "  ", "reason")):
        with pytest.raises(ValidationFailed) as refused:
            _adjust(world, loan.id, category, reason)
        assert refused.value.field == field
    # 9 days past due is at least 关注 (special mention): not to be classified 正常 by hand
    with pytest.raises(RuleViolation) as better:
        _adjust(world, loan.id, "normal", "客户承诺还款")
    assert better.value.code == "better_than_rules"
    with world.make_uow() as uow, pytest.raises(RuleViolation) as nothing:
        loans.restore_classification(
            uow, world.principal("risk"), loan_id=loan.id, reason="复核", now=world.now
        )
    assert nothing.value.code == "not_adjusted"
    with world.make_uow() as uow, pytest.raises(Forbidden):
        loans.adjust_classification(
            uow,
            world.principal("officer_a"),
            loan_id=loan.id,
            category="loss",
            reason="涉诉",
            now=world.now,
        )
    with world.make_uow(read_only=True) as uow:
        risk = uow.session.get(LoanRisk, loan.id)
        assert risk is not None and risk.override_category is None
        refusals = uow.session.scalars(
            select(AuditRecord.outcome).where(AuditRecord.command == ADJUST)
        ).all()
    assert len(refusals) == 5 and "pending" not in refusals  # each refusal audited

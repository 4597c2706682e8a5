"""A company's books as the other modules of the context read them: the chart (cached in the
session for the transaction) and the posting rules, and the seeding of the default books."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from microlend.accounting.defaults import DEFAULT_CHART, DEFAULT_RULES
from microlend.accounting.model import DEFAULT_PRODUCT, AccountSpec
from microlend.accounting.tables import LedgerAccount, PostingRule
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation
from microlend.orgs.tables import Company

CACHE_KEY = "accounting.charts"
RULES_KEY = "accounting.rules"
LOCKS_KEY = "accounting.locked_periods"


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Caches live for one transaction (or savepoint): a rollback may undo what they hold. The
    inner transactions of a flush leave them be."""
    if not (transaction.nested or transaction.parent is None):
        return
    for key in (CACHE_KEY, RULES_KEY, LOCKS_KEY):
        session.info.pop(key, None)


@dataclass(frozen=True)
class Chart:
    """One company's accounts by code and by id, with the set of codes that have children."""

    by_code: dict[str, LedgerAccount]
    by_id: dict[int, LedgerAccount]
    parents: frozenset[int]

    def code_of(self, account_id: int) -> str:
        return self.by_id[account_id].code

    def postable(self, code: str) -> LedgerAccount:
        account = self.by_code.get(code)
        if account is None:
            raise RuleViolation(f"no account {code} in the chart", code="unknown_account")
        if not account.active:
            raise RuleViolation(f"account {code} is inactive", code="inactive_account")
        if account.id in self.parents:
            raise RuleViolation(
                f"account {code} has sub-accounts: post to one of them", code="parent_account"
            )
        return account

    def level(self, account: LedgerAccount) -> int:
        depth, current = 0, account
        while current.parent_id is not None:
            depth, current = depth + 1, self.by_id[current.parent_id]
        return depth


def chart(uow: UnitOfWork, company_id: int) -> Chart:
    cache: dict[int, Chart] = uow.session.info.setdefault(CACHE_KEY, {})
    if company_id not in cache:
        rows = uow.session.scalars(
            select(LedgerAccount).where(LedgerAccount.company_id == company_id)
        ).all()
        cache[company_id] = Chart(
            by_code={row.code: row for row in rows},
            by_id={row.id: row for row in rows},
            parents=frozenset(row.parent_id for row in rows if row.parent_id is not None),
        )
    return cache[company_id]


def forget_chart(uow: UnitOfWork, company_id: int) -> None:
    """Drop the cached chart and rules after a change to them."""
    uow.session.info.setdefault(CACHE_KEY, {}).pop(company_id, None)
    uow.session.info.pop(RULES_KEY, None)


def has_books(uow: UnitOfWork, company_id: int) -> bool:
    return bool(chart(uow, company_id).by_code)


def add_account(
    uow: UnitOfWork, *, company_id: int, spec: AccountSpec, parent_id: int | None, now: datetime
) -> LedgerAccount:
    row = LedgerAccount(
        company_id=company_id,
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        type=spec.type.value,
        normal_side=spec.side.value,
        parent_id=parent_id,
        active=True,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    forget_chart(uow, company_id)
    return row


def seed_books(uow: UnitOfWork, *, company_id: int, now: datetime) -> bool:
    """The default chart and posting rules for a company that has no chart yet (idempotent;
    the company row is locked so that two first postings do not both seed)."""
    if has_books(uow, company_id):
        return False
    uow.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())
    forget_chart(uow, company_id)
    if has_books(uow, company_id):
        return False
    ids: dict[str, int] = {}
    for spec in DEFAULT_CHART:
        parent = ids[spec.parent_code] if spec.parent_code else None
        ids[spec.code] = add_account(
            uow, company_id=company_id, spec=spec, parent_id=parent, now=now
        ).id
    uow.session.add_all(
        PostingRule(
            company_id=company_id,
            event_type=str(rule.event_type),
            product_code=rule.product_code,
            role=rule.role,
            debit_account_id=ids[rule.debit],
            credit_account_id=ids[rule.credit],
        )
        for rule in DEFAULT_RULES
    )
    uow.session.flush()
    forget_chart(uow, company_id)
    return True


def rules_for(
    uow: UnitOfWork, *, company_id: int, event_type: str, product_code: str | None
) -> dict[str, tuple[str, str]]:
    """role -> (debit code, credit code): the product's own rules over the default ones
    (cached in the session for the transaction, like the chart)."""
    cache: dict[tuple[int, str, str | None], dict[str, tuple[str, str]]]
    cache = uow.session.info.setdefault(RULES_KEY, {})
    key = (company_id, event_type, product_code)
    if key not in cache:
        cache[key] = _load_rules(uow, company_id, event_type, product_code)
    return cache[key]


def _load_rules(
    uow: UnitOfWork, company_id: int, event_type: str, product_code: str | None
) -> dict[str, tuple[str, str]]:
    products = [DEFAULT_PRODUCT] + ([product_code] if product_code else [])
    rows = uow.session.scalars(
        select(PostingRule).where(
            PostingRule.company_id == company_id,
            PostingRule.event_type == event_type,
            PostingRule.product_code.in_(products),
        )
    ).all()
    books = chart(uow, company_id)
    found: dict[str, tuple[str, str]] = {}
    for row in sorted(rows, key=lambda rule: rule.product_code != DEFAULT_PRODUCT):
        found[row.role] = (
            books.code_of(row.debit_account_id),
            books.code_of(row.credit_account_id),
        )
    return found


def rule_count(uow: UnitOfWork, company_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.count(PostingRule.id)).where(PostingRule.company_id == company_id)
        )
        or 0
    )

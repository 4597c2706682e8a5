"""A company's books as the other modules of the context read them: the chart (cached in the
session for the transaction) and the posting rules, and the seeding of the default books."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import bindparam, event, exists, func, select
from sqlalchemy.orm import Session, SessionTransaction

from microlend.accounting.defaults import DEFAULT_CHART, DEFAULT_RULES
from microlend.accounting.model import DEFAULT_PRODUCT, AccountSpec
from microlend.accounting.tables import LedgerAccount, LedgerBooksVersion, PostingRule
from microlend.db.bulk import table_of
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import RuleViolation
from microlend.orgs.tables import Company

CACHE_KEY = "accounting.charts"
RULES_KEY = "accounting.rules"
LOCKS_KEY = "accounting.locked_periods"
LATER_KEY = "accounting.closed_after"
GUARD_KEY = "accounting.months_guard"
ACCOUNTS_KEY = "accounting.postable"


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Caches live for one transaction (or savepoint): a rollback may undo what they hold. The
    inner transactions of a flush leave them be."""
    if not (transaction.nested or transaction.parent is None):
        return
    for key in (CACHE_KEY, RULES_KEY, LOCKS_KEY, LATER_KEY, GUARD_KEY, ACCOUNTS_KEY):
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
            return _refuse_unknown(code)
        _refuse_unpostable(code, account.active, account.id in self.parents)
        return account

    def level(self, account: LedgerAccount) -> int:
        depth, current = 0, account
        while current.parent_id is not None:
            depth, current = depth + 1, self.by_id[current.parent_id]
        return depth


def _refuse_unknown(code: str) -> NoReturn:
    raise RuleViolation(
        "no account %(code)s in the chart", code="unknown_account", params={"code": code}
    )


def _refuse_unpostable(code: str, active: bool, parent: bool) -> None:
    if not active:
        raise RuleViolation(
            "account %(code)s is inactive", code="inactive_account", params={"code": code}
        )
    if parent:
        raise RuleViolation(
            "account %(code)s has sub-accounts: post to one of them",
            code="parent_account",
            params={"code": code},
        )


@dataclass(frozen=True, slots=True)
class Postable:
    """What a voucher line needs of its account."""

    id: int
    code: str
    name_zh: str
    name_en: str


AccountState = tuple[Postable, bool, bool]  # the account, active, has sub-accounts
_Found = AccountState


def postable_accounts(
    uow: UnitOfWork, company_id: int, codes: Iterable[str]
) -> dict[str, Postable]:
    """The accounts of ``codes`` a voucher may post to (each checked as ``Chart.postable``):
    from the chart if this transaction read it, else read for these codes only (and kept for
    the transaction, with those ``rules_for`` read)."""
    wanted = set(codes)
    whole = uow.session.info.get(CACHE_KEY, {}).get(company_id)
    if whole is not None:
        found = {code: whole.postable(code) for code in wanted}
        return {code: Postable(a.id, a.code, a.name_zh, a.name_en) for code, a in found.items()}
    found = account_states(uow, company_id, wanted)
    return {code: postable_of(code, found.get(code)) for code in wanted}


def account_states(
    uow: UnitOfWork, company_id: int, codes: Iterable[str]
) -> dict[str, AccountState]:
    """The accounts of ``codes`` (those in the chart) with whether each is active and has
    sub-accounts: read for the codes not known to the transaction yet, and kept for it."""
    wanted = set(codes)
    known: dict[tuple[int, str], AccountState] = uow.session.info.setdefault(ACCOUNTS_KEY, {})
    missing = sorted(code for code in wanted if (company_id, code) not in known)
    if missing:
        _remember(uow, company_id, missing)
    return {code: known[(company_id, code)] for code in wanted if (company_id, code) in known}


def postable_of(code: str, found: AccountState | None) -> Postable:
    """The account of ``code`` as ``account_states`` found it, if a voucher may post to it."""
    if found is None:
        _refuse_unknown(code)
    account, active, parent = found
    _refuse_unpostable(code, active, parent)
    return account


def _remember(uow: UnitOfWork, company_id: int, codes: list[str]) -> None:
    """Read the accounts of ``codes`` (with whether each has sub-accounts) into the cache."""
    rows = uow.session.execute(_ACCOUNTS, {"company_id": company_id, "codes": codes})
    known: dict[tuple[int, str], _Found] = uow.session.info.setdefault(ACCOUNTS_KEY, {})
    for account_id, code, name_zh, name_en, active, parent in rows:
        account = Postable(account_id, code, name_zh, name_en)
        known[(company_id, code)] = (account, bool(active), bool(parent))


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
    uow.session.info.pop(ACCOUNTS_KEY, None)


def books_version(uow: UnitOfWork, company_id: int) -> int:
    """The count of changes to the company's chart and rules (``LedgerBooksVersion``; 0 before
    the first). Read it before the rules and accounts it vouches for: a change committed
    between the reads then shows as a newer count, never as an older one."""
    found = uow.session.scalar(
        select(LedgerBooksVersion.version).where(LedgerBooksVersion.company_id == company_id)
    )
    return int(found or 0)


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


def _described(account: Any) -> tuple[Any, ...]:
    """An account's id, code, names, active flag and whether it has sub-accounts
    (``_WIDTH`` columns)."""
    child = ACCOUNTS.alias()
    return (
        account.c.id,
        account.c.code,
        account.c.name_zh,
        account.c.name_en,
        account.c.active,
        exists().where(child.c.parent_id == account.c.id),
    )


_WIDTH = 6
ACCOUNTS, RULES = table_of(LedgerAccount), table_of(PostingRule)
_DEBIT, _CREDIT = ACCOUNTS.alias(), ACCOUNTS.alias()
_DESCRIBED = (*_described(_DEBIT), *_described(_CREDIT))
RULE_ACCOUNTS = RULES.join(_DEBIT, _DEBIT.c.id == RULES.c.debit_account_id).join(
    _CREDIT, _CREDIT.c.id == RULES.c.credit_account_id
)
_RULES = (
    select(RULES.c.role, RULES.c.product_code, *_DESCRIBED)
    .select_from(RULE_ACCOUNTS)
    .where(
        RULES.c.company_id == bindparam("company_id"),
        RULES.c.event_type == bindparam("event_type"),
        RULES.c.product_code.in_(bindparam("products", expanding=True)),
    )
)
_ACCOUNTS = select(*_described(ACCOUNTS)).where(
    ACCOUNTS.c.company_id == bindparam("company_id"),
    ACCOUNTS.c.code.in_(bindparam("codes", expanding=True)),
)


def _load_rules(
    uow: UnitOfWork, company_id: int, event_type: str, product_code: str | None
) -> dict[str, tuple[str, str]]:
    """The rules with their accounts (kept for ``postable_accounts``), in one query."""
    products = [DEFAULT_PRODUCT] + ([product_code] if product_code else [])
    rows = uow.session.execute(
        _RULES, {"company_id": company_id, "event_type": event_type, "products": products}
    ).all()
    return _rules_of(uow, company_id, [tuple(row) for row in rows])


def _rules_of(
    uow: UnitOfWork, company_id: int, rows: list[tuple[Any, ...]]
) -> dict[str, tuple[str, str]]:
    """role -> (debit, credit) from rows of ``(role, product code, *debit, *credit)`` (each
    account ``_described``), the product's own over the default; the accounts are kept."""
    known: dict[tuple[int, str], _Found] = uow.session.info.setdefault(ACCOUNTS_KEY, {})
    found: dict[str, tuple[str, str]] = {}
    debit, credit = 2, 2 + _WIDTH
    for row in sorted(rows, key=lambda rule: rule[1] != DEFAULT_PRODUCT):
        for start in (debit, credit):
            account_id, code, name_zh, name_en, active, parent = row[start : start + _WIDTH]
            account = Postable(account_id, code, name_zh, name_en)
            known[(company_id, code)] = (account, active, parent)
        found[row[0]] = (row[debit + 1], row[credit + 1])
    return found


def known_rules(
    uow: UnitOfWork, company_id: int, event_type: str, product_code: str | None
) -> bool:
    """Were the rules of this event type and product read in this transaction?"""
    return (company_id, event_type, product_code) in uow.session.info.get(RULES_KEY, {})


def keep_rules(
    uow: UnitOfWork,
    company_id: int,
    wanted: list[tuple[str, str | None]],
    rows: list[tuple[Any, ...]],
) -> None:
    """Keep for the transaction the rules of ``wanted`` (event type, product code) read by
    another query: rows of ``(event type, role, product code, *debit, *credit)``."""
    cache: dict[tuple[int, str, str | None], dict[str, tuple[str, str]]]
    cache = uow.session.info.setdefault(RULES_KEY, {})
    for event_type, product_code in wanted:
        products = {DEFAULT_PRODUCT, product_code or DEFAULT_PRODUCT}
        mine = [row[1:] for row in rows if row[0] == event_type and row[2] in products]
        cache[(company_id, event_type, product_code)] = _rules_of(uow, company_id, mine)


def rule_columns() -> tuple[Any, ...]:
    """The columns ``keep_rules`` reads, with the joins of ``_RULES`` (for other queries)."""
    return (RULES.c.event_type, RULES.c.role, RULES.c.product_code, *_DESCRIBED)


def rule_count(uow: UnitOfWork, company_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.count(PostingRule.id)).where(PostingRule.company_id == company_id)
        )
        or 0
    )

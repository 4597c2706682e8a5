"""What a loan posting is in the ledger: event type and amount roles, and the posting rules the
loan events need beyond the ledger's defaults.

Receivables the ledger already carries for the loan (``Loan.booked_*``: accrued interest, fees
and penalty, principal moved to overdue) are collected first (roles ``interest``, ``fee``,
``penalty``, ``principal_overdue``); the rest is cash-basis income (``*_income``) or performing
principal (``principal``). Of interest taken as income, what the memorandum accounts carry for the
loan (``Loan.off_balance_interest_minor``: interest accrued while it did not accrue) comes out of
them in the same voucher (role ``interest_off_balance``, Dr 7002 / Cr 7001). Reversing a voucher
gives the booked and the memorandum amounts back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from microlend.accounting import books
from microlend.accounting.tables import PostingRule
from microlend.db.uow import UnitOfWork
from microlend.loans import tables
from microlend.loans.calculator.servicing_terms import Bucket, Component
from microlend.loans.engine import AllocationLine, EventKind, Posting
from microlend.loans.engine.book import COMPONENTS
from microlend.loans.records import minor, money

CREDIT_APPLICATION = "loan_credit_application"
REFUND = "loan_refund"
CAPITALISATION = "loan_capitalisation"
BOOKED_EXCESS = "loan_booked_excess"

# The words of the summaries (摘要) of the vouchers the loans post, by loan event kind or ledger
# event type: the books are kept in Chinese, like the other summaries the system writes.
SUMMARY_WORDS: dict[str, str] = {
    EventKind.REPAYMENT: "还款",
    EventKind.PREPAYMENT: "提前还款",
    EventKind.WAIVER: "减免",
    EventKind.REFUND: "退款",
    EventKind.REVERSAL: "冲正",
    EventKind.RESCHEDULE: "重组",
    EventKind.TRANCHE: "放款",
    EventKind.ACCELERATION: "提前到期",
    EventKind.CREDIT_APPLICATION: "溢缴款冲抵",
    "interest_accrual": "计提利息",
    "overdue_transfer": "转逾期",
    "penalty_accrual": "计提罚息",
}

_INCOME = {"interest": "6011", "fee": "6021", "penalty": "6051"}
OFF_BALANCE = "interest_off_balance"
_RECEIVABLE = {"interest": "1132", "fee": "122101", "penalty": "122102"}


def _collecting(source: str) -> list[tuple[str, str, str]]:
    rules = [
        ("principal", source, "130301"),
        ("principal_overdue", source, "130302"),
        ("overpayment", source, "224101"),
    ]
    for name in ("interest", "fee", "penalty"):
        rules += [(name, source, _RECEIVABLE[name]), (f"{name}_income", source, _INCOME[name])]
    return rules


# (event type, role, debit, credit): added for a company that lacks them (its own rules win).
LOAN_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("disbursement", "upfront_fee", "1002", "6021"),
    *((CREDIT_APPLICATION, r, d, c) for r, d, c in _collecting("224101") if r != "overpayment"),
    (REFUND, "overpayment", "224101", "1002"),
    *(
        (CAPITALISATION, r, d, c)
        for r, d, c in _collecting("130301")
        if r not in ("principal", "overpayment")
    ),
    *((BOOKED_EXCESS, name, _INCOME[name], _RECEIVABLE[name]) for name in _INCOME),
    # interest the memorandum carried, collected, waived or recovered: out of 7001/7002
    *(
        (kind, OFF_BALANCE, "7002", "7001")
        for kind in ("repayment", "waiver", "recovery", CREDIT_APPLICATION, CAPITALISATION)
    ),
)


def summary_word(kind: str) -> str:
    """The summary's word for a loan event kind or ledger event type (the code when none)."""
    return SUMMARY_WORDS.get(kind, kind)


def ensure_loan_rules(uow: UnitOfWork, *, company_id: int, now: datetime) -> None:
    """The company's books, and the loan rules it has not defined (idempotent)."""
    books.seed_books(uow, company_id=company_id, now=now)
    have = set(
        uow.session.execute(
            select(PostingRule.event_type, PostingRule.role).where(
                PostingRule.company_id == company_id, PostingRule.product_code == ""
            )
        ).all()
    )
    chart = books.chart(uow, company_id)
    added = False
    for event_type, role, debit, credit in LOAN_RULES:
        if (event_type, role) in have:
            continue
        uow.session.add(
            PostingRule(
                company_id=company_id,
                event_type=event_type,
                product_code="",
                role=role,
                debit_account_id=chart.postable(debit).id,
                credit_account_id=chart.postable(credit).id,
            )
        )
        added = True
    if added:
        uow.session.flush()
        books.forget_chart(uow, company_id)
        uow.session.info.pop(books.RULES_KEY, None)


Roles = dict[str, Decimal]


def _take_booked(loan: tables.Loan, name: str, amount: Decimal, roles: Roles) -> None:
    """Split ``amount`` of ``name`` into the booked receivable and income (or performing)."""
    if amount <= 0:
        return
    column = f"booked_{'overdue_principal' if name == 'principal' else name}_minor"
    booked = money(getattr(loan, column), loan.currency)
    taken = min(booked, amount)
    setattr(loan, column, getattr(loan, column) - minor(taken, loan.currency))
    receivable = "principal_overdue" if name == "principal" else name
    plain = "principal" if name == "principal" else f"{name}_income"
    roles[receivable] = roles.get(receivable, Decimal(0)) + taken
    roles[plain] = roles.get(plain, Decimal(0)) + amount - taken
    if name == "interest" and loan.off_balance_interest_minor:
        take_off_balance(loan, amount - taken, roles)


def take_off_balance(loan: tables.Loan, income: Decimal, roles: Roles) -> None:
    """Of ``income`` (interest taken to income in cash), what the memorandum accounts carry for
    the loan comes out of them (role ``interest_off_balance``)."""
    memo = money(loan.off_balance_interest_minor, loan.currency)
    taken = min(memo, income)
    if taken <= 0:
        return
    loan.off_balance_interest_minor -= minor(taken, loan.currency)
    roles[OFF_BALANCE] = roles.get(OFF_BALANCE, Decimal(0)) + taken


def give_back(loan: tables.Loan, roles: dict[str, str]) -> None:
    """A voucher of these roles is reversed: its booked receivables are booked again, and the
    interest it took off the memorandum is carried there again."""
    for role, column in (
        ("interest", "booked_interest_minor"),
        ("fee", "booked_fee_minor"),
        ("penalty", "booked_penalty_minor"),
        ("principal_overdue", "booked_overdue_principal_minor"),
        (OFF_BALANCE, "off_balance_interest_minor"),
    ):
        if role in roles:
            amount = minor(Decimal(roles[role]), loan.currency)
            setattr(loan, column, getattr(loan, column) + amount)


_BOOKED = {
    "interest": "booked_interest_minor",
    "fee": "booked_fee_minor",
    "penalty": "booked_penalty_minor",
}


def take_back_excess(loan: tables.Loan, owed: dict[str, Decimal]) -> Roles:
    """Booked receivables beyond what the engine still has owed of them (``owed``: interest
    due and accrued, fee and penalty charged, all unpaid; a back-dated event paid what close of
    business had booked): the roles of the voucher taking the excess back out of income
    (``BOOKED_EXCESS``: Dr income / Cr receivable); the booked columns come down to ``owed``."""
    roles: Roles = {}
    for name, column in _BOOKED.items():
        excess = getattr(loan, column) - minor(max(owed[name], Decimal(0)), loan.currency)
        if excess > 0:
            setattr(loan, column, getattr(loan, column) - excess)
            roles[name] = money(excess, loan.currency)
    return roles


_WAIVED = ("interest", "fee", "penalty", OFF_BALANCE)  # a waiver's roles: no income is taken


def ledger_entries(loan: tables.Loan, posting: Posting) -> list[tuple[str, Roles]]:
    """The vouchers of a posting: (event type, roles); collecting booked receivables moves
    ``loan.booked_*``. Empty when the posting moves nothing in the ledger. Money received is
    debited to the bank; what a repayment or prepayment took from the credit balance the
    borrower held (``credit_change`` < 0: the first of its allocation lines) is collected from
    224101 by a voucher of its own (``CREDIT_APPLICATION``), after the payment's."""
    kind = posting.kind
    if kind is EventKind.CREDIT_APPLICATION:
        return [(CREDIT_APPLICATION, _collected(loan, posting.lines))]
    if kind in (EventKind.REPAYMENT, EventKind.PREPAYMENT):
        held, paid = _split(posting.lines, -posting.credit_change)
        from_credit = _collected(loan, held) if held else None
        cash = _collected(loan, paid)
        if posting.credit_change > 0:
            cash["overpayment"] = posting.credit_change
        entries = [("repayment", cash)]
        return [*entries, (CREDIT_APPLICATION, from_credit)] if from_credit else entries
    totals = posting.by_component()
    roles: Roles = {}
    if kind is EventKind.WAIVER:
        for component in (Component.INTEREST, Component.FEE, Component.PENALTY):
            _take_booked(loan, str(component), totals[component], roles)
        kept = {r: a for r, a in roles.items() if r in _WAIVED and a > 0}
        return [("waiver", kept)] if kept else []
    if kind is EventKind.TRANCHE:
        return [("disbursement", {"principal": posting.disbursed})] if posting.disbursed else []
    if kind is EventKind.REFUND:
        return [(REFUND, {"overpayment": posting.cash_out})] if posting.cash_out > 0 else []
    if kind is EventKind.RESCHEDULE:
        _take_booked(loan, "principal", _overdue_principal(posting.lines), roles)
        roles.pop("principal", None)  # performing principal stays where it is
        for component in (Component.INTEREST, Component.FEE, Component.PENALTY):
            _take_booked(loan, str(component), totals[component], roles)
        kept = {r: a for r, a in roles.items() if a > 0}
        return [(CAPITALISATION, kept)] if kept else []
    return []


def _overdue_principal(lines: Iterable[AllocationLine]) -> Decimal:
    return sum(
        (
            ln.amount
            for ln in lines
            if ln.component is Component.PRINCIPAL and ln.bucket is Bucket.PAST_DUE
        ),
        Decimal(0),
    )


def _collected(loan: tables.Loan, lines: Sequence[AllocationLine]) -> Roles:
    """The roles of collecting ``lines``: booked receivables first, then income or principal."""
    totals = dict.fromkeys(COMPONENTS, Decimal(0))
    for line in lines:
        totals[line.component] += line.amount
    overdue = _overdue_principal(lines)
    roles: Roles = {}
    _take_booked(loan, "principal", overdue, roles)
    roles["principal"] = roles.get("principal", Decimal(0)) + totals[Component.PRINCIPAL] - overdue
    for component in (Component.INTEREST, Component.FEE, Component.PENALTY):
        _take_booked(loan, str(component), totals[component], roles)
    return roles


def _split(
    lines: Sequence[AllocationLine], first: Decimal
) -> tuple[list[AllocationLine], list[AllocationLine]]:
    """``lines`` cut after their first ``first`` of amount (a line straddling the cut is
    split in two)."""
    if first <= 0:  # the usual case: no credit used
        return [], list(lines)
    head: list[AllocationLine] = []
    tail: list[AllocationLine] = []
    left = first
    for line in lines:
        if left <= 0:
            tail.append(line)
        elif line.amount <= left:
            head.append(line)
            left -= line.amount
        else:
            head.append(line._replace(amount=left))
            tail.append(line._replace(amount=line.amount - left))
            left = Decimal(0)
    return head, tail

"""批量代扣, first half: the deduction request file (代扣指令文件) of a collection date, for the
bank or payment channel that debits the borrowers' accounts (``loans.repay``).

One line per loan of the actor's company and offices on the book (active, overdue, rescheduled)
owing something on or before the date: what is overdue plus what falls due that day, as the
engine's position at the end of the date says (penalty accrued to it included, credit already
applied). Loans are picked set-based (an installment due by the date still owing, or something
overdue in the snapshot), then each is replayed once for the exact amount.

Each line's reference ``AD{yyyymmdd}-{loan number}`` is the same every time the file of that date
is produced; the bank's result file, fed back through the repayment import with channel
``deduction`` and that reference as ``external_reference``, therefore never pays a line twice
(a repeated channel and reference is a replay, see ``loans.account.existing_request``).

The debit account: the account the loan was paid out to when the borrower was the payee (with
its bank from the customer's registered accounts when it is one of them), else the customer's
most recently registered bank account. Loans with neither are listed apart, not in the file.

A read, not a command: nothing is stored. The file carries whole account numbers, which the bank
needs; the page masks them without ``pii.view``, and each export of them (the CSV file, the API's
JSON) is audited by ``loans.autodebit_export``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, or_, select

from microlend.customers.bank_accounts import registered_accounts
from microlend.customers.tables import Customer, CustomerBankAccount
from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal, require
from microlend.loans.account import business_date, history
from microlend.loans.engine import position
from microlend.loans.tables import Loan, LoanInstallment

PERMISSION = "loans.repay"
CHANNEL = "deduction"
ON_BOOK = ("active", "overdue", "rescheduled")
COLUMNS = (
    "reference",
    "loan_number",
    "borrower",
    "bank_name",
    "account_no",
    "account_name",
    "amount",
    "currency",
    "value_date",
    "channel",
    "external_reference",
)


def reference(on: date, loan_number: str) -> str:
    """The line's reference: one per loan and collection date, the same every time."""
    return f"AD{on:%Y%m%d}-{loan_number}"


@dataclass(frozen=True)
class DebitAccount:
    bank_name: str
    account_no: str
    account_name: str


@dataclass(frozen=True)
class Owing:
    """A loan owing on the collection date."""

    loan_id: int
    loan_number: str
    customer_id: int
    borrower: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class DebitLine:
    """A line of the file: ``owing`` debited from ``account`` on ``value_date``."""

    reference: str
    value_date: date
    owing: Owing
    account: DebitAccount

    @property
    def channel(self) -> str:
        return CHANNEL

    @property
    def external_reference(self) -> str:
        return self.reference

    def masked(self, may_view: bool) -> str:
        """The account number as a screen shows it."""
        return shown(self.account.account_no, PiiKind.BANK_ACCOUNT, may_view=may_view) or ""


@dataclass(frozen=True)
class Total:
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class DebitRun:
    on: date
    lines: tuple[DebitLine, ...]
    without_account: tuple[Owing, ...]  # owing, but no account to debit: for follow-up

    @property
    def totals(self) -> list[Total]:
        """The file's lines and amount per currency."""
        return _totals(line.owing for line in self.lines)

    @property
    def totals_without_account(self) -> list[Total]:
        return _totals(self.without_account)


def _totals(owing: Iterable[Owing]) -> list[Total]:
    sums: dict[str, tuple[int, Decimal]] = {}
    for one in owing:
        count, amount = sums.get(one.currency, (0, Decimal(0)))
        sums[one.currency] = (count + 1, amount + one.amount)
    return [Total(c, n, amount) for c, (n, amount) in sorted(sums.items())]


def deduction_run(uow: UnitOfWork, actor: Principal, *, on: date | None = None) -> DebitRun:
    """The deduction lines of collection date ``on`` (default the business date) in the actor's
    company and offices, by loan number, and the loans owing without an account to debit."""
    require(actor, PERMISSION)
    today = business_date(uow, actor.company_id)
    day = on or today
    if day < today:
        raise ValidationFailed(
            "is before the business date %(date)s", field="on", params={"date": today.isoformat()}
        )
    loans = _candidates(uow, actor, day)
    accounts = registered_accounts(uow.session, (loan.customer_id for loan, _ in loans))
    lines: list[DebitLine] = []
    missing: list[Owing] = []
    for loan, borrower in loans:
        contract, events = history(uow, loan)
        amount = position(contract, events, day).due_amount
        if amount <= 0:
            continue
        owing = Owing(loan.id, loan.number, loan.customer_id, borrower, amount, loan.currency)
        account = debit_account(loan, accounts.get(loan.customer_id, []), borrower)
        if account is None:
            missing.append(owing)
        else:
            lines.append(DebitLine(reference(day, loan.number), day, owing, account))
    return DebitRun(day, tuple(lines), tuple(missing))


def _candidates(uow: UnitOfWork, actor: Principal, day: date) -> list[tuple[Loan, str]]:
    """On-book loans of the scope with an installment due by ``day`` still owing, or something
    overdue (a superset: the engine's position decides), with the borrower's name."""
    owing_installment = exists().where(
        LoanInstallment.loan_id == Loan.id,
        LoanInstallment.due_date <= day,
        LoanInstallment.outstanding_minor > 0,
    )
    rows = uow.session.execute(
        select(Loan, Customer.name)
        .join(Customer, Customer.id == Loan.customer_id)
        .where(
            scope_condition(actor, Loan),
            and_(Loan.company_id == actor.company_id, Loan.status.in_(ON_BOOK)),
            or_(owing_installment, Loan.overdue_minor > 0),
        )
        .order_by(Loan.number, Loan.id)
    ).all()
    return [(loan, name) for loan, name in rows]


def _digits(account_no: str) -> str:
    return "".join(account_no.split())


def debit_account(
    loan: Loan, registered: list[CustomerBankAccount], borrower: str
) -> DebitAccount | None:
    """The account the loan paid the borrower out to, else the customer's newest registered
    account (``registered`` oldest first), else none."""
    paid_to = _digits(loan.payee_account) if loan.payee == "borrower" else ""
    for row in registered:
        if paid_to and _digits(row.account_no) == paid_to:
            return DebitAccount(row.bank_name, row.account_no, row.account_name)
    if paid_to:
        return DebitAccount("", loan.payee_account.strip(), loan.payee_name or borrower)
    if registered:
        newest = registered[-1]
        return DebitAccount(newest.bank_name, newest.account_no, newest.account_name)
    return None


def file_rows(run: DebitRun) -> Iterator[list[object]]:
    """The file: the header ``COLUMNS``, then a row per line (the repayment import's columns)."""
    yield list(COLUMNS)
    for line in run.lines:
        owing, account = line.owing, line.account
        yield [
            line.reference,
            owing.loan_number,
            owing.borrower,
            account.bank_name,
            account.account_no,
            account.account_name,
            owing.amount,
            owing.currency,
            line.value_date.isoformat(),
            line.channel,
            line.external_reference,
        ]

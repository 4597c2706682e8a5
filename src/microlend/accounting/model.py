"""The rules of the general ledger, pure: accounts, posting rules, balanced vouchers, periods.

A business event (``LedgerEvent``) carries amounts by *role* (``principal``, ``interest``...);
posting rules map (event type, product code or default, role) to a debit and a credit account, so
each non-zero role gives two voucher lines. A voucher balances per currency: the sum of its debit
lines equals the sum of its credit lines. Amounts are signed integers of minor units on each line:

- a normal line has a positive amount;
- a *reversal* (红字冲销, red-ink reversal) repeats the original lines on the **same** sides with
  the amounts negated, so that a reversed voucher adds nothing to the period's debit and credit
  turnover (the trial balance shows what really happened, not twice the error).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.kernel.money import minor_units_of

ACCOUNT_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")
DEFAULT_PRODUCT = ""  # a posting rule for every product without one of its own


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"
    OFF_BALANCE = "off_balance"


class Side(StrEnum):
    DEBIT = "D"
    CREDIT = "C"

    @property
    def opposite(self) -> Side:
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


def default_normal_side(account_type: AccountType) -> Side:
    """Assets, expenses and off-balance memoranda grow on the debit side; the rest on credit."""
    debit_types = (AccountType.ASSET, AccountType.EXPENSE, AccountType.OFF_BALANCE)
    return Side.DEBIT if account_type in debit_types else Side.CREDIT


class EventType(StrEnum):
    """The business events the ledger knows rules for (any other type needs rules of its own)."""

    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"
    OVERDUE_TRANSFER = "overdue_transfer"
    INTEREST_ACCRUAL = "interest_accrual"
    FEE_CHARGE = "fee_charge"
    PENALTY_ACCRUAL = "penalty_accrual"
    WAIVER = "waiver"
    WRITE_OFF = "write_off"
    RECOVERY = "recovery"
    PROVISION = "provision"
    PROVISION_RELEASE = "provision_release"


# Voucher kinds that are not business events: how a voucher came to be.
MANUAL = "manual"
REVERSAL = "reversal"
YEAR_END_CLOSE = "year_end_close"
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
ROLE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class AccountSpec:
    """An account of the chart, as defined (seeded, imported or entered)."""

    code: str
    name_zh: str
    name_en: str
    type: AccountType
    parent_code: str | None = None
    normal_side: Side | None = None  # None: the type's default (1304 is a credit-side asset)

    @property
    def side(self) -> Side:
        return self.normal_side or default_normal_side(self.type)


@dataclass(frozen=True)
class RuleSpec:
    """Posting rule: for ``role`` of ``event_type`` (for ``product_code``, '' = every product)."""

    event_type: str
    role: str
    debit: str  # account code
    credit: str  # account code
    product_code: str = DEFAULT_PRODUCT


@dataclass(frozen=True)
class Dims:
    """The dimensions a line carries for the sub-ledger and for analysis."""

    product_code: str | None = None
    loan_id: int | None = None
    customer_id: int | None = None


@dataclass(frozen=True)
class LedgerEvent:
    """A business event to post: the accounting context knows nothing else of loans."""

    type: str
    company_id: int
    office_id: int
    business_date: date
    amounts: Mapping[str, Decimal]
    idempotency_key: str
    summary: str = ""
    currency: str = "CNY"
    dims: Dims = field(default_factory=Dims)


@dataclass(frozen=True)
class LineDraft:
    """A voucher line before it is stored: ``amount_minor`` is signed (negative is red ink)."""

    account_code: str
    side: Side
    amount_minor: int
    currency: str
    office_id: int
    dims: Dims = field(default_factory=Dims)
    memo: str = ""


def checked_code(code: str) -> str:
    code = code.strip()
    if not ACCOUNT_CODE.match(code):
        raise ValidationFailed("an account code is 1 to 20 letters or digits", field="code")
    return code


def checked_event_type(event_type: str) -> str:
    if not EVENT_TYPE.match(event_type):
        raise ValidationFailed("an event type is 2 to 50 of a-z, 0-9 and '_'", field="type")
    return event_type


def event_lines(
    event: LedgerEvent, rules: Mapping[str, tuple[str, str]], dims: Dims | None = None
) -> list[LineDraft]:
    """Two lines per non-zero role of ``event`` through ``rules`` (role -> (debit, credit))."""
    lines: list[LineDraft] = []
    for role in sorted(event.amounts):
        if not ROLE.match(role):
            raise ValidationFailed(
                "amount role %(role)s is not a role name",
                field="amounts",
                params={"role": repr(role)},
            )
        units = minor_units_of(event.amounts[role], event.currency, field=f"amounts.{role}")
        if units == 0:
            continue
        if units < 0:
            raise ValidationFailed(
                "amount of %(role)s is negative", field=f"amounts.{role}", params={"role": role}
            )
        if role not in rules:
            raise RuleViolation(
                "no posting rule for %(type)s / %(role)s",
                code="no_posting_rule",
                extra={"event_type": event.type, "role": role},
                params={"type": event.type, "role": role},
            )
        debit, credit = rules[role]
        line_dims = dims or event.dims
        lines.append(
            LineDraft(debit, Side.DEBIT, units, event.currency, event.office_id, line_dims)
        )
        lines.append(
            LineDraft(credit, Side.CREDIT, units, event.currency, event.office_id, line_dims)
        )
    if not lines:
        raise ValidationFailed("the event has no non-zero amount", field="amounts")
    return lines


def imbalances(lines: Iterable[LineDraft]) -> dict[str, int]:
    """Debits minus credits per currency, for the currencies that do not balance."""
    net: dict[str, int] = {}
    for line in lines:
        sign = 1 if line.side is Side.DEBIT else -1
        net[line.currency] = net.get(line.currency, 0) + sign * line.amount_minor
    return {currency: amount for currency, amount in net.items() if amount != 0}


def check_balanced(lines: list[LineDraft]) -> list[LineDraft]:
    """``lines`` if they make a voucher: at least two, none zero, balanced per currency."""
    if len(lines) < 2:
        raise RuleViolation("a voucher has at least two lines", code="voucher_too_short")
    if any(line.amount_minor == 0 for line in lines):
        raise RuleViolation("a voucher line has no amount", code="zero_line")
    off = imbalances(lines)
    if off:
        raise RuleViolation(
            "debits and credits differ: %(off)s",
            code="voucher_unbalanced",
            extra={"net": off},
            params={"off": off},
        )
    return lines


def reversal_lines(lines: Iterable[LineDraft]) -> list[LineDraft]:
    """Red-ink reversal: the same lines, same sides, amounts negated."""
    return [
        LineDraft(
            line.account_code,
            line.side,
            -line.amount_minor,
            line.currency,
            line.office_id,
            line.dims,
            line.memo,
        )
        for line in lines
    ]


def period_of(day: date) -> str:
    """The accounting period (month) of a business date: ``2025-01``."""
    return f"{day.year:04d}-{day.month:02d}"


def period_end(period: str) -> date:
    """The last day of a period (``2025-02`` ends on 28 February 2025)."""
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, monthrange(year, month)[1])


def checked_period(period: str) -> str:
    if not re.match(r"^[0-9]{4}-(0[1-9]|1[0-2])$", period):
        raise ValidationFailed("a period is YYYY-MM", field="period")
    return period


def voucher_number(period: str, sequence: int) -> str:
    """凭证号: the period and a six-digit sequence, ``2025-01-000123``."""
    return f"{period}-{sequence:06d}"


def signed_balance(side: Side, amount_minor: int) -> int:
    """A line's effect on an account's debit-positive balance."""
    return amount_minor if side is Side.DEBIT else -amount_minor


def summarised(events: list[LedgerEvent], *, idempotency_key: str, summary: str) -> LedgerEvent:
    """One event for many (汇总凭证): the same type, company, office, date, currency and product,
    amounts added up by role; loan and customer dimensions stay in the sub-ledger."""
    if not events:
        raise ValidationFailed("nothing to summarise", field="events")
    first = events[0]

    def shape(event: LedgerEvent) -> tuple[object, ...]:
        return (
            event.type,
            event.company_id,
            event.office_id,
            event.business_date,
            event.currency,
            event.dims.product_code,
        )

    if any(shape(event) != shape(first) for event in events):
        raise ValidationFailed(
            "summarised events share type, company, office, date, currency and product",
            field="events",
        )
    totals: dict[str, Decimal] = {}
    for event in events:
        for role, amount in event.amounts.items():
            totals[role] = totals.get(role, Decimal(0)) + amount
    return LedgerEvent(
        type=first.type,
        company_id=first.company_id,
        office_id=first.office_id,
        business_date=first.business_date,
        amounts=totals,
        idempotency_key=idempotency_key,
        summary=summary,
        currency=first.currency,
        dims=Dims(product_code=first.dims.product_code),
    )

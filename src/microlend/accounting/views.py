"""What the ledger's use cases return: plain frozen values, amounts as ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class AccountView:
    id: int
    company_id: int
    code: str
    name_zh: str
    name_en: str
    type: str
    normal_side: str
    parent_code: str | None
    active: bool
    level: int


@dataclass(frozen=True)
class RuleView:
    event_type: str
    product_code: str
    role: str
    debit_code: str
    credit_code: str


@dataclass(frozen=True)
class LineView:
    line_no: int
    account_code: str
    account_name: str  # the Chinese (statutory) name
    account_name_en: str
    side: str
    amount: Decimal
    currency: str
    office_id: int
    product_code: str | None
    loan_id: int | None
    customer_id: int | None
    memo: str


@dataclass(frozen=True)
class VoucherView:
    id: int
    company_id: int
    office_id: int
    number: str
    period: str
    business_date: date
    entered_at: datetime
    kind: str
    summary: str
    idempotency_key: str | None
    reverses_id: int | None
    created_by: str
    lines: tuple[LineView, ...]

    @property
    def total_debit(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.side == "D"), Decimal(0))


@dataclass(frozen=True)
class PeriodView:
    company_id: int
    period: str
    status: str
    voucher_count: int
    closed_at: datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class CheckProblem:
    """A voucher that breaks a ledger invariant (found by ``ledger check``)."""

    company_id: int
    voucher_id: int | None
    number: str | None
    kind: str  # unbalanced | too_short | gap | duplicate | kept_balance
    message: str


@dataclass(frozen=True)
class AttachmentView:
    id: int
    voucher_id: int
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_by: str
    uploaded_at: datetime

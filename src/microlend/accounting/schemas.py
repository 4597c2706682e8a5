"""Request and response bodies of the accounting API (amounts are decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from microlend.kernel.ids import Id

Amount = Decimal


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=20, examples=["660201"])
    name_zh: str = Field(min_length=1, max_length=100, examples=["办公费"])
    name_en: str = Field(default="", max_length=100)
    type: Literal["asset", "liability", "equity", "income", "expense", "off_balance"]
    parent_code: str | None = None
    normal_side: Literal["D", "C"] | None = None


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, min_length=1, max_length=100)
    active: bool | None = None


class ChartImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    csv: str = Field(description="code,name_zh,name_en,type,parent_code,normal_side")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_zh: str
    name_en: str
    type: str
    normal_side: str
    parent_code: str | None
    active: bool
    level: int


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str
    role: str
    debit_code: str
    credit_code: str
    product_code: str = ""


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_type: str
    product_code: str
    role: str
    debit_code: str
    credit_code: str


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    account_code: str
    account_name: str
    account_name_en: str
    side: str
    amount: Amount
    currency: str
    office_id: Id
    product_code: str | None
    loan_id: Id | None
    customer_id: Id | None
    memo: str


class VoucherOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: Id
    office_id: Id
    number: str
    period: str
    business_date: date
    entered_at: datetime
    kind: str
    summary: str
    idempotency_key: str | None
    reverses_id: Id | None
    created_by: str
    lines: list[LineOut]


class ManualLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_code: str = Field(min_length=1, max_length=20)
    side: Literal["D", "C"]
    amount: Amount = Field(gt=0, examples=["1200.00"])
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    memo: str = Field(default="", max_length=200)


class ManualVoucherIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office_id: Id
    business_date: date
    summary: str = Field(min_length=1, max_length=300, examples=["支付办公室租金"])
    lines: list[ManualLineIn] = Field(min_length=2)


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    business_date: date
    reason: str = Field(default="", max_length=200)


class LedgerSettingsIn(BaseModel):
    """Daily accrual vouchers: one per loan, or one per product, office and day (汇总凭证)."""

    model_config = ConfigDict(extra="forbid")

    accrual_vouchers: Literal["per_loan", "summary"]


class LedgerSettingsOut(BaseModel):
    accrual_vouchers: Literal["per_loan", "summary"]


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=300)


class PeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    company_id: Id
    period: str
    status: str
    voucher_count: int
    closed_at: datetime | None
    closed_by: str | None


class TrialBalanceRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    type: str
    level: int
    opening_debit: Amount
    opening_credit: Amount
    period_debit: Amount
    period_credit: Amount
    closing_debit: Amount
    closing_credit: Amount


class TrialBalanceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    company_ids: list[int]
    office_ids: list[int] | None
    currency: str
    date_from: date
    date_to: date
    balanced: bool
    rows: list[TrialBalanceRowOut]
    totals: TrialBalanceRowOut


class StatementLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    amount: Amount


class BalanceSheetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    as_of: date
    currency: str
    balanced: bool
    assets: list[StatementLineOut]
    liabilities: list[StatementLineOut]
    equity: list[StatementLineOut]
    unclosed_profit: Amount
    total_assets: Amount
    total_liabilities: Amount
    total_equity: Amount


class IncomeStatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    date_from: date
    date_to: date
    currency: str
    income: list[StatementLineOut]
    expenses: list[StatementLineOut]
    total_income: Amount
    total_expenses: Amount
    net_profit: Amount


class DetailEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    business_date: date
    voucher_id: Id
    number: str
    summary: str
    account_code: str
    office_id: Id
    debit: Amount
    credit: Amount
    balance: Amount


class AccountDetailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    currency: str
    date_from: date
    date_to: date
    opening: Amount
    entries: list[DetailEntryOut]
    closing: Amount


class CheckProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    company_id: Id
    voucher_id: Id | None
    number: str | None
    kind: str
    message: str

"""What the customer queries return: frozen views, personal data already masked or shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class CustomerView:
    id: int
    kind: str
    company_id: int
    office_id: int
    owner_id: int | None
    id_kind: str
    id_number: str
    name: str
    phone: str | None
    address: str | None
    birth_date: date | None = None
    sex: str | None = None
    marital_status: str | None = None
    education: str | None = None
    employer: str | None = None
    monthly_income: Decimal | None = None
    legal_representative: str | None = None
    registered_capital: Decimal | None = None
    industry_code: str | None = None
    region_code: str | None = None
    founded_on: date | None = None
    employees: int | None = None
    currency: str = "CNY"
    created_at: datetime | None = None


@dataclass(frozen=True)
class HolderView:
    """Who holds a customer and since when (named in a collision)."""

    owner_id: int | None
    owner_name: str | None
    office_id: int
    office_name: str
    company_id: int
    company_name: str
    held_since: date | None
    last_activity_on: date | None
    protection_ends: date | None
    held: bool
    owing: bool = False  # a loan of theirs is on the book: its office holds them, no release


@dataclass(frozen=True)
class ContactView:
    id: int
    kind: str
    value: str
    label: str


@dataclass(frozen=True)
class BankAccountView:
    id: int
    bank_name: str
    account_no: str
    account_name: str


@dataclass(frozen=True)
class FinancialView:
    period: str
    currency: str
    revenue: Decimal | None
    net_profit: Decimal | None
    total_assets: Decimal | None
    total_liabilities: Decimal | None
    current_assets: Decimal | None
    current_liabilities: Decimal | None
    operating_cash_flow: Decimal | None
    monthly_income: Decimal | None
    monthly_expense: Decimal | None
    monthly_debt_payments: Decimal | None
    debt_ratio: Decimal | None
    current_ratio: Decimal | None
    debt_to_income: Decimal | None


@dataclass(frozen=True)
class LinkView:
    id: int
    relation: str
    direction: str  # outgoing | incoming
    other_id: int
    other_name: str
    share_percent: Decimal | None


@dataclass(frozen=True)
class GroupMemberView:
    id: int
    name: str
    exposure: Decimal


@dataclass(frozen=True)
class ListEntryView:
    id: int
    list_kind: str
    id_kind: str
    id_number: str
    name: str
    reason: str
    source: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class DocumentView:
    id: int
    doc_type: str
    filename: str
    media_type: str
    size: int
    content_hash: str
    uploaded_by: int | None
    uploaded_at: datetime


@dataclass(frozen=True)
class NoteView:
    id: int
    body: str
    author_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class CollisionView:
    id: int
    customer_id: int
    attempted_by: int | None
    office_id: int
    holder_id: int | None
    holder_office_id: int
    holder_company_id: int
    channel: str
    occurred_at: datetime
    customer_name: str = ""
    attempted_by_name: str | None = None
    holder_name: str | None = None


@dataclass(frozen=True)
class CustomerFile:
    """The customer 360: everything about one customer on one page.

    ``own_exposure``, ``group_exposure``, ``repayment`` and ``sections`` come from the contexts
    above customers (``customers.extensions``); zero and empty where none contributes.
    """

    customer: CustomerView
    holder: HolderView
    contacts: list[ContactView] = field(default_factory=list)
    bank_accounts: list[BankAccountView] = field(default_factory=list)
    financials: list[FinancialView] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)
    group: list[GroupMemberView] = field(default_factory=list)
    own_exposure: Decimal = Decimal(0)
    group_exposure: Decimal = Decimal(0)
    warnings: list[ListEntryView] = field(default_factory=list)
    documents: list[DocumentView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    repayment: RepaymentBehaviour = field(default_factory=lambda: RepaymentBehaviour())
    sections: list[File360Section] = field(default_factory=list)


@dataclass(frozen=True)
class File360Section:
    """A section another context adds to the customer 360 (applications, loans, scores...).

    ``title``, ``columns`` and ``empty_text`` are English msgids the 360 template translates;
    ``rows`` are display strings; the cells of the ``translated`` columns (indexes) are English
    msgids too (a status, an outcome); ``links`` holds an optional href per row.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str | None, ...] = ()
    empty_text: str = ""
    translated: tuple[int, ...] = ()


@dataclass(frozen=True)
class RepaymentBehaviour:
    """How a customer repays: worst and current days past due, late payments, default."""

    max_dpd: int = 0
    current_dpd: int = 0
    late_payments: int = 0
    in_default: bool = False


@dataclass(frozen=True)
class ApplicantCheck:
    """What origination learns about an applicant at application time."""

    blacklisted: bool
    watchlisted: bool
    list_reasons: tuple[str, ...]
    held_by_other: str | None  # who holds the customer and since when, human readable
    collision_id: int | None


@dataclass(frozen=True)
class PoolSettingsView:
    """A company's pool: protection period, and whether it shares its pool with the group."""

    protection_days: int
    group_shared: bool  # the group's setting
    company_shared: bool | None  # the company's own setting (None: as the group's)
    shared: bool  # what applies
    sharing_companies: tuple[str, ...]


@dataclass(frozen=True)
class PoolEntryView:
    """A customer in a pool list, with its holder and when its protection ends."""

    customer: CustomerView
    owner_name: str | None
    office_name: str
    company_name: str
    protection_ends: date | None
    in_pool: bool
    owing: bool = False  # a loan of theirs is on the book: not released, not in the pool


@dataclass(frozen=True)
class TransferRequestView:
    id: int
    customer_id: int
    customer_name: str
    from_owner_id: int | None
    from_owner_name: str | None
    to_user_id: int
    to_user_name: str
    requested_by: int
    requested_by_name: str
    reason: str
    status: str  # pending | approved | rejected
    decided_by: int | None
    opinion: str | None
    requested_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class GraphNode:
    """A customer on the drawing; x and y are whole SVG units."""

    id: int
    name: str
    x: int
    y: int
    depth: int


@dataclass(frozen=True)
class GraphEdge:
    """A link on the drawing, from (x1, y1) to (x2, y2) in whole SVG units."""

    x1: int
    y1: int
    x2: int
    y2: int
    relation: str
    share_percent: Decimal | None


@dataclass(frozen=True)
class RelatedGraph:
    """A related-party group laid out for drawing (the customer in the middle)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    size: int  # the side of the square canvas, in SVG units

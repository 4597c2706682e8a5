"""Reading loans (``loans.view``, scoped): one loan, the list, the position on any date (the
engine's replay of the stored events), installments, events, postings, fund usage, the
classification close of business gave it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, select

from microlend.customers import service as customers
from microlend.customers.records import may_view_pii
from microlend.customers.tables import Customer
from microlend.db.scope import apply_scope, get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans import tables
from microlend.loans.account import business_date, event_rows, history
from microlend.loans.engine import Position, position
from microlend.loans.fund_usage import STATUSES as USAGE_STATUSES
from microlend.loans.fund_usage import usage_view
from microlend.loans.list_order import checked_order, ordered
from microlend.loans.portfolio import dpd_between, due_by
from microlend.loans.records import money
from microlend.loans.tables_close import LoanRisk
from microlend.loans.views import (
    EventView,
    FundUsageView,
    InstallmentView,
    LoanView,
    PostingView,
    event_view,
    loan_view,
    posting_view,
)
from microlend.orgs.tables import Company

VIEW = "loans.view"
STATUSES = ("approved_not_disbursed", "active", "overdue", "closed", "written_off", "rescheduled")
CLOSED = "closed"  # paid off: off the book, so no longer classified
# 五级分类 as close of business sets them (``risk.model.Category``, a layer above: loans may
# not import it; tests/unit/test_loan_categories.py keeps the two alike)
RISK_CATEGORIES = ("normal", "special_mention", "substandard", "doubtful", "loss")
# 资金用途 filters: a usage status, or the loans on the book whose verification deadline has
# passed with the use of the funds not (fully) evidenced: the post-loan check's list
USAGE_LATE = "verification_late"
USAGE_FILTERS = (*USAGE_STATUSES, USAGE_LATE)
VERIFYING = ("unverified", "partially_verified")  # the usage statuses a check still waits on
OFF_BOOK = (CLOSED, "written_off")


def risk_category(category: str) -> str:
    """``category`` if it is one of ``RISK_CATEGORIES``; refused otherwise."""
    if category not in RISK_CATEGORIES:
        raise ValidationFailed(
            "one of %(categories)s",
            field="category",
            params={"categories": ", ".join(RISK_CATEGORIES)},
        )
    return category


def get_loan(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> LoanView:
    require(actor, VIEW)
    row = get_scoped(uow.session, actor, tables.Loan, loan_id)
    view = loan_view(row)
    if may_view_pii(actor):  # the account paid into, whole (masked for everyone else)
        return replace(view, payee_account=row.payee_account)
    return view


def list_loans(
    uow: UnitOfWork,
    actor: Principal,
    *,
    status: str | None = None,
    office_id: int | None = None,
    within_offices: Collection[int] | None = None,
    owner_id: int | None = None,
    overdue: bool | None = None,
    customer_id: int | None = None,
    due_through: date | None = None,
    dpd_range: tuple[int, int | None] | None = None,
    category: str | None = None,
    adjusted: bool | None = None,
    usage: str | None = None,
    search: str | None = None,
    order: str | None = None,
    limit: int = 100,
    after_id: int | None = None,
) -> list[LoanView]:
    """Loans in the actor's scope, in ``order`` (``list_order.ORDERS``; by number if none),
    from after the loan ``after_id``, filtered: ``office_id`` booked at that office,
    ``within_offices`` at any of those (an office and the ones below it, for the list page),
    ``due_through`` those with an installment owing on or before that date, ``dpd_range`` those
    so many days past due (``(91, None)``: over 90), ``category`` those on the book (not
    closed) the last close of business classified so, ``adjusted`` those on the book whose
    classification an adjustment by hand holds (or, False, none does: ``classification``),
    ``usage`` those whose fund usage has that status, or (``USAGE_LATE``) those on the book
    past their verification deadline (before the business date) still unverified or partially
    verified, ``search`` those it finds (``search_condition``)."""
    require(actor, VIEW)
    order = checked_order(order)
    if status is not None and status not in STATUSES:
        raise ValidationFailed(
            "one of %(statuses)s", field="status", params={"statuses": ", ".join(STATUSES)}
        )
    if category is not None:
        risk_category(category)
    if usage is not None and usage not in USAGE_FILTERS:
        raise ValidationFailed(
            "one of %(usages)s", field="usage", params={"usages": ", ".join(USAGE_FILTERS)}
        )
    stmt = apply_scope(select(tables.Loan), actor, tables.Loan)
    if status is not None:
        stmt = stmt.where(tables.Loan.status == status)
    if office_id is not None:
        stmt = stmt.where(tables.Loan.office_id == office_id)
    if within_offices is not None:
        stmt = stmt.where(tables.Loan.office_id.in_(sorted(within_offices)))
    if owner_id is not None:
        stmt = stmt.where(tables.Loan.owner_id == owner_id)
    if customer_id is not None:
        stmt = stmt.where(tables.Loan.customer_id == customer_id)
    if overdue is not None:
        stmt = stmt.where((tables.Loan.days_past_due > 0) == overdue)
    if due_through is not None:
        stmt = stmt.where(due_by(due_through))
    if dpd_range is not None:
        stmt = stmt.where(dpd_between(*dpd_range))
    if category is not None:
        classified = select(LoanRisk.loan_id).where(LoanRisk.category == category)
        stmt = stmt.where(tables.Loan.id.in_(classified), tables.Loan.status != CLOSED)
    if adjusted is not None:
        held = select(LoanRisk.loan_id).where(LoanRisk.override_category.is_not(None))
        in_held = tables.Loan.id.in_(held)
        stmt = stmt.where(in_held if adjusted else ~in_held, tables.Loan.status != CLOSED)
    if usage is not None:
        stmt = stmt.where(_usage_condition(usage))
    if search is not None and search.strip():
        stmt = stmt.where(search_condition(uow, search.strip()))
    stmt = ordered(stmt, order, after_id, actor)
    rows = uow.session.scalars(stmt.limit(min(max(limit, 1), 500)))
    return [loan_view(row) for row in rows]


def _usage_condition(usage: str) -> ColumnElement[bool]:
    loan = tables.Loan
    if usage != USAGE_LATE:
        return loan.fund_usage_status == usage
    today = select(Company.business_date).where(Company.id == loan.company_id).scalar_subquery()
    return and_(
        loan.fund_usage_status.in_(VERIFYING),
        loan.fund_usage_deadline < today,
        loan.status.not_in(OFF_BOOK),
    )


def usage_count(uow: UnitOfWork, actor: Principal, usage: str) -> int:
    """How many loans in the actor's scope the list's ``usage`` filter keeps (``USAGE_LATE``:
    the checks past their deadline; ``misused``: funds gone to a prohibited use)."""
    require(actor, VIEW)
    scoped = apply_scope(select(tables.Loan.id), actor, tables.Loan)
    found = scoped.where(_usage_condition(usage)).subquery()
    return int(uow.session.scalar(select(func.count()).select_from(found)) or 0)


def verification_late(loan: LoanView, today: date) -> bool:
    """Whether the check of the loan's fund usage is overdue on business date ``today``: what
    ``USAGE_LATE`` lists."""
    deadline = loan.fund_usage_deadline
    return (
        loan.fund_usage_status in VERIFYING
        and deadline is not None
        and deadline < today
        and loan.status not in OFF_BOOK
    )


@dataclass(frozen=True, slots=True)
class LoanFilters:
    """What the loan list keeps of the loans in scope (its page and its workbook), as
    ``list_loans`` takes it; ``within_offices``: an office and those below it."""

    status: str | None = None
    overdue: bool | None = None
    within_offices: frozenset[int] | None = None
    owner_id: int | None = None
    due_through: date | None = None
    dpd_range: tuple[int, int | None] | None = None
    category: str | None = None
    adjusted: bool | None = None
    usage: str | None = None
    search: str | None = None
    order: str | None = None

    def request(self) -> dict[str, object]:
        """The filters as plain values (an audit record's request)."""
        return {
            "status": self.status,
            "overdue": self.overdue,
            "within_offices": sorted(self.within_offices) if self.within_offices else None,
            "owner_id": self.owner_id,
            "due_through": self.due_through.isoformat() if self.due_through else None,
            "dpd_range": list(self.dpd_range) if self.dpd_range else None,
            "category": self.category,
            "adjusted": self.adjusted,
            "usage": self.usage,
            "search": self.search,
            "order": self.order,
        }


def filtered_loans(
    uow: UnitOfWork,
    actor: Principal,
    filters: LoanFilters,
    *,
    after_id: int | None = None,
    limit: int = 100,
) -> list[LoanView]:
    """``list_loans`` with ``filters``."""
    return list_loans(
        uow,
        actor,
        status=filters.status,
        overdue=filters.overdue,
        within_offices=filters.within_offices,
        owner_id=filters.owner_id,
        due_through=filters.due_through,
        dpd_range=filters.dpd_range,
        category=filters.category,
        adjusted=filters.adjusted,
        usage=filters.usage,
        search=filters.search,
        order=filters.order,
        after_id=after_id,
        limit=limit,
    )


def search_condition(uow: UnitOfWork, text: str) -> ColumnElement[bool]:
    """The loans a search box's ``text`` finds: letters with digits are a loan or contract
    number (any case, spaces ignored); anything else finds the borrower as the customer search
    does (name prefix, pinyin or initials, identity or credit code, mobile number)."""
    mode = customers.search_mode(text, "auto")
    if mode == "loan_number":
        number = text.replace(" ", "").upper()
        return or_(tables.Loan.number == number, tables.Loan.contract_number == number)
    found = select(Customer.id).where(customers.search_condition(text, mode, uow.dialect))
    return tables.Loan.customer_id.in_(found)


def customer_names(uow: UnitOfWork, loans: list[LoanView]) -> dict[int, str]:
    """The names of the borrowers of ``loans`` (read already, so in the actor's scope)."""
    ids = sorted({loan.customer_id for loan in loans})
    if not ids:
        return {}
    rows = uow.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {customer_id: name for customer_id, name in rows}


def loan_categories(uow: UnitOfWork, loans: list[LoanView]) -> dict[int, str]:
    """The classification the last close of business gave each of ``loans`` (read already, so
    in the actor's scope); a loan no close has classified yet is left out, and so is a closed
    loan: what it kept is the class of a loan still on the book, not of one paid off."""
    ids = sorted({loan.id for loan in loans if loan.status != CLOSED})
    if not ids:
        return {}
    rows = uow.session.execute(
        select(LoanRisk.loan_id, LoanRisk.category).where(LoanRisk.loan_id.in_(ids))
    )
    return {loan_id: category for loan_id, category in rows}


def loan_position(
    uow: UnitOfWork, actor: Principal, *, loan_id: int, as_of: date | None = None
) -> Position:
    """The engine's position at the end of ``as_of`` (default the business date)."""
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    contract, events = history(uow, loan)
    day = as_of or business_date(uow, loan.company_id)
    if day < loan.disbursement_date:
        raise ValidationFailed("is before the disbursement date", field="as_of")
    return position(contract, events, day)


def installments(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[InstallmentView]:
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = uow.session.scalars(
        select(tables.LoanInstallment)
        .where(tables.LoanInstallment.loan_id == loan.id)
        .order_by(tables.LoanInstallment.n)
    )
    c = loan.currency
    return [
        InstallmentView(
            r.n,
            r.due_date,
            r.status,
            money(r.principal_due_minor, c),
            money(r.interest_due_minor, c),
            money(r.fee_due_minor, c),
            money(r.penalty_due_minor, c),
            money(
                r.principal_paid_minor
                + r.interest_paid_minor
                + r.fee_paid_minor
                + r.penalty_paid_minor,
                c,
            ),
            money(r.waived_minor, c),
            money(r.outstanding_minor, c),
            r.days_past_due,
        )
        for r in rows
    ]


def events(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[EventView]:
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = event_rows(uow, loan.id)
    reversed_ids = frozenset(r.reverses_event_id for r in rows if r.reverses_event_id)
    return [event_view(r, loan.currency, reversed_ids) for r in rows]


def postings(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[PostingView]:
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = uow.session.scalars(
        select(tables.LoanPosting)
        .where(tables.LoanPosting.loan_id == loan.id)
        .order_by(tables.LoanPosting.value_date, tables.LoanPosting.id)
    )
    return [posting_view(r, loan.currency) for r in rows]


def fund_usages(uow: UnitOfWork, actor: Principal, *, loan_id: int) -> list[FundUsageView]:
    require(actor, VIEW)
    loan = get_scoped(uow.session, actor, tables.Loan, loan_id)
    rows = uow.session.scalars(
        select(tables.FundUsage)
        .where(tables.FundUsage.loan_id == loan.id)
        .order_by(tables.FundUsage.id)
    )
    return [usage_view(r, loan.currency) for r in rows]


def principal_outstanding(uow: UnitOfWork, company_id: int) -> Decimal:
    """Sub-ledger: principal outstanding of the company's loans on balance (not written off);
    equals the balance of 1303 贷款 (close of business checks it)."""
    total = uow.session.scalar(
        select(func.coalesce(func.sum(tables.Loan.outstanding_principal_minor), 0)).where(
            tables.Loan.company_id == company_id, tables.Loan.status != "written_off"
        )
    )
    return money(int(total or 0))

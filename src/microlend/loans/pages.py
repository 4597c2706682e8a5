"""Loan pages: the list, the loan page (schedule with each installment's status, events, their
allocations and vouchers, fund usage, notes, a payoff quote for any date, and the requests waiting
for a checker), the repayment form with a live allocation preview (the engine's ``post`` on the
stored events, nothing saved), and the waiver, reschedule, write-off, recovery and fund usage
forms (each a command: waivers, reschedules and write-offs wait for a checker by default)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from microlend.accounting.tables import Voucher
from microlend.db.commands import Pending, needs_checker
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import DomainError, ValidationFailed
from microlend.kernel.principal import Principal
from microlend.loans import service
from microlend.loans.acceleration import ACCELERATE
from microlend.loans.adjustments import RESCHEDULE, WAIVE, pending_requests
from microlend.loans.classification import ADJUST, RESTORE
from microlend.loans.classification import PERMISSION as ADJUST_CLASSIFICATION
from microlend.loans.fund_usage import CATEGORIES, PROHIBITED, usage_evidence
from microlend.loans.ledger_export import PERMISSION as LEDGER_EXPORT
from microlend.loans.list_order import NUMBER, ORDERS
from microlend.loans.portfolio import DPD_BUCKETS
from microlend.loans.queries import RISK_CATEGORIES, STATUSES, USAGE_FILTERS
from microlend.loans.receipts import DRAWDOWNS, RECEIPT_KINDS
from microlend.loans.tables import Loan
from microlend.loans.views import LoanView, installment_at
from microlend.loans.writeoffs import RECOVER, WRITE_OFF_CODE
from microlend.orgs import service as orgs
from microlend.orgs.model import OfficeNode, OfficeView
from microlend.origination.contracts import contract_of
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import feedback, optional_date
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "loans.view"
CHECKED_FORMS = (WAIVE, RESCHEDULE, ACCELERATE, WRITE_OFF_CODE, RECOVER, ADJUST, RESTORE)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown."""
    return message


# what the loan page calls each kind of request waiting for a checker
REQUEST_KINDS = {
    WAIVE: N_("Waiver"),
    RESCHEDULE: N_("Reschedule"),
    ACCELERATE: N_("Call the loan due"),
    WRITE_OFF_CODE: N_("Write-off"),
    RECOVER: N_("Recovery"),
    ADJUST: N_("Classification adjustment"),
    RESTORE: N_("Classification review"),
}


def dpd_key(low: int, high: int | None) -> str:
    """How a days-past-due bucket is named in the list's address: ``31-60``, ``91-``."""
    return f"{low}-{high or ''}"


DPD_RANGES = {dpd_key(low, high): (low, high) for low, high in DPD_BUCKETS}


PAGE_SIZE = 100


def _flattened(nodes: Sequence[OfficeNode]) -> list[OfficeView]:
    """The office tree in order, each office before the ones below it."""
    return [view for node in nodes for view in (node.office, *_flattened(node.children))]


@dataclass(frozen=True)
class ListQuery:
    """The loan list's query as its address carries it (the page, its workbook): ``q`` a loan
    or contract number or the borrower; ``office`` one the viewer sees, with those below it;
    ``mine`` the viewer's own; ``due_by`` (an installment owing by that date) and ``dpd`` (a
    days-past-due bucket) come from the home page's figures."""

    status: str = ""
    overdue: str = ""
    due_by: str = ""
    dpd: str = ""
    category: str = ""
    adjusted: str = ""
    usage: str = ""
    q: str = ""
    office: str = ""
    mine: str = ""
    order: str = ""

    def filters(
        self, uow: UnitOfWork, actor: Principal
    ) -> tuple[service.LoanFilters, list[OfficeView], int | None]:
        """What the list keeps, the offices the viewer may choose from, the office chosen."""
        offices = _flattened(orgs.office_tree(uow, actor)) if actor.can("orgs.office.view") else []
        office_id = next((o.id for o in offices if str(o.id) == self.office), None)
        filters = service.LoanFilters(
            status=self.status if self.status in STATUSES else None,
            overdue=True if self.overdue == "1" else None,
            within_offices=orgs.office_subtree_ids(uow, office_id=office_id) if office_id else None,
            owner_id=actor.user_id if self.mine == "1" else None,
            due_through=optional_date(self.due_by, "due_by"),
            dpd_range=DPD_RANGES.get(self.dpd),
            category=self.category if self.category in RISK_CATEGORIES else None,
            adjusted=True if self.adjusted == "1" else None,
            usage=self.usage if self.usage in USAGE_FILTERS else None,
            search=self.q.strip() or None,
            order=self.order if self.order in ORDERS else None,
        )
        return filters, offices, office_id

    def address(self, office_id: int | None) -> dict[str, str]:
        """The query's non-empty parameters, as the next page's and the workbook's links carry
        them (an office the viewer does not see left out)."""
        kept = {
            "status": self.status if self.status in STATUSES else "",
            "overdue": "1" if self.overdue == "1" else "",
            "due_by": self.due_by,
            "dpd": self.dpd if self.dpd in DPD_RANGES else "",
            "category": self.category if self.category in RISK_CATEGORIES else "",
            "adjusted": "1" if self.adjusted == "1" else "",
            "usage": self.usage if self.usage in USAGE_FILTERS else "",
            "q": self.q,
            "office": str(office_id or ""),
            "mine": "1" if self.mine == "1" else "",
            "order": self.order if self.order in ORDERS and self.order != NUMBER else "",
        }
        return {key: value for key, value in kept.items() if value}

    def orders(self, office_id: int | None) -> dict[str, str]:
        """Each order's address: this query in that order, from its first page."""
        kept = {key: value for key, value in self.address(office_id).items() if key != "order"}
        return {
            order: urlencode({**kept, **({"order": order} if order != NUMBER else {})})
            for order in ORDERS
        }


@router.get("/loans")
def loans_page(
    request: Request,
    query: Annotated[ListQuery, Depends()],
    after: str = "",
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    """The loan list (``ListQuery``), a page of ``PAGE_SIZE`` at a time (``after``: the last id
    of the page before)."""
    actor = viewer.principal
    rows: list[LoanView] = []
    names: dict[int, str] = {}
    classes: dict[int, str] = {}
    notices: list[Notice] = []
    offices: list[OfficeView] = []
    office_id: int | None = None
    filters = service.LoanFilters()
    try:
        with page_uow(request, read_only=True) as uow:
            filters, offices, office_id = query.filters(uow, actor)
            after_id = int(after) if after.isdigit() else None
            rows = service.filtered_loans(uow, actor, filters, after_id=after_id, limit=PAGE_SIZE)
            names = service.customer_names(uow, rows)
            classes = service.loan_categories(uow, rows)
    except ValidationFailed as error:
        notices = feedback(error, (), gettext_for(request))[1]
    address = query.address(office_id)
    context = {
        "loans": rows,
        "names": names,
        "status": filters.status or "",
        "overdue": query.overdue,
        "offices": offices,
        "office": office_id,
        "mine": query.mine == "1",
        "statuses": STATUSES,
        "classes": classes,
        "category": filters.category or "",
        "adjusted": filters.adjusted is True,
        "categories": RISK_CATEGORIES,
        "usage": filters.usage or "",
        "usages": USAGE_FILTERS,
        "due_by": filters.due_through,
        "dpd_range": filters.dpd_range,
        "q": query.q,
        "next_page": (
            urlencode({**address, "after": rows[-1].id}) if len(rows) == PAGE_SIZE else ""
        ),
        "ledger": urlencode(address) if actor.can(LEDGER_EXPORT) else None,
        "order": filters.order or NUMBER,
        "orders": query.orders(office_id),
        "descending": [order for order, (_key, down) in ORDERS.items() if down],
    }
    return render_page(request, "loans/list.html", context, notices=notices)


def _dated(
    request: Request, name: str, day: str, figure: Callable[[date | None], Any]
) -> dict[str, Any]:
    """A figure of the loan for ``day`` (its form field ``{name}_date``; empty: the business
    date), or why there is none: the context ``name``, ``{name}_problem``, ``{name}_date``."""
    try:
        found = figure(optional_date(day, f"{name}_date"))
    except DomainError as error:
        problem = error_text.describe(error, gettext_for(request))
        return {name: None, f"{name}_problem": problem, f"{name}_date": day}
    return {name: found, f"{name}_problem": "", f"{name}_date": found.as_of}


@router.get("/loans/{loan_id}")
def loan_page(
    request: Request,
    loan_id: int,
    quote_date: str = "",
    position_date: str = "",
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    actor = viewer.principal
    with page_uow(request, read_only=True) as uow:
        loan = service.get_loan(uow, actor, loan_id=loan_id)
        postings = service.postings(uow, actor, loan_id=loan_id)
        keys = [key for p in postings for key in p.voucher_keys]
        vouchers = (
            {
                row.idempotency_key: row
                for row in uow.session.scalars(
                    select(Voucher).where(
                        Voucher.company_id == loan.company_id, Voucher.idempotency_key.in_(keys)
                    )
                )
            }
            if keys
            else {}
        )
        # the position at the end of a day, replayed from the events; the schedule as of it
        # (as last stored when the day is refused)
        dated = _dated(
            request,
            "position",
            position_date,
            lambda day: service.loan_position(uow, actor, loan_id=loan.id, as_of=day),
        )
        here = dated["position"]
        row = uow.session.get_one(Loan, loan.id)  # in scope: get_loan read it
        evidenced, paid_out = usage_evidence(uow, row)
        today = service.business_date(uow, loan.company_id)
        context: dict[str, Any] = {
            "loan": loan,
            "installments": (
                [installment_at(row) for row in here.installments]
                if here is not None
                else service.installments(uow, actor, loan_id=loan_id)
            ),
            "events": service.events(uow, actor, loan_id=loan_id),
            "postings": postings,
            "vouchers": vouchers,
            "usages": service.fund_usages(uow, actor, loan_id=loan_id),
            "evidenced": evidenced,  # what verifies the use of the funds: against what was paid out
            "paid_out": paid_out,
            "borrower": service.customer_names(uow, [loan]).get(loan.customer_id, ""),
            "classified": service.classification(uow, actor, loan_id=loan_id),
            **dated,
            **(
                {"quote": None, "quote_problem": "", "quote_date": ""}
                if loan.status in ("closed", "written_off")
                else _dated(
                    request,
                    "quote",
                    quote_date,
                    lambda day: service.quote_payoff(uow, actor, loan_id=loan.id, as_of=day),
                )
            ),
            "pending": pending_requests(uow, actor, loan_id=loan_id),
            "request_kinds": REQUEST_KINDS,
            "checked": {
                name: needs_checker(uow, company_id=loan.company_id, name=name)
                for name in CHECKED_FORMS
            },
            "business_date": today,
            "usage_late": service.verification_late(loan, today),
            "contract": contract_of(uow, loan.application_id),  # its disclosed APR (年化利率)
            "may_open_contract": actor.can("origination.view"),
            "undisbursed": service.undisbursed(uow, row),
            "notes": service.notes(uow, actor, loan_id=loan_id),
            "certificates": service.certificates(uow, actor, loan_id=loan_id),
            "receipt_kinds": RECEIPT_KINDS,
            "drawdown_kinds": DRAWDOWNS,
            "categories": CATEGORIES,
            "prohibited": PROHIBITED,
            "risk_categories": RISK_CATEGORIES,
        }
    return render_page(request, "loans/detail.html", context)


@router.get("/loans/{loan_id}/repayment-preview")
def preview_fragment(
    request: Request,
    loan_id: int,
    amount: str = "",
    value_date: str = "",
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    """The allocation the repayment form would make (htmx fragment)."""
    _ = gettext_for(request)
    posting, problem = None, ""
    if amount.strip():
        try:
            with page_uow(request, read_only=True) as uow:
                posting = service.preview(
                    uow,
                    viewer.principal,
                    loan_id=loan_id,
                    amount=amount.strip(),
                    value_date=optional_date(value_date, "value_date"),
                )
        except DomainError as error:
            problem = error_text.describe(error, _)
    return render_page(request, "loans/preview.html", {"posting": posting, "problem": problem})


def _refused(request: Request, loan_id: int, error: DomainError) -> Response:
    message = error_text.describe(error, gettext_for(request))
    return see_other(request, f"/loans/{loan_id}", Notice("error", message))


async def _run(request: Request, loan_id: int, action: Any, done: str) -> Response:
    _ = gettext_for(request)
    url = f"/loans/{loan_id}"
    try:
        with page_uow(request) as uow:
            outcome = action(uow)
            uow.commit()
    except DomainError as error:
        return _refused(request, loan_id, error)
    if isinstance(outcome, Pending):
        text = _(
            "Submitted for approval (#%(id)s). It takes effect when another user approves it."
        ) % {"id": outcome.pending_id}
        return see_other(request, url, Notice("info", text))
    return see_other(request, url, Notice("success", _(done)))


def _field(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


FormFields = Callable[[Any], Awaitable[dict[str, Any]]]


def _loan_form(
    path: str, permission: str, call: Callable[..., Any], done: str
) -> Callable[[FormFields], FormFields]:
    """Register ``POST /loans/{loan_id}/<path>``: the decorated function reads the form into the
    keywords of ``call``, a loan command run as ``viewer`` (notice ``done``, or "submitted for
    approval" when it waits for a checker)."""

    def register(fields: FormFields) -> FormFields:
        async def submit(
            request: Request, loan_id: int, viewer: Viewer = Depends(permitted(permission))
        ) -> Response:
            try:
                kwargs = await fields(await request.form())
            except DomainError as error:  # a field that cannot be read (a date that is not one)
                return _refused(request, loan_id, error)
            now = request_now(request)
            return await _run(
                request,
                loan_id,
                lambda uow: call(uow, viewer.principal, loan_id=loan_id, now=now, **kwargs),
                done,
            )

        submit.__name__ = fields.__name__
        router.post(f"/loans/{{loan_id}}/{path}")(submit)
        return fields

    return register


def _repay_or_prepay(uow: UnitOfWork, actor: Principal, *, kind: str, **kwargs: Any) -> Any:
    return (service.prepay if kind == "prepayment" else service.repay)(uow, actor, **kwargs)


@_loan_form("repay", "loans.repay", _repay_or_prepay, N_("The repayment is recorded."))
async def repay(form: Any) -> dict[str, Any]:
    kind = _field(form, "kind") or "repayment"
    if kind not in ("repayment", "prepayment"):  # never read as a repayment
        raise ValidationFailed("repayment or prepayment", field="kind")
    return {
        "kind": kind,
        "amount": _field(form, "amount"),
        "value_date": optional_date(_field(form, "value_date"), "value_date"),
        "channel": _field(form, "channel") or "bank",
        "external_reference": _field(form, "external_reference") or None,
    }


@_loan_form("refund", "loans.repay", service.refund, N_("The refund is recorded."))
async def refund(form: Any) -> dict[str, Any]:
    return {"amount": _field(form, "amount")}


@_loan_form("waive", WAIVE, service.waive, N_("The waiver is recorded."))
async def waive(form: Any) -> dict[str, Any]:
    names = ("component", "amount", "reason")
    return {name: _field(form, name) for name in names}


@_loan_form("reschedule", RESCHEDULE, service.reschedule, N_("The loan is rescheduled."))
async def reschedule(form: Any) -> dict[str, Any]:
    term = _field(form, "term")
    return {
        "term": int(term) if term.isdigit() else 0,
        "annual_rate": _field(form, "annual_rate") or None,  # the service checks it
        "method": _field(form, "method") or None,
        "first_due_date": optional_date(_field(form, "first_due_date"), "first_due_date"),
        "grace_principal_periods": _field(form, "grace_principal_periods") or 0,
        "capitalise_arrears": bool(form.get("capitalise_arrears")),
        "reason": _field(form, "reason"),
    }


@_loan_form("accelerate", ACCELERATE, service.accelerate, N_("The loan is called due."))
async def accelerate(form: Any) -> dict[str, Any]:
    return {
        "value_date": optional_date(_field(form, "value_date"), "value_date"),
        "reason": _field(form, "reason"),
    }


@_loan_form("write-off", WRITE_OFF_CODE, service.write_off, N_("The loan is written off."))
async def write_off(form: Any) -> dict[str, Any]:
    return {"reason": _field(form, "reason")}


@_loan_form("recover", "loans.repay", service.recover, N_("The recovery is recorded."))
async def recover(form: Any) -> dict[str, Any]:
    return {
        "amount": _field(form, "amount"),
        "channel": _field(form, "channel") or "bank",
        "external_reference": _field(form, "external_reference") or None,
    }


@_loan_form(
    "classification-adjust",
    ADJUST_CLASSIFICATION,
    service.adjust_classification,
    N_("The classification is adjusted."),
)
async def adjust_classification(form: Any) -> dict[str, Any]:
    return {"category": _field(form, "category"), "reason": _field(form, "reason")}


@_loan_form(
    "classification-restore",
    ADJUST_CLASSIFICATION,
    service.restore_classification,
    N_("The loan takes the computed classification again."),
)
async def restore_classification(form: Any) -> dict[str, Any]:
    return {"reason": _field(form, "reason")}


@_loan_form("notes", VIEW, service.add_note, N_("The note is added."))
async def add_note(form: Any) -> dict[str, Any]:
    return {"body": _field(form, "body")}


@_loan_form(
    "fund-usage", "loans.fund_usage.record", service.record_usage, N_("The fund usage is recorded.")
)
async def fund_usage(form: Any) -> dict[str, Any]:
    upload = form.get("evidence")
    content = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    return {
        "amount": _field(form, "amount"),
        "used_on": optional_date(_field(form, "used_on"), "used_on") or date.min,
        "counterparty": _field(form, "counterparty"),
        "category": _field(form, "category"),
        "description": _field(form, "description"),
        "evidence": content or None,
        "evidence_name": getattr(upload, "filename", None) if content else None,
    }


@_loan_form(
    "payoff-certificate",
    "loans.certificate.issue",
    service.issue_certificate,
    N_("The payoff certificate is issued."),
)
async def payoff_certificate(form: Any) -> dict[str, Any]:
    return {}


@router.post("/loans/{loan_id}/events/{event_id}/reverse")
async def reverse(
    request: Request,
    loan_id: int,
    event_id: int,
    viewer: Viewer = Depends(permitted("loans.repayment.reverse")),
) -> Response:
    form = await request.form()
    now = request_now(request)
    return await _run(
        request,
        loan_id,
        lambda uow: service.reverse(
            uow,
            viewer.principal,
            loan_id=loan_id,
            event_id=event_id,
            reason=_field(form, "reason"),
            now=now,
        ),
        N_("The transaction is reversed."),
    )


# The codes the loan templates show through ``_(code)``, marked so that the catalog translates
# them: loan and installment statuses, event kinds, allocation components, fund usage, payees,
# repayment channels. English reads those that are not words as the words the ``en`` catalog
# gives them (web/locale/en: ``partially_paid`` is "partially paid").
CODE_WORDS = (
    N_("approved_not_disbursed"), N_("active"), N_("overdue"), N_("closed"), N_("written_off"),
    N_("rescheduled"), N_("paid"), N_("due"), N_("partially_paid"), N_("future"),
    N_("disbursement"), N_("repayment"), N_("prepayment"), N_("waiver"), N_("refund"),
    N_("reversal"), N_("reschedule"), N_("tranche"), N_("write_off"), N_("recovery"),
    N_("acceleration"),
    N_("credit_application"),
    N_("penalty"), N_("fee"), N_("interest"), N_("principal"),
    N_("unverified"), N_("partially_verified"), N_("fully_verified"), N_("misused"),
    N_("verification_late"),
    N_("inventory"), N_("equipment"), N_("operating"), N_("wages"), N_("rent"),
    N_("consumption"), N_("education"), N_("medical"), N_("housing_decoration"), N_("other"),
    N_("securities"), N_("futures"), N_("real_estate_speculation"), N_("equity_investment"),
    N_("lending_on"), N_("gambling"),
    N_("borrower"), N_("seller"),
    N_("bank"), N_("cash"), N_("wechat"), N_("alipay"), N_("deduction"),  # repayment channels
)  # fmt: skip

"""贷款台账 as an Excel workbook from the loan list (its filters, the reader's language): one row
per loan with its terms and its position as last refreshed. ``loans.ledger_export`` audits it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.accounting.api_reports import xlsx_response
from microlend.accounting.exports import rows_xlsx
from microlend.loans import service
from microlend.loans.ledger_export import LedgerLine
from microlend.loans.pages import ListQuery
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "loans.view"


def N_(message: str) -> str:  # marks a header for the catalog; translated per reader below
    return message


COLUMNS = (
    N_("Loan number"), N_("Contract number"), N_("Borrower"), N_("Office"), N_("Product"),
    N_("Currency"), N_("Principal"), N_("Annual rate (%)"), N_("Disbursed on"),
    N_("Maturity date"), N_("Outstanding principal"), N_("Overdue amount"), N_("Days past due"),
    N_("Next due date"), N_("Next due amount"), N_("Credit balance"), N_("Interest owed"),
    N_("Penalty owed"), N_("Principal written off"), N_("Recovered"),
    N_("Interest off balance"), N_("Status"), N_("Classification"), N_("Closed on"),
    N_("Position as of"),
)  # fmt: skip
CATEGORY_NAMES = {
    "normal": N_("Normal"), "special_mention": N_("Special mention"),
    "substandard": N_("Substandard"), "doubtful": N_("Doubtful"), "loss": N_("Loss"),
}  # fmt: skip


def ledger_rows(lines: list[LedgerLine], translate: Callable[[str], str]) -> Iterator[list[object]]:
    """The header in the reader's language, then a row per loan (amounts as Decimal)."""
    yield [translate(column) for column in COLUMNS]
    for line in lines:
        loan = line.loan
        yield [
            loan.number,
            loan.contract_number,
            line.borrower,
            line.office,
            loan.product_code,
            loan.currency,
            loan.principal,
            loan.annual_rate,
            loan.disbursement_date.isoformat(),
            loan.maturity_date.isoformat(),
            loan.outstanding_principal,
            loan.overdue_amount,
            loan.days_past_due,
            loan.next_due_date.isoformat() if loan.next_due_date else "",
            loan.next_due_amount,
            loan.credit_balance,
            loan.outstanding_interest,
            loan.outstanding_penalty,
            loan.written_off,
            loan.recovered,
            loan.off_balance_interest,
            translate(loan.status),
            translate(CATEGORY_NAMES[line.category]) if line.category else "",
            loan.closed_on.isoformat() if loan.closed_on else "",
            loan.position_as_of.isoformat(),
        ]


@router.get("/loans/ledger.xlsx")
def ledger_download(
    request: Request,
    query: Annotated[ListQuery, Depends()],
    viewer: Viewer = Depends(permitted(VIEW)),
) -> Response:
    """Every loan the list shows with the same query (all its pages)."""
    actor = viewer.principal
    translate = gettext_for(request)
    with page_uow(request, read_only=True) as uow:
        filters, _offices, _office_id = query.filters(uow, actor)
        content = service.export_ledger(
            uow,
            actor,
            filters,
            format="xlsx",
            render=lambda lines: rows_xlsx(ledger_rows(lines, translate), "ledger"),
            now=request_now(request),
        )
        day = service.business_date(uow, actor.company_id)
    return xlsx_response(content, f"loan-ledger-{day.isoformat()}")

"""还款计划表: a loan's schedule as an Excel workbook for the borrower (who asks for it at
signing and after every change), its headers and statuses in the reader's language: each
installment's due date, what it charges, what is paid, waived and left, and its status, at the
end of a day (``as_of``, default the business date: the loan page links the day it shows)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.accounting.api_reports import download
from microlend.loans import service
from microlend.loans.views import InstallmentView, installment_at
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import optional_date
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "loans.view"


def N_(message: str) -> str:  # marks a header for the catalog; translated per reader below
    return message


COLUMNS = (
    N_("No."), N_("Due date"), N_("Principal"), N_("Interest"), N_("Fee"), N_("Penalty"),
    N_("Paid"), N_("Waived"), N_("Outstanding"), N_("Status"),
)  # fmt: skip


def schedule_rows(
    installments: list[InstallmentView], translate: Callable[[str], str]
) -> Iterator[list[object]]:
    """The header in the reader's language, then a row per installment (amounts as Decimal)."""
    yield [translate(column) for column in COLUMNS]
    for i in installments:
        yield [
            i.n,
            i.due_date.isoformat(),
            i.principal_due,
            i.interest_due,
            i.fee_due,
            i.penalty_due,
            i.paid,
            i.waived,
            i.outstanding,
            translate(i.status),
        ]


@router.get("/loans/{loan_id}/schedule.xlsx")
def schedule_download(
    request: Request, loan_id: int, as_of: str = "", viewer: Viewer = Depends(permitted(VIEW))
) -> Response:
    actor = viewer.principal
    with page_uow(request, read_only=True) as uow:
        loan = service.get_loan(uow, actor, loan_id=loan_id)
        day = optional_date(as_of, "as_of")
        here = service.loan_position(uow, actor, loan_id=loan_id, as_of=day)
    rows = schedule_rows([installment_at(row) for row in here.installments], gettext_for(request))
    return download(rows, "xlsx", f"{loan.number}-schedule-{here.as_of.isoformat()}")

"""贷款台账: the loan ledger handed out as a file, every loan the reader sees that the filters of
the loan list keep, with its position as last refreshed (by the close of business or its last
command, ``position_as_of``). It names borrowers and carries every balance: an export, so it
needs ``reports.export`` and is audited (``db.export_audit``, command ``loans.ledger.export``,
the request being the filters and the format)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from microlend.db.export_audit import record_export
from microlend.db.uow import UnitOfWork
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.principal import Principal, require
from microlend.loans.queries import (
    LoanFilters,
    customer_names,
    filtered_loans,
    loan_categories,
)
from microlend.loans.views import LoanView
from microlend.orgs.tables import Office

PERMISSION = "reports.export"
EXPORT_COMMAND = "loans.ledger.export"
MAX_LOANS = 20_000  # one file; narrow the filters for more
_BATCH = 500  # loans read a query at a time (list_loans' largest page)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    loan: LoanView
    borrower: str
    office: str
    category: str  # 五级分类 by the last close of business ("": none yet)


def ledger_lines(uow: UnitOfWork, actor: Principal, filters: LoanFilters) -> list[LedgerLine]:
    """The loans (scoped, filtered) in the list's order, with their borrowers' and offices'
    names."""
    require(actor, PERMISSION)
    loans: list[LoanView] = []
    while True:
        after = loans[-1].id if loans else None
        batch = filtered_loans(uow, actor, filters, after_id=after, limit=_BATCH)
        loans.extend(batch)
        if len(loans) > MAX_LOANS:
            raise ValidationFailed(
                "at most %(max_loans)s loans in one file: choose an office or a status",
                field="office",
                params={"max_loans": MAX_LOANS},
            )
        if len(batch) < _BATCH:
            break
    names, categories = customer_names(uow, loans), loan_categories(uow, loans)
    office_ids = sorted({loan.office_id for loan in loans})
    offices = dict(
        uow.session.execute(select(Office.id, Office.name).where(Office.id.in_(office_ids))).all()
    )
    return [
        LedgerLine(
            loan,
            names.get(loan.customer_id, ""),
            offices[loan.office_id],
            categories.get(loan.id, ""),
        )
        for loan in loans
    ]


def export_ledger(
    uow: UnitOfWork,
    actor: Principal,
    filters: LoanFilters,
    *,
    format: str,
    render: Callable[[list[LedgerLine]], bytes],
    now: datetime,
) -> bytes:
    """The ledger rendered by ``render``, its export audited: the bytes to hand out are those
    whose SHA-256 the record holds."""
    content = render(ledger_lines(uow, actor, filters))
    request = {**filters.request(), "format": format}
    record_export(uow, actor, command=EXPORT_COMMAND, request=request, content=content, now=now)
    return content

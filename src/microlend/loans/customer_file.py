"""The loans context's contribution to the customer 360 (found by ``customers.extensions``): the
customer's loans, search by loan number, outstanding exposure and repayment behaviour (from
the loans' position snapshots, which every command and close of business refresh); and who
holds a borrower: the office where a loan of theirs on the book is booked (``owing``), whose
officer taking the borrower over takes over its loans too (``hand_over``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, func, select, update

from microlend.customers.views import File360Section, RepaymentBehaviour
from microlend.db.scope import apply_scope
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.loans.records import money
from microlend.loans.tables import Loan, LoanInstallment

MAX_ROWS = 100


def N_(message: str) -> str:
    return message


ON_BOOK = ("active", "overdue", "rescheduled")
DEFAULT_DPD = 90  # more than 90 days past due, or written off, is a default


def file_sections(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> list[File360Section]:
    if not actor.can("loans.view"):
        return []
    stmt = apply_scope(select(Loan).where(Loan.customer_id == customer_id), actor, Loan)
    rows = list(uow.session.scalars(stmt.order_by(Loan.id.desc()).limit(MAX_ROWS)))
    return [
        File360Section(
            key="loans",
            title=N_("Loans"),
            columns=(
                N_("Number"),
                N_("Principal"),
                N_("Outstanding principal"),
                N_("DPD"),
                N_("Status"),
                N_("Date"),
            ),
            rows=tuple(
                (
                    row.number,
                    f"{row.currency} {money(row.principal_minor, row.currency):,.2f}",
                    f"{row.currency} {money(row.outstanding_principal_minor, row.currency):,.2f}",
                    str(row.days_past_due),
                    row.status,
                    row.disbursement_date.isoformat(),
                )
                for row in rows
            ),
            links=tuple(f"/loans/{row.id}" for row in rows),
            empty_text=N_("No loans yet."),
            translated=(4,),  # the status: one of the loan pages' CODE_WORDS
        )
    ]


def customers_by_number(uow: UnitOfWork, actor: Principal, *, number: str) -> list[int]:
    if not actor.can("loans.view") or not number.strip():
        return []
    stmt = apply_scope(
        select(Loan.customer_id).where(Loan.number == number.strip().upper()), actor, Loan
    )
    return sorted(set(uow.session.scalars(stmt)))


def exposure(uow: UnitOfWork, customer_ids: frozenset[int]) -> dict[int, Decimal]:
    """Outstanding principal of the customers' loans on the books."""
    stmt = (
        select(Loan.customer_id, func.sum(Loan.outstanding_principal_minor))
        .where(Loan.customer_id.in_(sorted(customer_ids)), Loan.status.in_(ON_BOOK))
        .group_by(Loan.customer_id)
    )
    return {cid: money(int(total or 0)) for cid, total in uow.session.execute(stmt)}


def repayment_behaviour(
    uow: UnitOfWork, customer_ids: frozenset[int]
) -> dict[int, RepaymentBehaviour]:
    """Worst and current DPD, installments paid late or still late, default (>90 DPD or
    written off)."""
    found: dict[int, RepaymentBehaviour] = {}
    loans = uow.session.execute(
        select(
            Loan.id, Loan.customer_id, Loan.days_past_due, Loan.max_days_past_due, Loan.status
        ).where(Loan.customer_id.in_(sorted(customer_ids)))
    ).all()
    late = (
        dict(
            uow.session.execute(
                select(LoanInstallment.loan_id, func.count())
                .where(
                    LoanInstallment.loan_id.in_([row.id for row in loans]),
                    LoanInstallment.days_past_due > 0,
                )
                .group_by(LoanInstallment.loan_id)
            ).all()
        )
        if loans
        else {}
    )
    for row in loans:
        mine = RepaymentBehaviour(
            max_dpd=max(row.max_days_past_due, row.days_past_due),
            current_dpd=row.days_past_due if row.status in ON_BOOK else 0,
            late_payments=int(late.get(row.id, 0)),
            in_default=row.status == "written_off" or row.days_past_due > DEFAULT_DPD,
        )
        before = found.get(row.customer_id)
        found[row.customer_id] = (
            mine
            if before is None
            else RepaymentBehaviour(
                max(before.max_dpd, mine.max_dpd),
                max(before.current_dpd, mine.current_dpd),
                before.late_payments + mine.late_payments,
                before.in_default or mine.in_default,
            )
        )
    return found


def owing(customer_id: ColumnElement[int], office_id: int | None) -> ColumnElement[bool]:
    """Whether the customer ``customer_id`` (a column) has a loan on the book booked at an office
    other than ``office_id`` (at any office when None): a correlated ``EXISTS``, which
    PostgreSQL runs through the loans' customer index, for one customer or a list's page."""
    found = [Loan.customer_id == customer_id, Loan.status.in_(ON_BOOK)]
    if office_id is not None:
        found.append(Loan.office_id != office_id)
    return exists().where(*found)


def hand_over(uow: UnitOfWork, customer_id: int, *, to_user_id: int, now: datetime) -> list[int]:
    """The customer's loans on the book go to officer ``to_user_id`` (管户: the officer who
    follows them up), who has taken the customer over; their ids."""
    moved = uow.session.execute(
        update(Loan)
        .where(
            Loan.customer_id == customer_id,
            Loan.status.in_(ON_BOOK),
            Loan.owner_id != to_user_id,
        )
        .values(owner_id=to_user_id, updated_at=now)
        .returning(Loan.id)
    )
    return sorted(moved.scalars())

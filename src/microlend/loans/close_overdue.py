"""Due and overdue (step DUE_AND_OVERDUE) and penalty interest (step PENALTY), per range of loans.

Due and overdue, set-based: installments due today become ``due``; those past due with arrears
become ``overdue`` and so does their loan. The principal past due is carried in 130302 逾期贷款:
``loans.booked_overdue_principal_minor`` is brought to the unpaid principal of the installments
past due (the transfer of the day, + to overdue or - back, in ``loan_accruals``).

Penalty (罚息, docs/loan-engine.md): for each installment past due with a base, the nights from
the loan's ``position_as_of`` (the day the engine or the last close of business priced it) to D
are charged at the rounded daily amount ``base x rate x multiplier / 100 / year days``; with a
grace of N days nothing is charged until D - due > N, then the nights from day 1. The base is
the unpaid principal (and the unpaid interest for the ``overdue_installment`` base or 复利).
The charge goes to the installment, ``booked_penalty_minor`` (Dr 122102 / Cr 6051) and the day's
accrual row; ``position_as_of`` becomes D, so a re-run charges nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, func, select, update

from microlend.db.eod import Counts
from microlend.db.uow import UnitOfWork
from microlend.kernel.daycount import DayCount
from microlend.kernel.money import Rounding, quantum
from microlend.loans.close_sql import arrears, open_loans, rowcount, table
from microlend.loans.tables import Loan, LoanInstallment
from microlend.loans.tables_close import LoanAccrual, LoanCloseState

Inst = LoanInstallment


def _in_range(company_id: int, low: int, high: int) -> list[ColumnElement[bool]]:
    return [
        Inst.company_id == company_id,
        Inst.loan_id >= low,
        Inst.loan_id <= high,
        Inst.loan_id.in_(select(Loan.id).where(*open_loans(company_id, low, high))),
    ]


def due_and_overdue(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int
) -> Counts:
    where = _in_range(company_id, id_low, id_high)
    s = uow.session
    s.execute(
        update(Inst)
        .where(*where, Inst.due_date == day, Inst.status == "future", arrears() > 0)
        .values(status="due"),
        execution_options={"synchronize_session": False},
    )
    became = rowcount(
        s.execute(
            update(Inst)
            .where(*where, Inst.due_date < day, Inst.status.in_(("future", "due")), arrears() > 0)
            .values(status="overdue"),
            execution_options={"synchronize_session": False},
        )
    )
    late = exists().where(Inst.loan_id == Loan.id, Inst.due_date < day, arrears() > 0)
    new_overdue = rowcount(
        s.execute(
            update(Loan)
            .where(*open_loans(company_id, id_low, id_high), Loan.status != "overdue", late)
            .values(status="overdue"),
            execution_options={"synchronize_session": False},
        )
    )
    unpaid = Inst.principal_due_minor - Inst.principal_paid_minor
    target = (
        select(func.coalesce(func.sum(case((unpaid > 0, unpaid), else_=0)), 0))
        .where(Inst.loan_id == Loan.id, Inst.due_date < day)
        .scalar_subquery()
    )
    moving = s.execute(
        select(Loan.id, target - Loan.booked_overdue_principal_minor).where(
            *open_loans(company_id, id_low, id_high),
            target != Loan.booked_overdue_principal_minor,
        )
    ).all()
    if moving:
        changes = [{"k": loan_id, "amount": int(amount)} for loan_id, amount in moving]
        _add(uow, day, "overdue_principal_minor", changes)
        t = table(Loan)
        s.execute(
            update(t)
            .where(t.c.id == bindparam("k"))
            .values(
                booked_overdue_principal_minor=t.c.booked_overdue_principal_minor
                + bindparam("amount")
            ),
            changes,
            execution_options={"synchronize_session": False},
        )
    return {
        "installments_overdue": int(became),
        "new_overdue": int(new_overdue),
        "overdue_transfers": len(moving),
    }


def _add(uow: UnitOfWork, day: date, column: str, changes: list[dict[str, int]]) -> None:
    a = table(LoanAccrual)
    uow.session.execute(
        update(a)
        .where(a.c.loan_id == bindparam("k"), a.c.business_date == day)
        .values({column: a.c[column] + bindparam("amount")}),
        changes,
        execution_options={"synchronize_session": False},
    )


def penalty_nights(day: date, priced_to: date, due: date, grace: int) -> int:
    """Penalty nights charged by the end of ``day`` and not by the end of ``priced_to``."""

    def charged(x: date) -> int:
        nights = (x - due).days
        return nights if nights > grace else 0

    return charged(day) - charged(priced_to)


def charge_penalty(
    uow: UnitOfWork, company_id: int, day: date, id_low: int, id_high: int
) -> Counts:
    base = Inst.principal_due_minor - Inst.principal_paid_minor
    with_interest = base + case(
        (
            Inst.interest_due_minor > Inst.interest_paid_minor,
            Inst.interest_due_minor - Inst.interest_paid_minor,
        ),
        else_=0,
    )
    s = LoanCloseState
    rows = uow.session.execute(
        select(
            Inst.id,
            Inst.loan_id,
            Inst.due_date,
            base,
            with_interest,
            Loan.position_as_of,
            Loan.annual_rate,
            s.day_count,
            s.rounding,
            s.digits,
            s.penalty_multiplier,
            s.penalty_grace_days,
            s.penalty_with_interest,
        )
        .join(Loan, Loan.id == Inst.loan_id)
        .join(s, s.loan_id == Inst.loan_id)
        .where(*open_loans(company_id, id_low, id_high), Loan.position_as_of < day)
        .where(Inst.due_date < day, and_(with_interest > 0))
        .order_by(Inst.loan_id, Inst.n)
    ).all()
    installments: list[dict[str, int]] = []
    per_loan: dict[int, int] = {}
    for (
        iid,
        loan_id,
        due,
        principal,
        both,
        priced_to,
        rate,
        dc,
        rnd,
        digits,
        mult,
        grace,
        wi,
    ) in rows:
        amount = int(both if wi else principal)
        nights = penalty_nights(day, priced_to, due, int(grace))
        if amount <= 0 or nights <= 0:
            continue
        q = quantum(int(digits))
        daily_rate = Decimal(rate) * Decimal(mult) / 100 / DayCount(dc).year_days
        daily = (Decimal(amount) * q * daily_rate).quantize(q, rounding=Rounding(rnd).mode)
        charge = int(daily / q) * nights
        if charge:
            installments.append({"k": iid, "amount": charge})
            per_loan[loan_id] = per_loan.get(loan_id, 0) + charge
    if installments:
        t = table(Inst)
        uow.session.execute(
            update(t)
            .where(t.c.id == bindparam("k"))
            .values(
                penalty_due_minor=t.c.penalty_due_minor + bindparam("amount"),
                outstanding_minor=t.c.outstanding_minor + bindparam("amount"),
            ),
            installments,
            execution_options={"synchronize_session": False},
        )
        changes = [{"k": k, "amount": v} for k, v in per_loan.items()]
        _add(uow, day, "penalty_minor", changes)
        lt = table(Loan)
        uow.session.execute(
            update(lt)
            .where(lt.c.id == bindparam("k"))
            .values(
                booked_penalty_minor=lt.c.booked_penalty_minor + bindparam("amount"),
                outstanding_penalty_minor=lt.c.outstanding_penalty_minor + bindparam("amount"),
            ),
            changes,
            execution_options={"synchronize_session": False},
        )
    uow.session.execute(
        update(Loan)
        .where(*open_loans(company_id, id_low, id_high), Loan.position_as_of < day)
        .values(position_as_of=day),
        execution_options={"synchronize_session": False},
    )
    return {"penalty_loans": len(per_loan), "penalty_minor": sum(per_loan.values())}

"""A quote: the schedule, the APR and the total cost of a loan under a product, refused when the
request does not fit the product or the APR (IRR, fees included) exceeds the product's cap.

Pure (no I/O); named ``pricing`` rather than ``model`` because it runs the calculator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microlend.kernel.errors import RuleViolation
from microlend.kernel.money import quantum
from microlend.loans.calculator.apr import AnnualPercentageRate, schedule_apr
from microlend.loans.calculator.model import RepaymentMethod, Schedule
from microlend.loans.calculator.schedule import build_schedule
from microlend.products.model import ProductTerms, loan_problems, loan_terms


@dataclass(frozen=True, slots=True)
class Quote:
    """What a borrower would receive and pay. ``total_fees`` = upfront + per-installment fees;
    ``net_disbursed`` = amount − upfront fees; ``first_installment`` = installment 1's total."""

    schedule: Schedule
    apr: AnnualPercentageRate
    total_interest: Decimal
    total_fees: Decimal
    upfront_fees: Decimal
    net_disbursed: Decimal
    first_installment: Decimal

    @property
    def total_cost(self) -> Decimal:
        """Interest and every fee: what the loan costs beyond the principal."""
        return self.total_interest + self.total_fees

    @property
    def total_repayment(self) -> Decimal:
        """Every installment's total (principal, interest and per-installment fees)."""
        return self.schedule.total_payments


def check_apr(product: ProductTerms, apr: AnnualPercentageRate) -> None:
    """Refuse an APR above the product's cap (``apr_above_cap`` on ``annual_rate``)."""
    if apr.nominal > product.apr_cap:
        raise RuleViolation(
            "the APR of %(nominal)s%% exceeds the product's cap of %(apr_cap)s%%",
            code="apr_above_cap",
            field="annual_rate",
            extra={"apr": str(apr.nominal), "apr_cap": str(product.apr_cap)},
            params={"nominal": apr.nominal, "apr_cap": product.apr_cap},
        )


def quote(
    product: ProductTerms,
    *,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: RepaymentMethod | str,
    disbursement_date: date,
    first_due_date: date | None = None,
) -> Quote:
    """The quote of a loan under ``product``. A request outside the product's ranges is a
    ``RuleViolation`` carrying the first problem's code and field (``amount_above_maximum`` on
    ``amount``...); an APR above the cap is ``apr_above_cap`` on ``annual_rate``."""
    problems = loan_problems(
        product, amount=amount, term_count=term_count, annual_rate=annual_rate, method=method
    )
    if problems:
        first = problems[0]
        raise RuleViolation(first.template, code=first.code, field=first.field, params=first.params)
    terms = loan_terms(
        product,
        amount=amount,
        term_count=term_count,
        annual_rate=annual_rate,
        method=method,
        disbursement_date=disbursement_date,
        first_due_date=first_due_date,
    )
    schedule = build_schedule(terms)
    apr = schedule_apr(schedule)
    check_apr(product, apr)
    cent = quantum(product.digits)
    return Quote(
        schedule=schedule,
        apr=apr,
        total_interest=schedule.total_interest.quantize(cent),
        total_fees=(schedule.upfront_fee + schedule.total_fee).quantize(cent),
        upfront_fees=schedule.upfront_fee.quantize(cent),
        net_disbursed=schedule.amount_received.quantize(cent),
        first_installment=schedule.installments[0].total,
    )

"""The schedule engine: ``build_schedule(terms)`` turns loan terms into installments. Pure.

Conventions (docs/schedule-engine.md has the full list):

* Due dates are counted from an anchor: the disbursement date, or ``first_due_date`` when given
  (then installment k is due k - 1 periods after it). A business-day convention moves the due
  date; the scheduled date stays the anchor of the next one.
* A period's interest is ``base x annual_rate x fraction``, rounded per installment with the
  terms' rounding. ``base`` is the outstanding principal (the loan amount for ``flat``).
  ``fraction`` is 1 / periods-per-year on the ``period`` basis and the day count's year fraction
  of the period's dates on the ``daily`` basis. On the ``period`` basis a broken first period
  (``first_due_date`` not one period after disbursement) accrues by the day count too.
* ``equal_installment``: the level installment is the annuity over the installments after any
  grace, at the periodic rate; principal = installment - interest. A broken first period changes
  only the first installment's interest: its principal is what a regular period would give.
* ``equal_principal`` / ``flat``: the level principal is loan / installments after any grace.
* ``installment_multiple`` rounds the level amount (the installment; the principal part for
  ``equal_principal``; principal + nominal interest for ``flat``) to a multiple, with the terms'
  rounding mode.
* Whatever rounding leaves over is taken by the last installment, which repays the balance
  exactly, so the principal always sums to the loan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.kernel.calendar import BusinessDayConvention
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.money import quantum, round_to_multiple
from microlend.loans.calculator.model import (
    FeeBase,
    GraceInterest,
    Installment,
    InterestBasis,
    InterestDates,
    RepaymentMethod,
    Schedule,
    Terms,
    fee_amount,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def build_schedule(terms: Terms) -> Schedule:
    """The repayment schedule of ``terms``."""
    scheduled = scheduled_dates(terms)
    due = _adjusted(terms, scheduled)
    ends = due if terms.accrual_dates is InterestDates.ADJUSTED else scheduled
    starts = [terms.disbursement_date, *ends[:-1]]
    regular, broken = regular_rate(terms), has_broken_first_period(terms)
    rates = _period_rates(terms, regular, broken, starts, ends)
    upfront = sum(
        (fee_amount(f, terms.principal, terms.digits, terms.rounding) for f in terms.upfront_fees),
        ZERO,
    )
    if terms.method is RepaymentMethod.BULLET:
        rows = _bullet(terms, due[-1], terms.disbursement_date, ends[-1], rates)
    else:
        rows = _amortise(terms, regular, broken, due, starts, ends, rates)
    return Schedule(terms=terms, installments=rows, upfront_fee=upfront)


def scheduled_dates(terms: Terms) -> list[date]:
    """The unadjusted due date of every period."""
    dates = terms.frequency.dates_after
    if terms.first_due_date is None:
        return dates(terms.disbursement_date, 1, terms.term)
    return dates(terms.first_due_date, 0, terms.term)


def regular_rate(terms: Terms) -> Decimal:
    """The periodic rate (a fraction) of one regular period on the ``period`` basis."""
    per_year = terms.frequency.periods_per_year(terms.day_count.year_days)
    return terms.annual_rate / (HUNDRED * per_year)


def has_broken_first_period(terms: Terms) -> bool:
    first = terms.first_due_date
    return first is not None and first != terms.frequency.date_after(terms.disbursement_date, 1)


def _adjusted(terms: Terms, scheduled: list[date]) -> list[date]:
    if terms.business_day is BusinessDayConvention.NONE:
        return scheduled
    adjust, convention = terms.calendar.adjust, terms.business_day
    due = [adjust(day, convention) for day in scheduled]
    if due[0] <= terms.disbursement_date:
        raise ValidationFailed(
            "moves the first due date onto or before the disbursement date", field="business_day"
        )
    return due


def _period_rates(
    terms: Terms, regular: Decimal, broken: bool, starts: list[date], ends: list[date]
) -> list[Decimal]:
    """Each period's interest rate as a fraction of the base."""
    annual = terms.annual_rate / HUNDRED
    fraction = terms.day_count.year_fraction
    if terms.interest_basis is InterestBasis.DAILY:
        return [annual * fraction(s, e) for s, e in zip(starts, ends, strict=True)]
    rates = [regular] * terms.term
    if broken:
        rates[0] = annual * fraction(starts[0], ends[0])
    return rates


def _bullet(
    terms: Terms, due: date, start: date, end: date, rates: list[Decimal]
) -> tuple[Installment, ...]:
    """One installment at maturity: the principal and the simple interest of every period."""
    q, mode = quantum(terms.digits), terms.rounding.mode
    interest = (terms.principal * sum(rates, ZERO)).quantize(q, rounding=mode)
    fee = _fixed_installment_fee(terms) + _balance_fee(terms, terms.principal)
    principal = terms.principal.quantize(q)
    total = principal + interest + fee
    return (Installment(1, due, principal, interest, fee, total, q * 0, start, end),)


def _amortise(
    terms: Terms,
    regular: Decimal,
    broken: bool,
    due: list[date],
    starts: list[date],
    ends: list[date],
    rates: list[Decimal],
) -> tuple[Installment, ...]:
    q, mode = quantum(terms.digits), terms.rounding.mode
    zero = q * 0
    method, loan, last = terms.method, terms.principal.quantize(q), terms.term
    level = _level_principal_or_installment(terms, regular)
    grace, interest_grace = terms.principal_grace, terms.grace_interest_periods
    defer = terms.grace_interest is GraceInterest.DEFERRED
    annuity = method is RepaymentMethod.EQUAL_INSTALLMENT
    pays_principal_early = method is not RepaymentMethod.INTEREST_ONLY
    flat = method is RepaymentMethod.FLAT
    fixed_fee = _fixed_installment_fee(terms)
    balance_fees = any(f.base is FeeBase.BALANCE for f in terms.installment_fees)
    balance, deferred, squeezed = loan, zero, False
    rows: list[Installment] = []
    new = tuple.__new__  # a NamedTuple without its keyword-handling constructor: hot loop
    for k in range(1, last + 1):
        rate = rates[k - 1]
        accrued = ((loan if flat else balance) * rate).quantize(q, mode)
        if k <= interest_grace:
            interest = zero
            if defer:
                deferred += accrued
        else:
            interest, deferred = accrued + deferred, zero
        if k == last:
            principal = balance
        elif k <= grace or not pays_principal_early:
            principal = zero
        else:
            if annuity:
                reference = accrued
                if k == 1 and broken:
                    reference = (balance * regular).quantize(q, mode)
                principal = level - reference
                if principal < 0:
                    principal, squeezed = zero, True
            else:
                principal = level
            if principal >= balance:
                _repaid_too_early(terms, squeezed)
        fee = fixed_fee + _balance_fee(terms, balance) if balance_fees else fixed_fee
        balance -= principal
        total = principal + interest + fee if fee else principal + interest
        row = (k, due[k - 1], principal, interest, fee, total, balance, starts[k - 1], ends[k - 1])
        rows.append(new(Installment, row))
    return tuple(rows)


def _level_principal_or_installment(terms: Terms, rate: Decimal) -> Decimal:
    """The level installment (equal_installment) or level principal part (equal_principal, flat)."""
    q, rounding, multiple = quantum(terms.digits), terms.rounding, terms.installment_multiple
    count = terms.term - terms.principal_grace
    loan = terms.principal
    if terms.method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = loan / count if rate == 0 else loan * rate / (1 - (1 + rate) ** -count)
    elif terms.method is RepaymentMethod.FLAT and multiple is not None:
        nominal_interest = (loan * rate).quantize(q, rounding=rounding.mode)
        level = round_to_multiple(loan / count + nominal_interest, multiple, rounding)
        return _positive(level - nominal_interest)
    else:
        level = loan / count
    if multiple is None:
        return level.quantize(q, rounding=rounding.mode)
    return _positive(round_to_multiple(level, multiple, rounding))


def _positive(level: Decimal) -> Decimal:
    if level <= 0:
        raise ValidationFailed(
            "is larger than the level amount it rounds", field="installment_multiple"
        )
    return level


def _repaid_too_early(terms: Terms, squeezed: bool) -> None:
    """The level amount repays the loan before the last installment: refuse the terms."""
    if squeezed:
        raise ValidationFailed(
            "daily interest of the long periods exceeds the level installment, so the loan "
            "cannot amortise evenly; use the period basis or a shorter term",
            field="interest_basis",
        )
    if terms.installment_multiple is not None:
        raise ValidationFailed(
            "is so large that the loan is repaid before the last installment",
            field="installment_multiple",
        )
    raise ValidationFailed(
        "is too small to spread over %(term)s installments at %(digits)s digits",
        field="principal",
        params={"term": terms.term, "digits": terms.digits},
    )


def _fixed_installment_fee(terms: Terms) -> Decimal:
    loan, digits, rounding = terms.principal, terms.digits, terms.rounding
    zero = quantum(digits) * 0
    return sum(
        (
            fee_amount(fee, loan, digits, rounding)
            for fee in terms.installment_fees
            if fee.base is FeeBase.PRINCIPAL or fee.amount is not None
        ),
        zero,
    )


def _balance_fee(terms: Terms, balance: Decimal) -> Decimal:
    digits, rounding = terms.digits, terms.rounding
    return sum(
        (
            fee_amount(fee, balance, digits, rounding)
            for fee in terms.installment_fees
            if fee.base is FeeBase.BALANCE and fee.amount is None
        ),
        ZERO,
    )

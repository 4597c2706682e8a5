"""The product's prepayment fee (提前还款违约金) on a prepayment or a payoff, from the loan's
position on the prepayment's date. Pure.

A prepayment pays, in order, what is past due and due, the interest accrued to the date and the
fee, then principal not yet due (docs/loan-engine.md). So the money for the fee and the prepaid
principal is the payment plus the credit balance, less what is past due and due and the
accrued interest. A fee on the principal prepaid (``base="principal"``) is charged on the
largest principal that fits in that money together with its own fee; a fee on the balance
(``base="balance"``) on the principal outstanding before the prepayment; a fixed fee as it is.
"""

from __future__ import annotations

from decimal import Decimal

from microlend.kernel.money import quantum
from microlend.loans.engine import Position
from microlend.products.model import ProductTerms, prepayment_fee

ZERO = Decimal(0)


def fee_of_prepayment(product: ProductTerms, here: Position, amount: Decimal) -> Decimal:
    """The fee of a prepayment of ``amount`` on ``here.as_of`` (nothing to prepay: none)."""
    if not product.prepayment_fees:
        return ZERO
    available = amount + here.credit_balance - here.due_amount - here.accrued_interest
    rest = here.not_due.principal
    if available <= 0 or rest <= 0:
        return ZERO

    def fee(principal: Decimal) -> Decimal:
        return prepayment_fee(
            product, prepaid_principal=principal, balance_before=here.outstanding_principal
        )

    if rest + fee(rest) <= available:
        return fee(rest)
    step = quantum(product.digits)
    low, high = 0, int(min(rest, available) / step)  # in the smallest units
    while low < high:  # the largest principal that fits with its own fee
        middle = (low + high + 1) // 2
        if middle * step + fee(middle * step) <= available:
            low = middle
        else:
            high = middle - 1
    return fee(low * step)


def fee_of_payoff(product: ProductTerms, here: Position) -> Decimal:
    """The fee of settling the loan on ``here.as_of`` (none once no installment is ahead)."""
    if not product.prepayment_fees or here.next_due_date is None:
        return ZERO
    return prepayment_fee(
        product,
        prepaid_principal=here.not_due.principal,
        balance_before=here.outstanding_principal,
    )

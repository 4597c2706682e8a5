"""How the demo's loan officer checks the use of the funds (资金用途核查), drawn from a seeded
``random.Random`` of its own (so the rest of the demo draws what it drew before).

=========  ======  ===========================================================================
outcome    share   records, 5 to 25 days after disbursement
=========  ======  ===========================================================================
verified   75 %    what the borrower received, in one or two records with an invoice each
partial    12 %    40 to 70 % of it, with an invoice
misused     5 %    a fifth to a half of it into securities (a prohibited use): the loan is
                   marked misused, whatever else is evidenced
unchecked   8 %    nothing: from the day after the 30-day deadline the loan is on the list's
                   "verification overdue"
=========  ======  ===========================================================================

The records are the officer's, made through ``loans.record_usage`` like the loan page's form; the
category follows the product (stock for a business loan, decoration for a consumer one,
working capital for an enterprise)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from microlend.cli.demo_behaviour import weighted_pick
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.loans import service as loans
from microlend.loans.fund_usage import usage_evidence
from microlend.loans.tables import Loan

SHARES = (("verified", 0.75), ("partial", 0.12), ("misused", 0.05), ("unchecked", 0.08))
# what the demo's products lend for, and who is paid
USES = {
    "IND-BIZ": ("inventory", ("批发市场", "农贸批发中心", "服装城商户")),
    "IND-CON": ("housing_decoration", ("家居建材城", "装饰工程公司")),
    "SME-WC": ("operating", ("原材料供应商", "设备配件公司", "物流服务商")),
}
CENT = Decimal("0.01")


def _share(received: Decimal, rng: random.Random, low: int, high: int) -> Decimal:
    """``low`` to ``high`` per cent of ``received``, to the cent."""
    return (received * rng.randint(low, high) / 100).quantize(CENT)


@dataclass(frozen=True)
class UsageCheck:
    day: date
    outcome: str


def draw_check(rng: random.Random, disbursed_on: date) -> UsageCheck:
    outcome = weighted_pick(rng, SHARES)
    return UsageCheck(disbursed_on + timedelta(days=rng.randint(5, 25)), outcome)


def record_check(
    uow: UnitOfWork,
    officer: Principal,
    loan_id: int,
    check: UsageCheck,
    rng: random.Random,
    now: datetime,
) -> None:
    """Record what ``check`` found on the loan."""
    row = uow.session.get_one(Loan, loan_id)
    _evidenced, received = usage_evidence(uow, row)
    category, payees = USES.get(row.product_code, ("other", ("供应商",)))
    if check.outcome == "verified":
        first = _share(received, rng, 40, 70)
        parts = [received] if rng.random() < 0.5 else [first, received - first]
    elif check.outcome == "partial":
        parts = [_share(received, rng, 40, 70)]
    elif check.outcome == "misused":
        parts = [_share(received, rng, 20, 50)]
        category, payees = "securities", ("证券公司",)
    else:
        return
    for n, amount in enumerate(parts, start=1):
        loans.record_usage(
            uow,
            officer,
            loan_id=loan_id,
            amount=amount,
            used_on=check.day - timedelta(days=rng.randint(0, 3)),
            counterparty=rng.choice(payees),
            category=category,
            evidence=f"demo invoice {n} of loan {loan_id}".encode(),
            evidence_name=f"发票{n}.jpg",
            now=now,
        )

"""What the demo's borrowers ask for: the product, the amount (within the product's range and
about 30 % of the applicant's income over the term), term, rate, method, purpose, guarantor and
collateral, for a customer registered on the spot."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from microlend.cli.demo_origination import Request
from microlend.cli.demo_people import Enterprise, People, Person
from microlend.db.uow import UnitOfWork

D = Decimal


def amount_between(low: int, high: int, rng: random.Random) -> Decimal:
    return D(rng.randrange(low // 1000, high // 1000 + 1) * 1000)


def draw_request(
    uow: UnitOfWork, people: People, versions: dict[str, int], day: date, kind: str
) -> Request:
    """A request for a loan of product ``kind`` by a new customer (with a guarantor and
    collateral where the product or chance calls for them), sized to the customer's income."""
    rng = people.rng
    if kind == "SME-WC":
        firm: Enterprise = people.enterprise(uow, on=day)
        term = rng.choice((6, 12, 12, 18))
        return Request(
            firm.customer_id,
            versions[kind],
            "enterprise",
            amount_between(50_000, 150_000, rng),
            term,
            D(rng.choice(("8", "10", "13"))),
            rng.choice(("equal_principal", "interest_only")),
            "采购原材料，补充流动资金",
            guarantor_id=firm.owner.customer_id,
            guarantor_relation="实际控制人连带责任保证",
            collateral=("receivable", "应收账款质押", amount_between(80_000, 300_000, rng))
            if rng.random() < 0.4
            else None,
        )
    person: Person = people.person(uow, on=day)
    term = rng.choice((6, 12, 12, 12, 24)) if kind == "IND-BIZ" else rng.choice((6, 12, 12))
    ceiling = int(person.monthly_income * term * D("0.3")) // 1000 * 1000
    limit = 200_000 if kind == "IND-BIZ" else 50_000
    amount = D(max(5000, min(limit, ceiling, rng.randrange(5, 60) * 1000)))
    rates = ("11", "14", "18") if kind == "IND-BIZ" else ("13", "16", "20")
    guarantor = None
    if kind == "IND-BIZ" and rng.random() < 0.5:
        spouse = people.person(uow, on=day, male=rng.random() < 0.4)
        people.link(uow, person.customer_id, spouse.customer_id, "spouse")
        guarantor = spouse.customer_id
    return Request(
        person.customer_id,
        versions[kind],
        "individual",
        amount,
        term,
        D(rng.choice(rates)),
        "equal_installment"
        if kind == "IND-CON"
        else rng.choice(("equal_installment", "equal_principal")),
        f"{person.occupation}进货周转" if kind == "IND-BIZ" else "家庭装修",
        guarantor_id=guarantor,
        guarantor_relation="配偶" if guarantor else "",
    )


def pick_product(rng: random.Random) -> str:
    """IND-BIZ half the time, IND-CON 28 %, SME-WC 22 %."""
    pick = rng.random()
    return "IND-BIZ" if pick < 0.5 else "IND-CON" if pick < 0.78 else "SME-WC"
